package library

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"gutskin/corpus"
	"gutskin/internal/fetch"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// seed is a one-article built-in library.
var seed = fstest.MapFS{"oats.md": {Data: []byte("---\ntitle: Oats\n---\n\nOats hold a soluble fibre that gut bacteria ferment.\n")}}

// newFolder is a Folder on a fresh, existing library folder holding files.
func newFolder(t *testing.T, files map[string]string) *Folder {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "corpus")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clock := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	return New(Options{Dir: dir, Seed: seed, Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
}

// files lists the visible files of dir and below, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func TestPreviewAndAddNewArticle(t *testing.T) {
	f := newFolder(t, map[string]string{"oats.md": "---\ntitle: Oats\n---\n\nOats hold a soluble fibre.\n"})
	ctx := context.Background()
	p, err := f.Preview(ctx, Source{Name: "/home/mod/My Kefir.md", Data: fixture(t, "kefir.md")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Kefir and the skin" || p.File != "kefir-and-the-skin.md" || p.Origin != "My Kefir.md" {
		t.Errorf("preview: title %q, file %q, origin %q", p.Title, p.File, p.Origin)
	}
	if p.Passages != 2 || len(p.References) != 1 || len(p.First) != 2 || p.Update != nil || p.Seeds != 0 {
		t.Errorf("preview: %d passages, %d references, %d first, update %v, seeds %d", p.Passages, len(p.References), len(p.First), p.Update, p.Seeds)
	}
	if p.First[0].Slug != "kefir-and-the-skin" || !strings.Contains(p.First[0].Text, "fermented milk drink") {
		t.Errorf("first passage as the library will hold it: %+v", p.First[0])
	}
	if got := files(t, f.Dir()); !slices.Equal(got, []string{"oats.md"}) {
		t.Fatalf("a preview wrote something: %v", got)
	}

	added, err := f.Add(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if added.File != "kefir-and-the-skin.md" || added.Replaced != "" || added.Seeded != 0 {
		t.Errorf("added %+v", added)
	}
	if got := files(t, f.Dir()); !slices.Equal(got, []string{"kefir-and-the-skin.md", "oats.md"}) {
		t.Errorf("library holds %v", got)
	}
	l, err := f.List()
	if err != nil || len(l.Articles) != 2 || !l.Seeded {
		t.Fatalf("list: %v, %+v", err, l)
	}
}

func TestUpdateSaysWhatChangesAndKeepsTheOldVersion(t *testing.T) {
	f := newFolder(t, map[string]string{"kefir.md": string(fixture(t, "kefir.md"))})
	ctx := context.Background()
	p, err := f.Preview(ctx, Source{Name: "kefir-v2.md", Data: fixture(t, "kefir-v2.md")})
	if err != nil {
		t.Fatal(err)
	}
	// Same title: it updates kefir.md, whatever the new file's slug.
	if p.Update == nil || p.Update.File != "kefir.md" || p.File != "kefir.md" {
		t.Fatalf("update %+v, file %q", p.Update, p.File)
	}
	changes := strings.Join(p.Update.Changes, "\n")
	for _, want := range []string{"passages: 2 → 3 (2 new or reworded, 1 gone)", "new sections: How to try it"} {
		if !strings.Contains(changes, want) {
			t.Errorf("changes lack %q:\n%s", want, changes)
		}
	}
	if len(p.Unresolved) != 1 || !strings.Contains(p.Unresolved[0].Reason, "[2]") {
		t.Errorf("unresolved markers: %v", p.Unresolved)
	}
	added, err := f.Add(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if added.Replaced == "" {
		t.Fatal("the old version was not kept")
	}
	old, err := os.ReadFile(filepath.Join(f.RemovedDir(), added.Replaced))
	if err != nil || string(old) != string(fixture(t, "kefir.md")) {
		t.Errorf("kept version: %v, %q", err, old)
	}
	now, _ := os.ReadFile(filepath.Join(f.Dir(), "kefir.md"))
	if string(now) != string(fixture(t, "kefir-v2.md")) {
		t.Error("the library does not hold the new version")
	}

	// Adding the same content again changes nothing members see.
	p, err = f.Preview(ctx, Source{Name: "kefir.md", Data: fixture(t, "kefir-v2.md")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Update == nil || !slices.Equal(p.Update.Changes, []string{"nothing members see changes"}) {
		t.Errorf("same content: %+v", p.Update)
	}
}

func TestRemoveAndRestore(t *testing.T) {
	f := newFolder(t, map[string]string{"kefir.md": string(fixture(t, "kefir.md")), "oats.md": "---\ntitle: Oats\n---\n\nOats hold fibre.\n"})
	ctx := context.Background()
	if _, err := f.Remove(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove of an unknown slug: %v", err)
	}
	e, err := f.Remove(ctx, "kefir")
	if err != nil {
		t.Fatal(err)
	}
	if e.Title != "Kefir and the skin" || e.File != "kefir.md" {
		t.Errorf("removed %+v", e)
	}
	if got := files(t, f.Dir()); !slices.Equal(got, []string{"oats.md"}) {
		t.Errorf("library after remove: %v", got)
	}
	l, err := f.List()
	if err != nil || len(l.Removed) != 1 || l.Removed[0].Slug != "kefir" || l.Removed[0].Title != "Kefir and the skin" {
		t.Fatalf("removed list: %v %+v", err, l.Removed)
	}
	if _, err := f.Restore(ctx, "oats"); !errors.Is(err, ErrNotFound) {
		t.Errorf("restore of a slug never removed: %v", err)
	}
	if _, err := f.Restore(ctx, "kefir"); err != nil {
		t.Fatal(err)
	}
	if got := files(t, f.Dir()); !slices.Equal(got, []string{"kefir.md", "oats.md"}) {
		t.Errorf("library after restore: %v", got)
	}
	if got := files(t, f.RemovedDir()); len(got) != 0 {
		t.Errorf("removed folder after restore: %v", got)
	}
	// Restore refuses to overwrite: remove twice, restore once, then again.
	if _, err := f.Remove(ctx, "kefir"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.Dir(), "kefir.md"), fixture(t, "kefir-v2.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Restore(ctx, "kefir"); err == nil || !strings.Contains(err.Error(), "remove it first") {
		t.Errorf("restore over an article: %v", err)
	}
}

func TestFirstAddSeedsANewFolder(t *testing.T) {
	root := t.TempDir()
	f := New(Options{Dir: filepath.Join(root, "data", "corpus"), Seed: seed})
	ctx := context.Background()
	p, err := f.Preview(ctx, Source{Name: "kefir.md", Data: fixture(t, "kefir.md")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Seeds != 1 {
		t.Errorf("seeds %d, want 1", p.Seeds)
	}
	added, err := f.Add(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if added.Seeded != 1 {
		t.Errorf("seeded %d", added.Seeded)
	}
	if got := files(t, f.Dir()); !slices.Equal(got, []string{"kefir-and-the-skin.md", "oats.md"}) {
		t.Errorf("new folder holds %v", got)
	}

	// A folder that cannot be created says why, on one line.
	file := filepath.Join(root, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	f = New(Options{Dir: filepath.Join(file, "corpus"), Seed: seed})
	p, err = f.Preview(ctx, Source{Name: "kefir.md", Data: fixture(t, "kefir.md")})
	if err == nil {
		_, err = f.Add(ctx, p)
	}
	if err == nil || !strings.Contains(err.Error(), "cannot create the library folder") && !strings.Contains(err.Error(), "not a directory") || strings.Contains(err.Error(), "\n") {
		t.Errorf("folder under a file: %v", err)
	}
}

func TestRefusesHostileFiles(t *testing.T) {
	f := newFolder(t, nil)
	ctx := context.Background()
	huge := []byte("---\ntitle: Huge\n---\n\n" + strings.Repeat("word ", 1<<20))
	for _, tt := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"binary", "x.md", []byte("---\ntitle: X\n---\n\x00\x01\x02"), "binary content"},
		{"5 MiB", "big.md", huge, "at most 1 MiB"},
		{"invalid UTF-8", "x.txt", []byte("Title\n\nbad \xff\xfe bytes here\n"), "invalid UTF-8"},
		{"a PDF", "paper.pdf", []byte("%PDF-1.7"), "only .md and .txt"},
		{"no title", "x.md", []byte("just some words\n"), "no title"},
		{"empty", "x.md", []byte(""), "no title"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.Preview(ctx, Source{Name: tt.file, Data: tt.data})
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line with %q", err, tt.want)
			}
			if got := files(t, filepath.Dir(f.Dir())); len(got) != 0 {
				t.Errorf("wrote %v", got)
			}
		})
	}
}

func TestMarkdownWithoutFrontMatter(t *testing.T) {
	f := newFolder(t, nil)
	p, err := f.Preview(context.Background(), Source{Name: "oats.md", Data: []byte("# Oats and the gut\n\nOats hold a soluble fibre that gut bacteria ferment.\n")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Oats and the gut" || p.File != "oats-and-the-gut.md" || p.Passages != 1 {
		t.Errorf("preview %+v", p)
	}
	if !strings.HasPrefix(string(p.data), "---\ntitle: Oats and the gut\n---\n\n") {
		t.Errorf("written as %q", p.data)
	}
}

func TestPreviewFromURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/raw/kefir.md":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8") // as raw file hosts serve Markdown
			w.Write([]byte("# Kefir notes\n\nKefir is a fermented milk drink made with grains.\n"))
		case "/notes.txt":
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("Kefir and the skin\n\nKefir is a fermented milk drink. Some people drink it daily, hoping their skin will clear.\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := newFolder(t, nil)
	f.opts.Fetch = fetch.New(fetch.Options{AllowPrivate: true})
	ctx := context.Background()
	p, err := f.Preview(ctx, Source{URL: srv.URL + "/raw/kefir.md"})
	if err != nil {
		t.Fatal(err)
	}
	if p.File != "kefir-notes.md" || p.SourceURL != srv.URL+"/raw/kefir.md" || p.Origin != srv.URL+"/raw/kefir.md" {
		t.Errorf("raw Markdown: file %q, source %q, origin %q", p.File, p.SourceURL, p.Origin)
	}
	p, err = f.Preview(ctx, Source{URL: srv.URL + "/notes.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if p.File != "kefir-and-the-skin.txt" {
		t.Errorf("plain text: file %q", p.File)
	}
	if _, err := f.Preview(ctx, Source{URL: srv.URL + "/missing"}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing page: %v", err)
	}
	// Without FETCH_ALLOW_PRIVATE, the loopback server is refused.
	f.opts.Fetch = fetch.New(fetch.Options{})
	if _, err := f.Preview(ctx, Source{URL: srv.URL + "/notes.txt"}); !errors.Is(err, fetch.ErrRefused) {
		t.Errorf("loopback without FETCH_ALLOW_PRIVATE: %v", err)
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Kefir and the skin":                  "kefir-and-the-skin",
		"  Rosacea & the gut: what's known? ": "rosacea-the-gut-what-s-known",
		"Ekzem – Darmflora für Anfänger":      "ekzem-darmflora-fur-anfanger",
		"日本語":                                 "article-77710aed",
		strings.Repeat("long words ", 20):     "long-words-long-words-long-words-long-words-long-words-long-w",
	} {
		if got := slugify(in); got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitRemovedName(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 15, 0, 0, time.UTC)
	slug, got := splitRemovedName(removedName("kefir.md", at))
	if slug != "kefir" || !got.Equal(at) {
		t.Errorf("round trip: %q %v", slug, got)
	}
	if slug, got := splitRemovedName("notes.v2.txt"); slug != "notes.v2" || !got.IsZero() {
		t.Errorf("no stamp: %q %v", slug, got)
	}
}

// The loader sees a library that never holds part of an article: the
// temporary file of a write is hidden.
func TestTemporaryFilesAreHidden(t *testing.T) {
	dir := t.TempDir()
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		t.Fatal(err)
	}
	tmp.WriteString("---\ntitle: Half\n---\n\nHalf an arti")
	tmp.Close()
	lib, err := corpus.Load(os.DirFS(dir))
	if err != nil || len(lib.Articles) != 0 || len(lib.Skipped) != 0 {
		t.Errorf("loader read the temporary file: %v %+v", err, lib)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(tmp.Name(), old, old)
	removeStaleTemps(dir, time.Now())
	if _, err := os.Stat(tmp.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a stale temporary file stays: %v", err)
	}
}

func TestRemovedFolderIsNeverInsideTheLibrary(t *testing.T) {
	t.Chdir(t.TempDir())
	f := New(Options{Dir: "."})
	wd, _ := os.Getwd()
	if f.Dir() != wd || f.RemovedDir() != filepath.Join(filepath.Dir(wd), "removed") {
		t.Errorf("library %s, removed %s", f.Dir(), f.RemovedDir())
	}
	if f := New(Options{Dir: "/"}); f.RemovedDir() != "/.removed" {
		t.Errorf("a library at the root sets removed files aside in %s", f.RemovedDir())
	}
}

func TestSubfolderArticleComesBackToItsPlace(t *testing.T) {
	f := newFolder(t, map[string]string{"oats.md": "---\ntitle: Oats\n---\n\nOats hold fibre.\n"})
	os.MkdirAll(filepath.Join(f.Dir(), "notes"), 0o755)
	os.WriteFile(filepath.Join(f.Dir(), "notes", "kefir.md"), fixture(t, "kefir.md"), 0o644)
	ctx := context.Background()
	if _, err := f.Remove(ctx, "notes/kefir"); err != nil {
		t.Fatal(err)
	}
	l, _ := f.List()
	if len(l.Removed) != 1 || l.Removed[0].Slug != "notes/kefir" {
		t.Fatalf("removed %+v", l.Removed)
	}
	if _, err := f.Restore(ctx, "notes/kefir"); err != nil {
		t.Fatal(err)
	}
	if got := files(t, f.Dir()); !slices.Equal(got, []string{"notes/kefir.md", "oats.md"}) {
		t.Errorf("library after restore: %v", got)
	}
}

func TestNothingIsLostOnAdd(t *testing.T) {
	ctx := context.Background()
	// A file of the new article's name that does not load is kept aside.
	broken := "---\ntitle: [unclosed\n---\n"
	f := newFolder(t, map[string]string{"kefir-and-the-skin.md": broken, "oats.md": "---\ntitle: Oats\n---\n\nOats hold fibre.\n"})
	p, err := f.Preview(ctx, Source{Name: "kefir.md", Data: fixture(t, "kefir.md")})
	if err != nil {
		t.Fatal(err)
	}
	added, err := f.Add(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := os.ReadFile(filepath.Join(f.RemovedDir(), added.Replaced))
	if added.Replaced == "" || err != nil || string(kept) != broken {
		t.Errorf("the broken file was not kept: %+v, %v", added, err)
	}

	// The same slug in another format is an update, and the old file goes
	// aside.
	f = newFolder(t, map[string]string{"kefir.txt": "Kefir and the skin\n\nKefir is a fermented milk drink. Some drink it daily.\n", "oats.md": "---\ntitle: Oats\n---\n\nOats hold fibre.\n"})
	p, err = f.Preview(ctx, Source{Name: "kefir.md", Data: []byte("---\ntitle: Kefir\n---\n\nKefir is a fermented milk drink.\n")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Update == nil || p.Update.File != "kefir.txt" || p.File != "kefir.md" {
		t.Fatalf("preview %+v, file %s", p.Update, p.File)
	}
	if _, err := f.Add(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := files(t, f.Dir()); !slices.Equal(got, []string{"kefir.md", "oats.md"}) {
		t.Errorf("library holds %v", got)
	}
	if l, _ := f.List(); len(l.Removed) != 1 || l.Removed[0].Slug != "kefir" {
		t.Errorf("removed %+v", l.Removed)
	}

	// The last article cannot be removed: the bot would fall back to the
	// built-in library.
	f = newFolder(t, map[string]string{"oats.md": "---\ntitle: Oats\n---\n\nOats hold fibre.\n"})
	if _, err := f.Remove(ctx, "oats"); err == nil || !strings.Contains(err.Error(), "last article") {
		t.Errorf("removing the last article: %v", err)
	}
}

func TestSeedingCutShortGoesOn(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "corpus")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, seedingMarker), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "kefir.md"), fixture(t, "kefir.md"), 0o644) // copied before the crash
	f := New(Options{Dir: dir, Seed: seed})
	ctx := context.Background()
	p, err := f.Preview(ctx, Source{Name: "notes.md", Data: []byte("# Notes\n\nSome notes on fibre.\n")})
	if err != nil {
		t.Fatal(err)
	}
	added, err := f.Add(ctx, p)
	if err != nil || added.Seeded != 1 {
		t.Fatalf("add: %v, %+v", err, added)
	}
	if got := files(t, dir); !slices.Equal(got, []string{"kefir.md", "notes.md", "oats.md"}) {
		t.Errorf("library holds %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, seededMarker)); err != nil {
		t.Errorf("no seeded marker: %v", err)
	}
	// Emptied later, the folder is not seeded again.
	for _, name := range []string{"kefir.md", "notes.md", "oats.md"} {
		os.Remove(filepath.Join(dir, name))
	}
	if f.needsSeed() {
		t.Error("an emptied folder would be seeded again")
	}
}

// A held change is found by any Folder on the same volume (another
// replica), taken once, and gone when expired.
func TestHeldChangesAreSharedAndTakenOnce(t *testing.T) {
	f := newFolder(t, map[string]string{"oats.md": "---\ntitle: Oats\n---\n\nOats hold fibre.\n"})
	ctx := context.Background()
	p, err := f.Preview(ctx, Source{Name: "kefir.md", Data: fixture(t, "kefir.md")})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := f.Hold("abc234", Held{Owner: "300000000000000009", Expires: now.Add(time.Minute), Add: &p}); err != nil {
		t.Fatal(err)
	}
	other := New(Options{Dir: f.Dir()}) // another replica
	h, ok := other.Held("abc234", false)
	if !ok || h.Owner != "300000000000000009" || h.Add == nil || h.Add.Title != p.Title {
		t.Fatalf("held on the other replica: %v %+v", ok, h)
	}
	if _, ok := other.Held("abc234", true); !ok {
		t.Fatal("take")
	}
	if _, ok := f.Held("abc234", true); ok {
		t.Error("a held change was taken twice")
	}
	// What was held adds exactly as the preview would have.
	if _, err := other.Add(ctx, *h.Add); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(f.Dir(), "kefir-and-the-skin.md")); string(got) != string(fixture(t, "kefir.md")) {
		t.Error("the held preview wrote something else")
	}
	// Expired.
	f.Hold("def567", Held{Owner: "1", Expires: f.opts.Now().Add(-time.Second), Remove: &Entry{Slug: "oats"}})
	if _, ok := f.Held("def567", false); ok {
		t.Error("an expired change is still held")
	}
	for _, bad := range []string{"", "../x", "ABC"} {
		if err := f.Hold(bad, Held{}); err == nil {
			t.Errorf("Hold(%q) accepted a bad key", bad)
		}
	}
}
