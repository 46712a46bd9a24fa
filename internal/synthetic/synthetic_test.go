package synthetic

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"gutskin/corpus"
)

// tolerance is the largest relative difference between the passages asked
// for and those corpus.Load cuts. Counts are exact with the loader as
// written; the slack lets a change in how it merges or splits show up as
// a failure only when it changes the shape of the library.
const tolerance = 0.01

// loaded caches corpus.Load of FS(7, 1000), which several tests read.
var loaded = sync.OnceValues(func() (*corpus.Library, error) {
	return corpus.Load(FS(7, 1000))
})

func load(t *testing.T) *corpus.Library {
	t.Helper()
	lib, err := loaded()
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func files(t *testing.T, fsys fs.FS) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		out[name] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	a, b := files(t, FS(42, 200)), files(t, FS(42, 200))
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d and %d files", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Fatalf("%s differs between two runs with the same seed", name)
		}
	}
	c := files(t, FS(43, 200))
	same := 0
	for name, data := range a {
		if bytes.Equal(data, c[name]) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 42 and 43 share %d identical files", same)
	}
	// A larger library of a seed holds every article of a smaller one but
	// the last, which was cut to fit.
	big := files(t, FS(42, 400))
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range a {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range names[:len(names)-1] {
		if !bytes.Equal(a[name], big[name]) {
			t.Errorf("%s differs between sizes 200 and 400", name)
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	lib := load(t)
	if len(lib.Skipped) > 0 || len(lib.Warnings) > 0 {
		t.Fatalf("skipped %v, warnings %v", lib.Skipped, lib.Warnings)
	}
	passages := lib.Passages()
	if d := float64(len(passages)-1000) / 1000; d > tolerance || d < -tolerance {
		t.Errorf("%d passages, want 1000 ± %.0f%%", len(passages), 100*tolerance)
	}
	if n := len(lib.Articles); n < 1000/maxArticle || n > 1000/minArticle+1 {
		t.Errorf("%d articles for 1000 passages", n)
	}
	var words, labelled, asked int
	sections, askedSections := map[string]bool{}, map[string]bool{}
	for _, p := range passages {
		n := len(strings.Fields(p.Text))
		words += n
		if n < 25 || n > 160 {
			t.Errorf("passage %s has %d words: %q", p.ID, n, p.Text)
		}
		if corpus.IsCallToAction(p.Text) {
			t.Errorf("passage %s reads as a call to action: %q", p.ID, p.Text)
		}
		if strings.ContainsAny(p.Text, "[]*_<>#`|") {
			t.Errorf("passage %s keeps syntax: %q", p.ID, p.Text)
		}
		key := p.Slug + "\x00" + strings.Join(p.Section, "\x00")
		sections[key] = true
		if len(p.Questions) > 0 {
			asked++
			askedSections[key] = true
			if len(p.Questions) < 2 || len(p.Questions) > 4 {
				t.Errorf("passage %s has %d questions", p.ID, len(p.Questions))
			}
		}
		if len(p.Citations) == 0 {
			t.Fatalf("passage %s cites nothing", p.ID)
		}
		for _, c := range p.Citations {
			if c.Label == "" {
				continue
			}
			labelled++
			if !strings.HasPrefix(c.DOI, "10.5555/synthetic.") || c.URL != "https://doi.org/"+c.DOI {
				t.Errorf("passage %s cites [%s] with DOI %q, URL %q", p.ID, c.Label, c.DOI, c.URL)
			}
		}
	}
	if mean := words / len(passages); mean < 50 || mean > 90 {
		t.Errorf("passages average %d words; the built-in ones about 66", mean)
	}
	if labelled < len(passages)/2 {
		t.Errorf("only %d labelled citations in %d passages", labelled, len(passages))
	}
	if share := float64(len(askedSections)) / float64(len(sections)); asked == 0 || share < 0.2 || share > 0.47 {
		t.Errorf("%d of %d sections carry questions; want about a third", len(askedSections), len(sections))
	}
	for _, a := range lib.Articles {
		if a.Title == "" || a.Author == "" || a.Published == "" || len(a.Tags) < 3 {
			t.Errorf("%s: metadata %+v, tags %v", a.Slug, a.ArticleInfo, a.Tags)
		}
	}
}

// TestSizes checks exact counts at small sizes, where the last article is
// most often cut to fit.
func TestSizes(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-3, 0, 1, 2, 5, 11, 17, 18, 64} {
		fsys := FS(int64(n)+100, n)
		lib, err := corpus.Load(fsys)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(lib.Passages()); got != max(n, 0) || len(lib.Skipped)+len(lib.Warnings) > 0 {
			t.Errorf("FS(%d): %d passages, skipped %v, warnings %v", n, got, lib.Skipped, lib.Warnings)
		}
	}
}

func TestWriteMatchesFS(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "library")
	if err := Write(dir, 9, 250); err != nil {
		t.Fatal(err)
	}
	want := files(t, FS(9, 250))
	got := files(t, os.DirFS(dir))
	if len(got) != len(want) {
		t.Fatalf("Write made %d files, FS holds %d", len(got), len(want))
	}
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("%s differs between Write and FS", name)
		}
	}
}

