package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// loadFiles loads an in-memory library made of the given files.
func loadFiles(t testing.TB, files map[string]string) *Library {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	lib, err := Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return lib
}

// loadOne loads a library holding the single file name and returns its
// article. It fails the test when the file was skipped.
func loadOne(t testing.TB, name, body string) (Article, *Library) {
	t.Helper()
	lib := loadFiles(t, map[string]string{name: body})
	if len(lib.Articles) != 1 {
		t.Fatalf("%s: want 1 article, got %d; skipped %v", name, len(lib.Articles), lib.Skipped)
	}
	return lib.Articles[0], lib
}

// readFixture reads a file of testdata.
func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// md builds a Markdown article with the given front matter title and body.
func md(title, body string) string {
	return "---\ntitle: " + title + "\n---\n" + body
}

// labels returns the labels of a passage's citations.
func labels(refs []Reference) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Label
	}
	return out
}

// passageWith returns the first passage whose text contains s.
func passageWith(t testing.TB, a Article, s string) Passage {
	t.Helper()
	for _, p := range a.Passages {
		if strings.Contains(p.Text, s) {
			return p
		}
	}
	var texts []string
	for _, p := range a.Passages {
		texts = append(texts, p.Text)
	}
	t.Fatalf("%s: no passage contains %q; passages:\n%s", a.File, s, strings.Join(texts, "\n"))
	return Passage{}
}

// hasMarker reports a citation marker left in clean text. A bracketed year
// naming no reference is not a marker, nor is a superscript digit after a
// digit (a power such as 10⁹).
func hasMarker(text string) string {
	if m := footnoteRe.FindString(text); m != "" {
		return m
	}
	for _, m := range bracketNumRe.FindAllStringSubmatch(text, -1) {
		if !yearOnlyRe.MatchString(m[1]) { // "[2019]" that names no reference is a year
			return m[0]
		}
	}
	if m := caretRe.FindString(text); m != "" {
		return m
	}
	for _, m := range superRe.FindAllStringSubmatchIndex(text, -1) {
		before := []rune(text[m[2]:m[3]])
		if len(before) == 1 && (before[0] >= '0' && before[0] <= '9' || before[0] == '×') {
			continue
		}
		if m[4] == m[5] && notationBefore(text, m[6]) {
			continue // m², I²
		}
		return text[m[0]:m[1]]
	}
	return ""
}

// checkLibrary asserts the invariants every load must keep, whatever its
// input: unique IDs, clean text, citations that exist, one-line problems.
func checkLibrary(t testing.TB, lib *Library) {
	t.Helper()
	ids := map[string]bool{}
	slugs := map[string]bool{}
	for _, a := range lib.Articles {
		if slugs[a.Slug] {
			t.Errorf("slug %q loaded twice", a.Slug)
		}
		slugs[a.Slug] = true
		if strings.TrimSpace(a.Title) == "" {
			t.Errorf("%s: loaded with an empty title", a.File)
		}
		if len(a.Passages) == 0 {
			t.Errorf("%s: loaded with no passages", a.File)
		}
		if a.References == nil || a.Tags == nil {
			t.Errorf("%s: nil references or tags (JSON null)", a.File)
		}
		refs := map[string]Reference{}
		for _, r := range a.References {
			if _, dup := refs[r.Label]; dup {
				t.Errorf("%s: reference label %q twice", a.File, r.Label)
			}
			refs[r.Label] = r
			if r.Label == "" {
				t.Errorf("%s: reference with an empty label: %+v", a.File, r)
			}
			if r.DOI != "" && (strings.HasPrefix(r.DOI, "http") || strings.HasSuffix(r.DOI, ".")) {
				t.Errorf("%s: DOI %q is not bare", a.File, r.DOI)
			}
			if r.DOI != "" && r.URL == "" {
				t.Errorf("%s: reference with DOI %q has no URL", a.File, r.DOI)
			}
		}
		for _, p := range a.Passages {
			if ids[p.ID] {
				t.Errorf("%s: passage ID %s twice", a.File, p.ID)
			}
			ids[p.ID] = true
			if p.Slug != a.Slug || p.Article != a.ArticleInfo {
				t.Errorf("%s: passage %s has slug %q / article %+v", a.File, p.ID, p.Slug, p.Article)
			}
			if p.Section == nil {
				t.Errorf("%s: passage %s has a nil section", a.File, p.ID)
			}
			if strings.TrimSpace(p.Text) == "" || p.Text != strings.TrimSpace(p.Text) {
				t.Errorf("%s: passage %s text %q is empty or untrimmed", a.File, p.ID, p.Text)
			}
			if strings.Contains(p.Text, "\n") {
				t.Errorf("%s: passage %s text holds a newline: %q", a.File, p.ID, p.Text)
			}
			if m := hasMarker(p.Text); m != "" {
				t.Errorf("%s: passage %s keeps marker %q: %q", a.File, p.ID, m, p.Text)
			}
			if len(p.Citations) == 0 {
				t.Errorf("%s: passage %s has no citations", a.File, p.ID)
			}
			for _, c := range p.Citations {
				if c.Label == "" {
					if c.Text != a.Title || c.URL != a.Source || len(p.Citations) != 1 {
						t.Errorf("%s: passage %s: self-citation %+v, want title %q source %q alone", a.File, p.ID, c, a.Title, a.Source)
					}
					continue
				}
				if r, ok := refs[c.Label]; !ok || r != c {
					t.Errorf("%s: passage %s cites %+v, not among its references", a.File, p.ID, c)
				}
			}
		}
	}
	for _, list := range [][]Problem{lib.Skipped, lib.Warnings} {
		for _, p := range list {
			if p.File == "" || p.Reason == "" || strings.ContainsAny(p.String(), "\n\r") {
				t.Errorf("problem is not one line naming a file: %q", p.String())
			}
		}
	}
}

// loadCleanFolder loads the library in dir, skipping the test when dir is
// absent (why says what it is), and fails on any skipped file or warning.
func loadCleanFolder(t *testing.T, dir, why string) *Library {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no %s at %s: %v", why, dir, err)
	}
	lib, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	checkLibrary(t, lib)
	if len(lib.Skipped) > 0 || len(lib.Warnings) > 0 {
		t.Errorf("skipped %v, warnings %v", lib.Skipped, lib.Warnings)
	}
	return lib
}
