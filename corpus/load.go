package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxFileSize is the largest article file the loader reads; larger files are
// skipped, since no honest article is that long and a mistaken drop of a
// data file should not stall a rebuild.
const MaxFileSize = 1 << 20

// Load reads every article below the root of fsys. Files that cannot be used
// are listed in Library.Skipped with a reason and never stop the load; the
// error is reserved for a library that cannot be read at all.
func Load(fsys fs.FS) (*Library, error) {
	// The walk finds what to read, in order; files are parsed on every core;
	// then the results are gathered in walk order, so the library is the
	// same however the work fell.
	type entry struct {
		name     string
		problem  *Problem // a folder that could not be read
		art      Article
		problems []Problem
		data     []byte
		ok       bool
	}
	var entries []entry
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == "." {
				return err
			}
			entries = append(entries, entry{name: name, problem: &Problem{File: name, Reason: "cannot read: " + unwrapPath(err)}})
			return nil
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			// Hidden files (.gitkeep, editor swap files) are not articles.
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		entries = append(entries, entry{name: name})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read library: %w", err)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(entries))) {
		wg.Go(func() {
			for i := range next {
				e := &entries[i]
				e.art, e.problems, e.data, e.ok = loadFile(fsys, e.name)
			}
		})
	}
	for i := range entries {
		if entries[i].problem == nil {
			next <- i
		}
	}
	close(next)
	wg.Wait()

	lib := &Library{}
	fingerprint := sha256.New()
	bySlug := map[string]string{}
	for i := range entries {
		e := &entries[i]
		if e.problem != nil {
			lib.Skipped = append(lib.Skipped, *e.problem)
			continue
		}
		fmt.Fprintf(fingerprint, "%s\x00%d\x00", e.name, len(e.data))
		fingerprint.Write(e.data)
		e.data = nil
		if !e.ok {
			lib.Skipped = append(lib.Skipped, e.problems...)
			continue
		}
		if first, dup := bySlug[e.art.Slug]; dup {
			lib.Warnings = append(lib.Warnings, Problem{File: e.name,
				Reason: fmt.Sprintf("duplicate slug %q (already used by %s)%s", e.art.Slug, first, notLoaded)})
			continue
		}
		bySlug[e.art.Slug] = e.name
		lib.Warnings = append(lib.Warnings, e.problems...)
		lib.Articles = append(lib.Articles, e.art)
	}
	sort.Slice(lib.Articles, func(i, j int) bool { return lib.Articles[i].Slug < lib.Articles[j].Slug })
	lib.Fingerprint = hex.EncodeToString(fingerprint.Sum(nil))
	return lib, nil
}

// notLoaded ends the warning about a file that parsed but was left out.
const notLoaded = "; not loaded"

// IsNotLoaded reports whether p warns of a file that parsed but was left
// out of the library (its slug taken by another file): a listing shows it
// with the files that did not load.
func IsNotLoaded(p Problem) bool { return strings.HasSuffix(p.Reason, notLoaded) }

// loadFile reads and parses one file. ok is false when the file is skipped;
// problems then holds the reason, otherwise any warnings.
func loadFile(fsys fs.FS, name string) (art Article, problems []Problem, data []byte, ok bool) {
	skip := func(line int, format string, args ...any) (Article, []Problem, []byte, bool) {
		return Article{}, []Problem{{File: name, Line: line, Reason: fmt.Sprintf(format, args...)}}, data, false
	}
	if reason := extensionProblem(name); reason != "" {
		return skip(0, "%s", reason) // before reading: a folder may hold large files of other kinds
	}
	if info, err := fs.Stat(fsys, name); err != nil {
		return skip(0, "cannot read: %s", unwrapPath(err))
	} else if info.Size() > MaxFileSize {
		return skip(0, "file is %d bytes, over the %d-byte limit", info.Size(), MaxFileSize)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return skip(0, "cannot read: %s", unwrapPath(err))
	}
	art, problems, ok = parseFile(name, data)
	return art, problems, data, ok
}

// ReadFile parses one article file named name (its extension picks the
// reader) exactly as Load would read it in a library folder. A file Load
// would skip returns an error holding the reason, as one line with the
// file and line; otherwise problems holds the warnings.
func ReadFile(name string, data []byte) (Article, []Problem, error) {
	art, problems, ok := parseFile(name, data)
	if !ok {
		if len(problems) > 0 {
			return Article{}, nil, errors.New(problems[0].String())
		}
		return Article{}, nil, fmt.Errorf("%s: cannot be read", name)
	}
	return art, problems, nil
}

// parseFile checks and parses one file's content. ok is false when the file
// is skipped; problems then holds the reason, otherwise any warnings.
func parseFile(name string, data []byte) (art Article, problems []Problem, ok bool) {
	skip := func(line int, format string, args ...any) (Article, []Problem, bool) {
		return Article{}, []Problem{{File: name, Line: line, Reason: fmt.Sprintf(format, args...)}}, false
	}
	if reason := extensionProblem(name); reason != "" {
		return skip(0, "%s", reason)
	}
	ext := strings.ToLower(path.Ext(name))
	if len(data) > MaxFileSize {
		return skip(0, "file is over the %d-byte limit", MaxFileSize)
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		// Windows "Unicode" saves: text all the same, whose zero bytes
		// would otherwise read as binary.
		return skip(0, "UTF-16 text; save it as UTF-8")
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return skip(lineAt(data, i), "binary content (NUL byte)")
	}
	if !utf8.Valid(data) {
		return skip(lineAt(data, invalidUTF8At(data)), "invalid UTF-8")
	}
	text := normalizeNewlines(string(data))
	if strings.TrimSpace(text) == "" {
		return skip(0, "no text: the file is empty")
	}
	var doc document
	if ext == ".txt" {
		doc = readPlainText(text)
	} else {
		var perr *parseError
		var err error
		doc, err = readMarkdown(text)
		if errors.As(err, &perr) {
			return skip(perr.line, "%s", perr.msg)
		} else if err != nil {
			return skip(0, "%v", err)
		}
	}
	if strings.TrimSpace(doc.info.Title) == "" {
		if ext == ".txt" {
			return skip(0, "no title: the first lines hold no title-like line")
		}
		return skip(1, "no title: front matter needs a \"title\" field")
	}
	slug := strings.TrimSuffix(name, path.Ext(name))
	art, problems = assemble(name, slug, doc)
	if len(art.Passages) == 0 {
		return skip(0, "no text: nothing to answer from")
	}
	return art, problems, true
}

// extensionProblem says why a file's extension names no article format, or
// "" when it does.
func extensionProblem(name string) string {
	if IsArticleName(name) {
		return ""
	}
	return fmt.Sprintf("unknown extension %q (want .md or .txt)", path.Ext(name))
}

// IsArticleName reports whether a file's name has an extension the library
// reads: .md (or .markdown) or .txt.
func IsArticleName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown", ".txt":
		return true
	}
	return false
}

// parseError is a problem with a file's syntax at a known line.
type parseError struct {
	line int
	msg  string
}

func (e *parseError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func normalizeNewlines(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// lineAt returns the 1-based line number of byte offset off.
func lineAt(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// unwrapPath drops the path from fs errors; the Problem already names the
// file.
func unwrapPath(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
