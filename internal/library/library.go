// Package library changes the article folder on moderators' behalf: it reads
// a new article from a file or a web page into a preview, then adds it,
// updates the article it replaces, removes articles and restores them.
//
// Nothing is ever deleted. A removed or replaced file moves to a "removed"
// folder beside the library, where restore finds it again. Every write is
// atomic (a hidden temporary file, then a rename), so a crash leaves the old
// file or the new one, never part of one; the loader ignores the hidden
// temporary files.
package library

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gutskin/corpus"
	"gutskin/internal/fetch"
)

// ErrNotFound is returned when no article (or no removed article) has the
// asked slug.
var ErrNotFound = errors.New("no such article")

// Options configure a Folder.
type Options struct {
	// Dir is the library folder. It may not exist yet: the first add
	// creates it and seeds it with Seed.
	Dir string
	// Seed is the library a new folder starts from (the built-in
	// articles), so that the first add does not leave the bot with one
	// article; nil seeds nothing.
	Seed fs.FS
	// Fetch reads URLs and attachments; nil refuses them.
	Fetch *fetch.Fetcher
	// Now is the clock, for the names of removed files; default time.Now.
	Now func() time.Time
}

// Folder is a library folder moderators change. Its methods are safe for
// concurrent use; changes run one at a time.
type Folder struct {
	opts    Options
	removed string
	mu      sync.Mutex // serialises changes within the process

	cacheMu      sync.Mutex
	cache        *contents // the folder as last read, while its files are unchanged
	removedCache *contents // the removed folder likewise
}

// contents is what a library folder holds, without the passages, which a
// large library could not keep twice in memory.
type contents struct {
	stamp    string // names, sizes and times of the files it was read from
	articles []Entry
	skipped  []corpus.Problem
}

// New prepares a Folder; it touches nothing on disk.
func New(opts Options) *Folder {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dir := filepath.Clean(opts.Dir)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // so that "." has a folder beside it
	}
	opts.Dir = dir
	removed := filepath.Join(filepath.Dir(dir), "removed")
	if rel, err := filepath.Rel(dir, removed); err == nil && !strings.HasPrefix(rel, "..") {
		// A library at the root has nothing beside it: the removed files
		// go in a hidden folder inside, which the loader skips.
		removed = filepath.Join(dir, ".removed")
	}
	return &Folder{opts: opts, removed: removed}
}

// Dir is the library folder.
func (f *Folder) Dir() string { return f.opts.Dir }

// RemovedDir is where removed and replaced files go.
func (f *Folder) RemovedDir() string { return f.removed }

// Entry is one article file of the library or of its removed folder.
type Entry struct {
	// Slug names the article: its file path without the extension, and
	// for a removed file, without the time it was removed.
	Slug  string `json:"slug"`
	Title string `json:"title"`
	// File is the file's path inside its folder.
	File     string `json:"file"`
	Passages int    `json:"passages"`
	// RemovedAt is when a removed file was set aside (RFC 3339); empty in
	// the library.
	RemovedAt string `json:"removed_at,omitempty"`
}

// Listing is what the library holds, and what was removed from it.
type Listing struct {
	Dir      string  `json:"dir"`
	Articles []Entry `json:"articles"`
	Removed  []Entry `json:"removed"`
	// Skipped are library files that do not load, each with its reason.
	Skipped []corpus.Problem `json:"skipped"`
	// Seeded is false while the folder does not exist or is empty: the
	// bot then answers from the built-in library.
	Seeded bool `json:"seeded"`
}

// List reads the library and its removed folder.
func (f *Folder) List() (Listing, error) {
	out := Listing{Dir: f.opts.Dir, Articles: []Entry{}, Removed: []Entry{}, Skipped: []corpus.Problem{}}
	c, err := f.contents()
	if err != nil {
		return out, err
	}
	if c != nil {
		out.Seeded = true
		out.Articles = append(out.Articles, c.articles...)
		out.Skipped = append(out.Skipped, c.skipped...)
	}
	removed, err := f.removedEntries()
	if err != nil {
		return out, err
	}
	out.Removed = removed
	return out, nil
}

