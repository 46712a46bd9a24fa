package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"gutskin/corpus"
)

// fixtureDir is the small test library of index/testdata: five short
// articles written for these tests, each built to exercise one part of
// question analysis (a phrase synonym, a spelling variant, a typo target).
const fixtureDir = "testdata/library"

// loader returns an Options.Load that reads fsys.
func loader(fsys fs.FS) func(context.Context) (*corpus.Library, error) {
	return func(context.Context) (*corpus.Library, error) { return corpus.Load(fsys) }
}

// mapFS turns file names and contents into a library.
func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// article writes a Markdown article with front matter and one section per
// paragraph.
func article(title string, paragraphs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %q\nauthor: gutskin test fixtures\npublished: 2024\n---\n", title)
	for i, p := range paragraphs {
		fmt.Fprintf(&b, "\n## Part %d\n\n%s\n", i+1, p)
	}
	return b.String()
}

// openIndex opens an index and closes it when the test ends.
func openIndex(t testing.TB, opts Options) (*Index, OpenInfo) {
	t.Helper()
	ix, info, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open(%+v): %v", opts.Dir, err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, info
}

// shared indexes are built once per test binary and never closed: tests
// only read them.
var (
	fixtureIndexOnce = sync.OnceValues(func() (*Index, error) {
		ix, _, err := Open(context.Background(), Options{Load: loader(os.DirFS(fixtureDir))})
		return ix, err
	})
	defaultIndexOnce = sync.OnceValues(func() (*Index, error) {
		ix, _, err := Open(context.Background(), Options{Load: loader(corpus.Default())})
		return ix, err
	})
)

// fixtureIndex is an in-memory index of testdata/library.
func fixtureIndex(t testing.TB) *Index {
	t.Helper()
	ix, err := fixtureIndexOnce()
	if err != nil {
		t.Fatalf("build fixture index: %v", err)
	}
	return ix
}

// defaultIndex is an in-memory index of the embedded default library.
func defaultIndex(t testing.TB) *Index {
	t.Helper()
	ix, err := defaultIndexOnce()
	if err != nil {
		t.Fatalf("build default index: %v", err)
	}
	return ix
}

// mustSearch runs Search with a bounded context and fails on error.
func mustSearch(t testing.TB, ix *Index, q string, k int) []corpus.Hit {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hits, err := ix.Search(ctx, q, k)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return hits
}

// topSlug is the article slug of the best hit, or "" with no hit.
func topSlug(hits []corpus.Hit) string {
	if len(hits) == 0 {
		return ""
	}
	return hits[0].Passage.Slug
}

// genDirs lists the gen-* directories of an index directory.
func genDirs(t testing.TB, dir string) []string {
	t.Helper()
	return entryNames(t, dir, func(e os.DirEntry) bool { return e.IsDir() && strings.HasPrefix(e.Name(), genPrefix) })
}

// corruptEntries lists the corrupt-… entries of an index directory.
func corruptEntries(t testing.TB, dir string) []string {
	t.Helper()
	return entryNames(t, dir, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), "corrupt-") })
}

// entryNames lists the names of the entries of dir that keep accepts.
func entryNames(t testing.TB, dir string, keep func(os.DirEntry) bool) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if keep(e) {
			out = append(out, e.Name())
		}
	}
	return out
}

// currentGen reads the name in DIR/CURRENT.
func currentGen(t testing.TB, dir string) string {
	t.Helper()
	name, err := store{dir}.current()
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// copyDir copies the files of src (one level) into dst.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// syntheticLibrary generates a library of n passages directly, without
// parsing files, so that building its index is the only slow part: articles
// of twenty sections, each passage 60–80 pseudo-words with a few domain
// words mixed in. The same n always gives the same library.
func syntheticLibrary(n int) *corpus.Library {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	syllables := []string{"ka", "lo", "mi", "ra", "ten", "vos", "qu", "ber", "nid", "sa", "pol", "ur", "gim", "fe", "dro", "tal"}
	vocab := make([]string, 3000)
	for i := range vocab {
		var w strings.Builder
		for range 2 + rng.IntN(3) {
			w.WriteString(syllables[rng.IntN(len(syllables))])
		}
		vocab[i] = w.String()
	}
	domain := []string{"gut", "skin", "acne", "eczema", "probiotic", "fibre", "microbiome", "inflammation", "diet", "barrier", "kefir", "yogurt", "stress", "sleep"}
	const perArticle = 20
	lib := &corpus.Library{Skipped: []corpus.Problem{}, Warnings: []corpus.Problem{}}
	fingerprint := sha256.New()
	for a := 0; a*perArticle < n; a++ {
		art := corpus.Article{
			Slug: fmt.Sprintf("synthetic-%04d", a),
			ArticleInfo: corpus.ArticleInfo{
				Title:     fmt.Sprintf("Synthetic article %d about %s", a, domain[a%len(domain)]),
				Source:    fmt.Sprintf("https://example.org/synthetic/%d", a),
				Published: "2020",
			},
			Tags:       []string{domain[a%len(domain)]},
			References: []corpus.Reference{},
		}
		art.File = art.Slug + ".md"
		for s := 0; s < perArticle && a*perArticle+s < n; s++ {
			var b strings.Builder
			for w := range 60 + rng.IntN(21) {
				if w > 0 {
					b.WriteByte(' ')
				}
				if rng.IntN(8) == 0 {
					b.WriteString(domain[rng.IntN(len(domain))])
				} else {
					b.WriteString(vocab[rng.IntN(len(vocab))])
				}
			}
			b.WriteByte('.')
			text := b.String()
			sum := sha256.Sum256([]byte(art.Slug + "\x00" + text))
			art.Passages = append(art.Passages, corpus.Passage{
				ID:        hex.EncodeToString(sum[:6]),
				Slug:      art.Slug,
				Section:   []string{fmt.Sprintf("Section %d %s", s, vocab[rng.IntN(len(vocab))])},
				Text:      text,
				Article:   art.ArticleInfo,
				Citations: []corpus.Reference{{Text: art.Title, URL: art.Source}},
			})
			fingerprint.Write([]byte(text))
		}
		lib.Articles = append(lib.Articles, art)
	}
	lib.Fingerprint = hex.EncodeToString(fingerprint.Sum(nil))
	return lib
}

// libraryLoad is an Options.Load that returns a library already in memory.
func libraryLoad(lib *corpus.Library) func(context.Context) (*corpus.Library, error) {
	return func(context.Context) (*corpus.Library, error) { return lib, nil }
}

func TestSyntheticLibraryShape(t *testing.T) {
	lib := syntheticLibrary(500)
	if got := len(lib.Passages()); got != 500 || len(lib.Articles) != 25 {
		t.Fatalf("synthetic library of 500 passages has %d passages in %d articles", got, len(lib.Articles))
	}
	ix, _ := openIndex(t, Options{Load: libraryLoad(lib)})
	if s := ix.Stats(); s.Passages != 500 {
		t.Fatalf("stats %+v", s)
	}
	// Its words are searchable like any article's.
	if cands := candidatesFor(t, ix, "kefir eczema"); len(cands) == 0 {
		t.Error("nothing found in the synthetic library")
	}
}