// normWords lowercases text and returns its words without the
// punctuation around them ("low-glycaemic-load" and "12.0" are one word
// each).
func normWords(s string) []string {
	var out []string
	for _, f := range strings.Fields(strings.ToLower(s)) {
		if f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// TestNoCopiedSentences checks that the prose mixes the built-in articles
// rather than copying them: no sentence of theirs, and no run of eight
// words of one of their sentences, reappears in a sentence. (The
// generator allows runs of five words, commas aside.)
func TestNoCopiedSentences(t *testing.T) {
	t.Parallel()
	builtin, err := corpus.Load(corpus.Default())
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	shingles := map[string]bool{}
	sentences := map[string]bool{}
	for _, p := range builtin.Passages() {
		for _, s := range sentencesOf(p.Text) {
			w := normWords(s)
			if len(w) >= 4 {
				sentences[strings.Join(w, " ")] = true
			}
			for i := 0; i+n <= len(w); i++ {
				shingles[strings.Join(w[i:i+n], " ")] = true
			}
		}
	}
	copied := 0
	for _, p := range load(t).Passages() {
		for _, s := range sentencesOf(p.Text) {
			w := normWords(s)
			if sentences[strings.Join(w, " ")] {
				t.Errorf("built-in sentence copied: %q", s)
			}
			for i := 0; i+n <= len(w); i++ {
				if shingles[strings.Join(w[i:i+n], " ")] {
					copied++
					if copied <= 5 {
						t.Errorf("%d-word run of a built-in sentence copied: %q", n, strings.Join(w[i:i+n], " "))
					}
				}
			}
		}
	}
}

func sentencesOf(text string) []string {
	var out []string
	start := 0
	for _, end := range append(corpus.SentenceEnds(text), len(text)) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	return out
}

func TestQuestions(t *testing.T) {
	t.Parallel()
	a, b := Questions(7, 200), Questions(7, 200)
	if !slices.Equal(a, b) {
		t.Fatal("Questions differ between two runs with the same seed")
	}
	if !slices.Equal(Questions(7, 20), a[:20]) {
		t.Error("the first questions of a seed depend on n")
	}
	if slices.Equal(Questions(8, 200), a) {
		t.Error("seeds 7 and 8 give the same questions")
	}
	if len(Questions(7, 0)) != 0 {
		t.Error("Questions(7, 0) is not empty")
	}
	// On-topic questions share words with the headings or tags of the
	// library they were drawn for.
	lib := load(t)
	topic := map[string]bool{}
	for _, art := range lib.Articles {
		for _, tag := range art.Tags {
			for _, w := range normWords(tag) {
				topic[w] = true
			}
		}
		for _, p := range art.Passages {
			for _, h := range p.Section {
				for _, w := range normWords(h) {
					if len(w) >= 4 && !stopWords[w] {
						topic[w] = true
					}
				}
			}
		}
	}
	on, distinct := 0, map[string]bool{}
	for _, q := range a {
		if strings.TrimSpace(q) != q || q == "" || !strings.ContainsFunc(q, unicode.IsLetter) || strings.Contains(q, "\n") {
			t.Errorf("bad question %q", q)
		}
		distinct[q] = true
		for _, w := range normWords(q) {
			if topic[w] {
				on++
				break
			}
		}
	}
	if on < len(a)/2 || on == len(a) {
		t.Errorf("%d of %d questions are on topic; want about three in four", on, len(a))
	}
	if len(distinct) < len(a)*3/4 {
		t.Errorf("only %d distinct questions of %d", len(distinct), len(a))
	}
}

func BenchmarkGenerate(b *testing.B) {
	vocab() // learning the vocabulary is a one-off
	for b.Loop() {
		FS(1, 10000)
	}
}
