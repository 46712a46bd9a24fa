package library

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"gutskin/corpus"
	"gutskin/internal/webpage"
)

// MaxAttachment is the largest file a moderator may attach.
const MaxAttachment = 1 << 20

// Source is where a new article comes from: a file's content, a web page or
// raw .md/.txt at a URL, or a Discord attachment.
type Source struct {
	// Name is the file's name, whose extension (.md or .txt) picks the
	// reader; for an attachment, its file name.
	Name string
	// Data is the file's content, for a local file.
	Data []byte
	// URL is fetched when Data is nil.
	URL string
	// Attachment marks URL as an uploaded file: Name picks the reader and
	// the limit is MaxAttachment.
	Attachment bool
	// Size is an attachment's size as Discord reports it, refused before
	// fetching when over MaxAttachment.
	Size int64
}

// Preview is what adding an article would do, shown before anything is
// written.
type Preview struct {
	// Origin is the file name or the URL the article came from.
	Origin string `json:"origin"`
	// File is the library file the add writes.
	File      string `json:"file"`
	Title     string `json:"title"`
	SourceURL string `json:"source"`
	Author    string `json:"author"`
	Published string `json:"published"`
	Passages  int    `json:"passages"`
	// References are the article's reference list.
	References []corpus.Reference `json:"references"`
	// Unresolved are citation markers that point at no reference.
	Unresolved []corpus.Problem `json:"unresolved"`
	// Warnings are the reader's other warnings.
	Warnings []corpus.Problem `json:"warnings"`
	// First are the first two passages, as members would see them.
	First []corpus.Passage `json:"first_passages"`
	// Update is set when the add replaces an article of the library.
	Update *Update `json:"update"`
	// Seeds is how many built-in articles the add copies first, because
	// the library folder does not exist yet or is empty.
	Seeds int `json:"seeds"`

	data []byte
}

// Update describes an add that replaces an article.
type Update struct {
	// File is the library file replaced.
	File string `json:"file"`
	// Changes say what changes, one line each.
	Changes []string `json:"changes"`
}

// Added is what an add did.
type Added struct {
	File string `json:"file"`
	// Replaced is the replaced file's new name in the removed folder.
	Replaced string `json:"replaced,omitempty"`
	// Updated is true when the add replaced an article of the library.
	Updated bool `json:"updated"`
	// Seeded is how many built-in articles were copied into a new folder.
	Seeded int `json:"seeded"`
}

// Preview reads src into the article it would add, and says what adding it
// would do. It writes nothing.
func (f *Folder) Preview(ctx context.Context, src Source) (Preview, error) {
	name, data, origin, err := f.read(ctx, src)
	if err != nil {
		return Preview{}, err
	}
	art, problems, err := corpus.ReadFile(name, data)
	if err != nil {
		return Preview{}, fmt.Errorf("%s cannot be added: %s", origin, lineFirst.ReplaceAllString(strings.TrimPrefix(err.Error(), name+":"), "line $1: "))
	}
	p := Preview{
		Origin: origin, Title: art.Title, SourceURL: art.Source, Author: art.Author, Published: art.Published,
		Passages: len(art.Passages), References: art.References,
		Unresolved: []corpus.Problem{}, Warnings: []corpus.Problem{}, data: data,
	}
	if p.References == nil {
		p.References = []corpus.Reference{}
	}
	for _, w := range problems {
		if corpus.IsUnresolvedMarker(w) {
			p.Unresolved = append(p.Unresolved, w)
		} else {
			p.Warnings = append(p.Warnings, w)
		}
	}
	c, err := f.contents()
	if err != nil {
		return Preview{}, err
	}
	if f.needsSeed() {
		seed, err := corpus.Load(f.opts.Seed)
		if err != nil {
			return Preview{}, fmt.Errorf("read the built-in articles: %w", err)
		}
		seeded := &contents{articles: entriesOf(seed)}
		if c != nil { // a seeding cut short: what it copied, and the rest
			seeded.articles = append(seeded.articles, c.articles...)
		}
		c = seeded
		p.Seeds = len(seed.Articles)
	}
	p.File = slugify(art.Title) + path.Ext(name)
	if old, ok := c.replaced(art.Title, p.File); ok {
		if path.Ext(old.File) == path.Ext(p.File) {
			p.File = old.File
		}
		was, err := f.readArticle(old.File)
		if err != nil {
			return Preview{}, err
		}
		p.Update = &Update{File: old.File, Changes: changes(was, p.File, art)}
	}
	// The passages as the library will hold them: slug and IDs follow the
	// file name.
	final, _, err := corpus.ReadFile(p.File, data)
	if err != nil {
		return Preview{}, fmt.Errorf("%s cannot be added: %w", origin, err)
	}
	p.First = final.Passages[:min(2, len(final.Passages))]
	return p, nil
}

