package index

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gutskin/corpus"
)

// sourcesDir is a small library, written for these tests with invented
// references, whose articles cite in the three ways that matter for an
// answer's article sources: miso.md has markers in one section only and a
// numbered list at the end, sourdough.txt (a blog pasted as plain text) has
// no markers and a bulleted list, walking.md has no reference list. The
// command-line tests of package main use it too.
const sourcesDir = "testdata/sources"

func sourcesOptions(dir string) Options {
	return Options{Dir: dir, Load: loader(os.DirFS(sourcesDir))}
}

// firstHit answers q with one passage and fails when there is none.
func firstHit(t *testing.T, ix *Index, q string) corpus.Hit {
	t.Helper()
	ans := answerBounded(t, ix, q, 1)
	if len(ans.Hits) == 0 {
		t.Fatalf("%q: no answer; suggestions %v", q, ans.Suggestions)
	}
	return ans.Hits[0]
}

func labels(refs []corpus.Reference) []string {
	out := []string{}
	for _, r := range refs {
		out = append(out, r.Label)
	}
	return out
}

func TestArticleSourcesRule(t *testing.T) {
	self := corpus.Reference{Label: "", Text: "Miso soup and the skin", URL: "https://example.org/fixtures/miso"}
	one := corpus.Reference{Label: "1", Text: "Fixture M (2022).", DOI: "10.0000/fixture.2022.7"}
	two := corpus.Reference{Label: "2", Text: "Fixture N (2023)."}
	refs := map[string][]corpus.Reference{"miso": {one, two}}
	for _, tt := range []struct {
		name string
		p    corpus.Passage
		want []string
	}{
		{"own marker: none", corpus.Passage{Slug: "miso", Citations: []corpus.Reference{one}}, []string{}},
		{"own marker beside the article: none", corpus.Passage{Slug: "miso", Citations: []corpus.Reference{self, two}}, []string{}},
		{"only the article itself: the list", corpus.Passage{Slug: "miso", Citations: []corpus.Reference{self}}, []string{"1", "2"}},
		{"no citations at all: the list", corpus.Passage{Slug: "miso"}, []string{"1", "2"}},
		{"article without references: none", corpus.Passage{Slug: "walking", Citations: []corpus.Reference{self}}, []string{}},
		{"article unknown to the index: none", corpus.Passage{Slug: "gone", Citations: []corpus.Reference{self}}, []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := corpus.ArticleSources(tt.p, refs[tt.p.Slug])
			if got == nil {
				t.Fatal("nil; want a list, empty when there is nothing to show")
			}
			if !slices.Equal(labels(got), tt.want) {
				t.Errorf("labels %v, want %v", labels(got), tt.want)
			}
		})
	}
	t.Run("a copy", func(t *testing.T) {
		got := corpus.ArticleSources(corpus.Passage{Slug: "miso"}, refs["miso"])
		got[0].Text = "changed by a caller"
		if refs["miso"][0].Text != one.Text {
			t.Error("changing an answer's article sources changed the index's list")
		}
	})
}

