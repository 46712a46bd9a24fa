package corpus

import (
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var (
	rawMarkerRe   = regexp.MustCompile(`\s*\[\^?(\d+(?:\s*[,–-]\s*\d+)*)\]`)
	rawEmphasisRe = regexp.MustCompile(`\*+`)
	rawCommentRe  = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// markerLabels expands the inside of a marker ("1", "5, 6", "1–3").
func markerLabels(inside string) []string {
	var out []string
	for _, part := range strings.Split(inside, ",") {
		part = strings.TrimSpace(part)
		from, to, isRange := strings.Cut(strings.ReplaceAll(part, "–", "-"), "-")
		if !isRange {
			out = append(out, part)
			continue
		}
		a, _ := strconv.Atoi(strings.TrimSpace(from))
		b, _ := strconv.Atoi(strings.TrimSpace(to))
		for n := a; n <= b; n++ {
			out = append(out, strconv.Itoa(n))
		}
	}
	return out
}

// TestDefaultLibraryCitesItsMarkers checks, independently of the reader,
// that every shipped passage cites exactly the references its own numbered
// markers ([1], [^1], [1, 2]) point to: each sentence of the raw Markdown's
// prose is found in a passage, and a passage's citations are the markers of
// the sentences it holds (or the article itself when they hold none).
// Articles that cite author–year are checked by the seed tests instead.
func TestDefaultLibraryCitesItsMarkers(t *testing.T) {
	lib, err := Load(Default())
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, a := range lib.Articles {
		raw, err := fs.ReadFile(Default(), a.File)
		if err != nil {
			t.Fatal(err)
		}
		body := string(raw)
		if !strings.HasSuffix(a.File, ".md") || !rawMarkerRe.MatchString(body) {
			continue
		}
		if i := strings.Index(body, "\n## References"); i >= 0 {
			body = body[:i]
		}
		body = rawCommentRe.ReplaceAllString(body, "")
		// Each marked sentence, cleaned as passages are, with its labels.
		type sentence struct {
			text   string
			labels []string
		}
		var sentences []sentence
		if _, rest, ok := strings.Cut(strings.TrimPrefix(body, "---\n"), "\n---\n"); ok {
			body = rest // front matter is no prose
		}
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, "#") {
				continue // headings are no prose
			}
			line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*0123456789."))
			start := 0
			for _, end := range SentenceEnds(line) {
				s := line[start:end]
				start = end
				var labels []string
				for _, m := range rawMarkerRe.FindAllStringSubmatch(s, -1) {
					for _, l := range markerLabels(m[1]) {
						if !slices.Contains(labels, l) {
							labels = append(labels, l)
						}
					}
				}
				text := strings.TrimSpace(rawEmphasisRe.ReplaceAllString(rawMarkerRe.ReplaceAllString(s, ""), ""))
				if len(text) > 30 {
					sentences = append(sentences, sentence{text, labels})
				}
			}
		}
		for _, p := range a.Passages {
			var want []string
			for _, s := range sentences {
				if strings.Contains(p.Text, s.text) {
					for _, l := range s.labels {
						if !slices.Contains(want, l) {
							want = append(want, l)
						}
					}
				}
			}
			if len(want) == 0 {
				want = []string{""} // the article itself
			}
			got := labels(p.Citations)
			sort.Strings(want)
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: passage cites %q, its markers say %q: %.90q", a.File, got, want, p.Text)
			}
			checked++
		}
		for _, s := range sentences {
			found := slices.ContainsFunc(a.Passages, func(p Passage) bool { return strings.Contains(p.Text, s.text) })
			if !found {
				t.Errorf("%s: sentence in no passage: %.90q", a.File, s.text)
			}
		}
	}
	if checked < 100 {
		t.Errorf("checked %d passages; the check should cover most of the library", checked)
	}
}