// contents reads the library folder, or returns nil when it does not exist
// or holds no visible file. A folder whose files have not changed since the
// last read (names, sizes and times) is not parsed again, so that listing
// and autocompletion stay quick on a large library.
func (f *Folder) contents() (*contents, error) {
	entries, err := os.ReadDir(f.opts.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the library folder %s: %w", f.opts.Dir, err)
	}
	if !HasVisible(entries) {
		return nil, nil
	}
	stamp, err := stampOf(f.opts.Dir)
	if err != nil {
		return nil, err
	}
	f.cacheMu.Lock()
	defer f.cacheMu.Unlock()
	if f.cache != nil && f.cache.stamp == stamp {
		return f.cache, nil
	}
	lib, err := corpus.Load(os.DirFS(f.opts.Dir))
	if err != nil {
		return nil, fmt.Errorf("read the library folder %s: %w", f.opts.Dir, err)
	}
	skipped := slices.Clone(lib.Skipped)
	for _, w := range lib.Warnings {
		if corpus.IsNotLoaded(w) {
			skipped = append(skipped, w)
		}
	}
	f.cache = &contents{stamp: stamp, articles: entriesOf(lib), skipped: skipped}
	return f.cache, nil
}

// stampOf describes every visible file below dir by name, size and
// modification time (of what a link points at), as the loader walks it.
func stampOf(dir string) (string, error) {
	var b strings.Builder
	err := fs.WalkDir(os.DirFS(dir), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(&b, "%s\x00error\x00", name)
			return nil
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			fmt.Fprintf(&b, "%s\x00error\x00", name)
			return nil
		}
		fmt.Fprintf(&b, "%s\x00%d\x00%d\x00", name, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("read the folder %s: %w", dir, err)
	}
	return b.String(), nil
}

func entriesOf(lib *corpus.Library) []Entry {
	out := make([]Entry, 0, len(lib.Articles))
	for _, a := range lib.Articles {
		out = append(out, Entry{Slug: a.Slug, Title: a.Title, File: a.File, Passages: len(a.Passages)})
	}
	return out
}

// HasVisible reports whether a folder's entries hold anything but hidden
// files: an empty library folder means the built-in library.
func HasVisible(entries []os.DirEntry) bool {
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			return true
		}
	}
	return false
}

// removedStamp is the time format in a removed file's name:
// slug.20261206T101500Z.md.
const removedStamp = "20060102T150405Z"

// removedEntries lists the removed folder, newest first. Files are read
// again only when the folder changed.
func (f *Folder) removedEntries() ([]Entry, error) {
	if _, err := os.Stat(f.removed); errors.Is(err, fs.ErrNotExist) {
		return []Entry{}, nil
	}
	stamp, err := stampOf(f.removed)
	if err != nil {
		return nil, err
	}
	f.cacheMu.Lock()
	defer f.cacheMu.Unlock()
	if f.removedCache != nil && f.removedCache.stamp == stamp {
		return slices.Clone(f.removedCache.articles), nil
	}
	out := []Entry{}
	err = fs.WalkDir(os.DirFS(f.removed), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		slug, at := splitRemovedName(name)
		entry := Entry{Slug: slug, File: name, Title: slug}
		if !at.IsZero() {
			entry.RemovedAt = at.Format(time.RFC3339)
		}
		if data, err := os.ReadFile(filepath.Join(f.removed, filepath.FromSlash(name))); err == nil {
			if art, _, err := corpus.ReadFile(slug+path.Ext(name), data); err == nil {
				entry.Title, entry.Passages = art.Title, len(art.Passages)
			}
		}
		out = append(out, entry)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the removed folder %s: %w", f.removed, err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].RemovedAt != out[j].RemovedAt {
			return out[i].RemovedAt > out[j].RemovedAt
		}
		return out[i].File < out[j].File
	})
	f.removedCache = &contents{stamp: stamp, articles: out}
	return slices.Clone(out), nil
}