func TestAnswerArticleSources(t *testing.T) {
	ix, _ := openIndex(t, sourcesOptions(""))
	for _, tt := range []struct {
		q, slug, section string
		// own lists the labels the passage cites itself; sources those of
		// the article's sources shown beside it.
		own, sources []string
	}{
		{"what is miso", "miso", "What miso is", []string{""}, []string{"1", "2"}},
		{"invented miso trial dry skin patches", "miso", "An invented miso trial", []string{"1"}, []string{}},
		{"what is a sourdough starter", "sourdough", "What a starter is", []string{""}, []string{"1", "2"}},
		{"slow walk after the evening meal", "walking", "Evening walks", []string{""}, []string{}},
	} {
		t.Run(tt.q, func(t *testing.T) {
			h := firstHit(t, ix, tt.q)
			if h.Passage.Slug != tt.slug || !slices.Contains(h.Passage.Section, tt.section) {
				t.Fatalf("answered from %s %v, want %s %q", h.Passage.Slug, h.Passage.Section, tt.slug, tt.section)
			}
			if got := labels(h.Passage.Citations); !slices.Equal(got, tt.own) {
				t.Errorf("citations %v, want %v", got, tt.own)
			}
			if h.ArticleSources == nil {
				t.Fatal("ArticleSources is nil; Answer must fill it")
			}
			if got := labels(h.ArticleSources); !slices.Equal(got, tt.sources) {
				t.Errorf("article sources %v, want %v", got, tt.sources)
			}
		})
	}
	t.Run("DOI and text kept", func(t *testing.T) {
		h := firstHit(t, ix, "what is miso")
		first := h.ArticleSources[0]
		if first.DOI != "10.0000/fixture.2022.7" || first.URL != "https://doi.org/10.0000/fixture.2022.7" || first.Text == "" {
			t.Errorf("first article source %+v", first)
		}
	})
	t.Run("JSON field", func(t *testing.T) {
		for q, want := range map[string]string{
			"what is miso":                         `"article_sources":[{"label":"1"`,
			"invented miso trial dry skin patches": `"article_sources":[]`,
		} {
			b, err := json.Marshal(firstHit(t, ix, q))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), want) {
				t.Errorf("%q: hit JSON lacks %s:\n%s", q, want, b)
			}
		}
	})
}

// An index opened from disk, without the library it was built from, still
// knows each article's reference list.
func TestArticleSourcesSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	ix, _ := openIndex(t, sourcesOptions(dir))
	ix.Close()
	noLibrary := Options{Dir: dir, Reuse: ReuseAny, Load: func(context.Context) (*corpus.Library, error) {
		return nil, errors.New("the library must not be read: the index on disk answers")
	}}
	reopened, info := openIndex(t, noLibrary)
	if info.Rebuilt {
		t.Fatal("the index was rebuilt, not opened from disk")
	}
	if got := labels(firstHit(t, reopened, "what is miso").ArticleSources); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("article sources after reopening %v, want [1 2]", got)
	}
}

// An index built before articles' references were stored is rebuilt, not
// read as though its articles listed none.
func TestIndexWithoutStoredReferencesIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	ix, _ := openIndex(t, sourcesOptions(dir))
	ix.Close()
	gen := filepath.Join(dir, currentGen(t, dir))
	m, err := readMeta(gen)
	if err != nil {
		t.Fatal(err)
	}
	// Schema 7 stored no references with its articles.
	m.Schema = "gutskin-index-7"
	if err := os.Remove(filepath.Join(gen, metaFile)); err != nil {
		t.Fatal(err)
	}
	if err := writeMeta(gen, m); err != nil {
		t.Fatal(err)
	}
	opts := sourcesOptions(dir)
	opts.Reuse = ReuseAny
	reopened, info := openIndex(t, opts)
	if !info.Rebuilt {
		t.Fatal("an index of the previous schema was opened as it was")
	}
	if got := labels(firstHit(t, reopened, "what is miso").ArticleSources); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("article sources after the rebuild %v, want [1 2]", got)
	}
}

// Passages reads passages by ID for a button that names them, with their
// article's sources, and leaves out IDs the index no longer holds.
func TestPassagesByID(t *testing.T) {
	ix := defaultIndex(t)
	a, err := ix.Answer(context.Background(), "does kefir help acne?", 3)
	if err != nil || len(a.Hits) < 2 {
		t.Fatalf("answer: %v, %d hits", err, len(a.Hits))
	}
	ids := []string{a.Hits[1].Passage.ID, "000000000000", a.Hits[0].Passage.ID}
	hits, err := ix.Passages(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].Passage.ID != ids[0] || hits[1].Passage.ID != ids[2] {
		t.Fatalf("passages %v", hits)
	}
	if hits[0].Passage.Text != a.Hits[1].Passage.Text || hits[0].ArticleSources == nil {
		t.Errorf("passage read back: %+v", hits[0])
	}
}