// lineFirst reads the line number off the front of a reader's "file:line:
// reason", whose file name is the reader's own.
var lineFirst = regexp.MustCompile(`^\s*(\d+): `)

// replaced finds the article an add of title as file replaces: the one
// with that file name, else with its slug (kefir.txt for kefir.md), else
// with that title. c may be nil.
func (c *contents) replaced(title, file string) (Entry, bool) {
	if c == nil {
		return Entry{}, false
	}
	for _, e := range c.articles {
		if e.File == file {
			return e, true
		}
	}
	for _, e := range c.articles {
		if e.Slug == strings.TrimSuffix(file, path.Ext(file)) {
			return e, true
		}
	}
	for _, e := range c.articles {
		if strings.EqualFold(strings.TrimSpace(e.Title), strings.TrimSpace(title)) {
			return e, true
		}
	}
	return Entry{}, false
}

// readArticle parses one article of the library folder, or of the seed
// when the folder is still to be seeded.
func (f *Folder) readArticle(file string) (corpus.Article, error) {
	data, err := os.ReadFile(filepath.Join(f.opts.Dir, filepath.FromSlash(file)))
	if errors.Is(err, fs.ErrNotExist) && f.opts.Seed != nil {
		data, err = fs.ReadFile(f.opts.Seed, file)
	}
	if err != nil {
		return corpus.Article{}, fmt.Errorf("read %s: %w", file, err)
	}
	art, _, err := corpus.ReadFile(file, data)
	if err != nil {
		return corpus.Article{}, fmt.Errorf("read %s: %w", file, err)
	}
	return art, nil
}

// Add writes the previewed article into the library. A folder that does
// not exist yet is created and seeded with the built-in articles first. An
// article it replaces moves to the removed folder.
func (f *Folder) Add(ctx context.Context, p Preview) (Added, error) {
	if len(p.data) == 0 || p.File == "" {
		return Added{}, errors.New("add: nothing previewed")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Added{}, err
	}
	var out Added
	var err error
	if out.Seeded, err = f.seedIfNeeded(); err != nil {
		return out, err
	}
	removeStaleTemps(f.opts.Dir, f.opts.Now())
	// Plan again on the folder as it is now: another add may have landed
	// since the preview.
	c, err := f.contents()
	if err != nil {
		return out, err
	}
	// The preview read p.data as p.File already: its title is the article's.
	out.File = p.File
	old, replacing := c.replaced(p.Title, p.File)
	out.Updated = replacing
	target := filepath.Join(f.opts.Dir, filepath.FromSlash(out.File))
	if prev, err := os.ReadFile(target); err == nil {
		// Keep what the file held before overwriting it, even a file that
		// did not load, so nothing is lost and no moment leaves the
		// library without the article.
		if out.Replaced, err = f.keepCopy(out.File, prev); err != nil {
			return out, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return out, fmt.Errorf("read %s before replacing it: %w", out.File, err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return out, fmt.Errorf("create %s: %w", filepath.Dir(target), err)
	}
	if err := writeAtomic(target, p.data); err != nil {
		return out, fmt.Errorf("add %s: %w", out.File, err)
	}
	if replacing && old.File != out.File {
		at, err := f.setAside(old.File)
		if err != nil {
			return out, fmt.Errorf("added %s, but the article it replaces stays: %w", out.File, err)
		}
		out.Replaced = removedName(old.File, at)
	}
	return out, nil
}

// keepCopy writes a copy of a library file's content into the removed
// folder and returns its name there.
func (f *Folder) keepCopy(file string, data []byte) (string, error) {
	if err := os.MkdirAll(f.removed, 0o755); err != nil {
		return "", fmt.Errorf("create the removed folder %s: %w", f.removed, err)
	}
	at := f.opts.Now().UTC().Truncate(time.Second)
	for {
		name := removedName(file, at)
		dst := filepath.Join(f.removed, filepath.FromSlash(name))
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return "", fmt.Errorf("keep the old %s: %w", file, err)
			}
			if err := writeAtomic(dst, data); err != nil {
				return "", fmt.Errorf("keep the old %s: %w", file, err)
			}
			return name, nil
		}
		at = at.Add(time.Second)
	}
}