// splitRemovedName reads "dir/slug.STAMP.ext" (or "slug.ext") back into the
// slug ("dir/slug") and the time it was removed.
func splitRemovedName(name string) (slug string, at time.Time) {
	base := strings.TrimSuffix(name, path.Ext(name))
	if i := strings.LastIndexByte(base, '.'); i > 0 && i > strings.LastIndexByte(base, '/') {
		if t, err := time.Parse(removedStamp, base[i+1:]); err == nil {
			return base[:i], t
		}
	}
	return base, time.Time{}
}

// Remove moves the article slug to the removed folder.
func (f *Folder) Remove(ctx context.Context, slug string) (Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	c, err := f.contents()
	if err != nil {
		return Entry{}, err
	}
	entry, ok := c.find(slug)
	if !ok {
		return Entry{}, fmt.Errorf("remove %q: %w in %s", slug, ErrNotFound, f.opts.Dir)
	}
	if len(c.articles) == 1 {
		// An empty folder would mean the built-in library again.
		return Entry{}, fmt.Errorf("remove %q: it is the library's last article; add another first", slug)
	}
	moved, err := f.setAside(entry.File)
	if err != nil {
		return entry, err
	}
	entry.RemovedAt = moved.Format(time.RFC3339)
	return entry, nil
}

// Restore brings the most recently removed file of slug back into the
// library. It refuses while the library holds an article of that slug.
func (f *Folder) Restore(ctx context.Context, slug string) (Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	removed, err := f.removedEntries()
	if err != nil {
		return Entry{}, err
	}
	var from *Entry
	for i := range removed {
		if removed[i].Slug == slug {
			from = &removed[i]
			break
		}
	}
	if from == nil {
		return Entry{}, fmt.Errorf("restore %q: %w in %s", slug, ErrNotFound, f.removed)
	}
	c, err := f.contents()
	if err != nil {
		return Entry{}, err
	}
	if e, ok := c.find(slug); ok {
		return Entry{}, fmt.Errorf("restore %q: the library holds %s already (%q); remove it first", slug, e.File, e.Title)
	}
	if _, err := f.seedIfNeeded(); err != nil {
		return Entry{}, err
	}
	target := slug + path.Ext(from.File)
	if err := moveFile(filepath.Join(f.removed, from.File), filepath.Join(f.opts.Dir, filepath.FromSlash(target))); err != nil {
		return Entry{}, fmt.Errorf("restore %q: %w", slug, err)
	}
	return Entry{Slug: slug, Title: from.Title, File: target, Passages: from.Passages}, nil
}

// find returns the article slug; c may be nil (an empty folder).
func (c *contents) find(slug string) (Entry, bool) {
	if c == nil {
		return Entry{}, false
	}
	for _, e := range c.articles {
		if e.Slug == slug {
			return e, true
		}
	}
	return Entry{}, false
}

// setAside moves a library file (a path inside the folder) to the removed
// folder under a name that says when, and returns that time.
func (f *Folder) setAside(file string) (time.Time, error) {
	if err := os.MkdirAll(f.removed, 0o755); err != nil {
		return time.Time{}, fmt.Errorf("create the removed folder %s: %w", f.removed, err)
	}
	at := f.opts.Now().UTC().Truncate(time.Second)
	for {
		dst := filepath.Join(f.removed, filepath.FromSlash(removedName(file, at)))
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			if err := moveFile(filepath.Join(f.opts.Dir, filepath.FromSlash(file)), dst); err != nil {
				return time.Time{}, fmt.Errorf("move %s to %s: %w", file, f.removed, err)
			}
			return at, nil
		}
		at = at.Add(time.Second) // two changes within a second
	}
}

// removedName is a library file's path in the removed folder: the same
// path, with the time it was set aside before the extension.
func removedName(file string, at time.Time) string {
	return strings.TrimSuffix(file, path.Ext(file)) + "." + at.Format(removedStamp) + path.Ext(file)
}
