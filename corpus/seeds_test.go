package corpus

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// seedsDir holds the two real blog articles the plain-text reader was built
// on. It lives beside the repository, so a fresh clone has none.
var seedsDir = filepath.Join("..", "..", "shared", "seeds")

func loadSeeds(t *testing.T) *Library {
	t.Helper()
	return loadCleanFolder(t, seedsDir, "seed articles (a fresh clone has no ../shared)")
}

func seedArticle(t *testing.T, lib *Library, prefix string) Article {
	t.Helper()
	for _, a := range lib.Articles {
		if strings.HasPrefix(a.Slug, prefix) {
			return a
		}
	}
	t.Fatalf("no seed article %s…", prefix)
	return Article{}
}

// citing returns the passages that cite label.
func citing(a Article, label string) []Passage {
	var out []Passage
	for _, p := range a.Passages {
		if slices.Contains(labels(p.Citations), label) {
			out = append(out, p)
		}
	}
	return out
}

func TestSeedSuperscripts(t *testing.T) {
	a := seedArticle(t, loadSeeds(t), "000_")
	if want := "The Gut-Skin Axis: Why Glowing Skin Starts in Your Gut"; a.Title != want {
		t.Errorf("title = %q, want %q", a.Title, want)
	}
	want := []struct{ label, author, year string }{
		{"1", "Salem I", "2018"},
		{"2", "De Pessemier B", "2021"},
		{"3", "Agrawal R, Woodfolk JA", ""},
	}
	if len(a.References) != len(want) {
		t.Fatalf("%d references, want 3: %+v", len(a.References), a.References)
	}
	var cited []string
	for i, w := range want {
		r := a.References[i]
		if r.Label != w.label || !strings.HasPrefix(r.Text, w.author) || !strings.Contains(r.Text, w.year) {
			t.Errorf("reference %d = %+v, want [%s] %s… %s", i, r, w.label, w.author, w.year)
		}
		ps := citing(a, w.label)
		if len(ps) != 1 {
			t.Errorf("marker %s: %d passages cite it, want 1", w.label, len(ps))
			continue
		}
		if got := labels(ps[0].Citations); !slices.Equal(got, []string{w.label}) {
			t.Errorf("the passage with marker %s cites %q", w.label, got)
		}
		if ps[0].Citations[0] != r {
			t.Errorf("citation %+v is not reference %+v", ps[0].Citations[0], r)
		}
		if len(ps[0].Section) != 1 {
			t.Errorf("passage citing %s has section %q", w.label, ps[0].Section)
		}
		cited = append(cited, ps[0].ID)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(cited)))) != len(want) {
		t.Errorf("the three markers are not in three passages: %q", cited)
	}
	for _, p := range a.Passages {
		for _, c := range []string{"READ ", "References:", "Salem I", "Front Microbiol"} {
			if strings.Contains(p.Text, c) {
				t.Errorf("chrome or reference list %q in a passage", c)
			}
		}
		if strings.HasPrefix(p.Text, a.Title) {
			t.Errorf("the title repeats in a passage")
		}
	}
}

func TestSeedAuthorYear(t *testing.T) {
	a := seedArticle(t, loadSeeds(t), "003_")
	if want := "Gut–Skin Axis: Mechanisms, Evidence, and Clinical Implications"; a.Title != want {
		t.Errorf("title = %q, want %q", a.Title, want)
	}
	if a.Published != "2025-10-19" {
		t.Errorf("published = %q, want 2025-10-19", a.Published)
	}
	firstAuthors := []string{"Jiménez-Sánchez", "Mahmud", "Munteanu", "Szántó", "Zhao"}
	if len(a.References) != len(firstAuthors) {
		t.Fatalf("%d references, want 5: %+v", len(a.References), a.References)
	}
	for i, author := range firstAuthors {
		r := a.References[i]
		if !strings.HasPrefix(r.Text, author) || r.DOI == "" || r.URL != "https://doi.org/"+r.DOI || strings.HasSuffix(r.DOI, ".") {
			t.Errorf("reference %d = %+v, want %s… with a bare DOI and its doi.org link", i, r, author)
		}
	}
	if r := a.References[0]; r.DOI != "10.1080/19490976.2025.2473524" || !strings.Contains(r.Text, "(no date)") {
		t.Errorf("Jiménez-Sánchez entry = %+v", r)
	}
	// No numeric markers: the one author–year citation resolves to the
	// Jiménez-Sánchez entry, and no other reference is cited.
	ps := citing(a, "1")
	if len(ps) != 1 {
		t.Fatalf("%d passages cite Jiménez-Sánchez, want 1", len(ps))
	}
	if ps[0].Citations[0] != a.References[0] {
		t.Errorf("citation %+v", ps[0].Citations[0])
	}
	for _, l := range []string{"2", "3", "4", "5"} {
		if n := len(citing(a, l)); n != 0 {
			t.Errorf("%d passages cite reference %s", n, l)
		}
	}
	for _, p := range a.Passages {
		for _, c := range []string{"Jimenez", "et al.", "Share", "Blog Image", "Read Other Blogs", "Blogs and Insights", "•", "Skin & Aging", "October 19"} {
			if strings.Contains(p.Text, c) {
				t.Errorf("%q in a passage", c)
			}
		}
		if len(p.Section) != 1 {
			t.Errorf("passage with section %q", p.Section)
		}
	}
}