// read turns a source into a file name and content the corpus readers
// take, and says where it came from.
func (f *Folder) read(ctx context.Context, src Source) (name string, data []byte, origin string, err error) {
	if src.Data != nil {
		name = filepath.Base(src.Name)
		if err := checkName(name); err != nil {
			return "", nil, name, err
		}
		if len(src.Data) > MaxAttachment {
			return "", nil, name, fmt.Errorf("%s is %s; at most 1 MiB", name, size(int64(len(src.Data))))
		}
		data, err := normalise(name, src.Data, "", name)
		return name, data, name, err
	}
	if f.opts.Fetch == nil {
		return "", nil, src.URL, errors.New("fetching is off")
	}
	if src.Attachment {
		name = path.Base(src.Name)
		if err := checkName(name); err != nil {
			return "", nil, name, err
		}
		if src.Size > MaxAttachment {
			return "", nil, name, fmt.Errorf("%s is %s; at most 1 MiB", name, size(src.Size))
		}
		page, err := f.opts.Fetch.WithLimit(MaxAttachment).ForFiles().Get(ctx, src.URL)
		if err != nil {
			// Discord's signed link to the file is not for logs or replies.
			msg := err.Error()
			if u, perr := url.Parse(src.URL); perr == nil {
				msg = strings.ReplaceAll(msg, u.Redacted(), "the attachment")
			}
			return "", nil, name, fmt.Errorf("%s: %s", name, strings.ReplaceAll(msg, src.URL, "the attachment"))
		}
		data, err := normalise(name, page.Body, "", name)
		return name, data, name, err
	}
	page, err := f.opts.Fetch.Get(ctx, src.URL)
	if err != nil {
		return "", nil, src.URL, err
	}
	origin = page.URL
	switch page.ContentType {
	case "text/html":
		a, err := webpage.Read(page.Body, page.URL)
		if err != nil {
			return "", nil, origin, fmt.Errorf("%s: %w", origin, err)
		}
		data, err := withFrontMatter(frontMatter{Title: a.Title, Source: a.Source, Author: a.Author, Published: a.Published}, a.Markdown)
		return "page.md", data, origin, err
	case "text/markdown":
		name = "page.md"
	default:
		name = "page.txt"
		if u, err := url.Parse(page.URL); err == nil && (strings.HasSuffix(strings.ToLower(u.Path), ".md") || strings.HasSuffix(strings.ToLower(u.Path), ".markdown")) {
			name = "page.md"
		}
	}
	data, err = normalise(name, page.Body, page.URL, origin)
	return name, data, origin, err
}

// checkName refuses a file name with no article extension.
func checkName(name string) error {
	if corpus.IsArticleName(name) {
		return nil
	}
	return fmt.Errorf("%s: only .md and .txt files can be added", name)
}

// normalise gives Markdown without front matter the front matter it needs:
// the title from its first "# " heading, and the URL it came from. shown
// names the article in errors.
func normalise(name string, data []byte, sourceURL, shown string) ([]byte, error) {
	if strings.ToLower(path.Ext(name)) == ".txt" || bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return data, nil // the reader says what is wrong with binary or broken text
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	if strings.HasPrefix(text, "---\n") || strings.HasPrefix(text, "---\r\n") {
		return data, nil
	}
	lines := strings.SplitAfter(text, "\n")
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		if !strings.HasPrefix(trimmed, "# ") {
			break
		}
		title := strings.TrimSpace(strings.TrimPrefix(trimmed, "# "))
		body := strings.Join(lines[i+1:], "")
		return withFrontMatter(frontMatter{Title: title, Source: sourceURL}, body)
	}
	return nil, fmt.Errorf("%s has no title: start it with front matter holding a title, or with a \"# Title\" line", shown)
}

// frontMatter is what an added Markdown article's front matter records.
type frontMatter struct {
	Title     string `yaml:"title"`
	Source    string `yaml:"source,omitempty"`
	Author    string `yaml:"author,omitempty"`
	Published string `yaml:"published,omitempty"`
}

func withFrontMatter(fm frontMatter, body string) ([]byte, error) {
	if strings.TrimSpace(fm.Title) == "" {
		return nil, errors.New("no title found")
	}
	var buf bytes.Buffer
	buf.WriteString("---\n")
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(fm); err != nil {
		return nil, fmt.Errorf("write front matter: %w", err)
	}
	enc.Close()
	buf.WriteString("---\n\n")
	buf.WriteString(strings.TrimLeft(body, "\n"))
	return buf.Bytes(), nil
}

// slugify makes a file name from a title: lower-case ASCII words joined by
// hyphens, at most 60 characters.
func slugify(title string) string {
	folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), title)
	if err != nil {
		folded = title
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(folded) {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			if b.Len() >= 60 {
				break
			}
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		// A title in another script: a name of its own all the same.
		sum := sha256.Sum256([]byte(title))
		return "article-" + hex.EncodeToString(sum[:4])
	}
	return strings.TrimSuffix(b.String(), "-")
}

// size renders a byte count for a refusal.
func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", (n+1023)/1024)
}
