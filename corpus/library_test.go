package corpus

import (
	"os"
	"strings"
	"testing"
)

// TestDefaultLibrary holds the shipped articles to the standard every
// article must meet: it loads cleanly, cites its sources and cuts into
// passages of a useful size with clean text.
func TestDefaultLibrary(t *testing.T) {
	lib, err := Load(Default())
	if err != nil {
		t.Fatal(err)
	}
	checkLibrary(t, lib)
	for _, p := range lib.Skipped {
		t.Errorf("skipped: %s", p)
	}
	for _, p := range lib.Warnings {
		t.Errorf("warning: %s", p)
	}
	if len(lib.Articles) < 4 {
		t.Errorf("%d articles, want at least 4", len(lib.Articles))
	}
	for _, a := range lib.Articles {
		if len(a.References) == 0 {
			t.Errorf("%s: no references", a.File)
		}
		for _, r := range a.References {
			if r.Text == "" {
				t.Errorf("%s: empty reference [%s]", a.File, r.Label)
			}
		}
		for _, p := range a.Passages {
			if n := wordCount(p.Text); n < 20 || n > 170 {
				t.Errorf("%s: passage of %d words (want 20–170): %.80q", a.File, n, p.Text)
			}
			// checkLibrary finds leftover superscript markers; I² is a
			// statistic.
			for _, bad := range []string{"[", "]", "**", "^", "`", "](", "\n"} {
				if strings.Contains(p.Text, bad) {
					t.Errorf("%s: passage holds %q: %.80q", a.File, bad, p.Text)
				}
			}
		}
	}
}

// The embedded library is the articles folder, file for file: go:embed
// leaves out names starting with "." or "_", which would silently drop an
// article from the binary.
func TestDefaultLibraryMatchesFolder(t *testing.T) {
	embedded, err := Load(Default())
	if err != nil {
		t.Fatal(err)
	}
	folder, err := Load(os.DirFS("articles"))
	if err != nil {
		t.Fatal(err)
	}
	if embedded.Fingerprint != folder.Fingerprint || len(embedded.Articles) != len(folder.Articles) {
		t.Errorf("embedded library (%d articles) differs from corpus/articles (%d articles)", len(embedded.Articles), len(folder.Articles))
	}
}
