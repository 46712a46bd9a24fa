package gaps

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// FuzzTerms checks the fallback term splitter and the grouping on any text:
// terms are lower-cased letter-and-digit words, once each, none a stop word;
// grouping the text's lines, with the fallback or with any other terms,
// neither panics nor loses or invents a question.
func FuzzTerms(f *testing.F) {
	for _, q := range topical {
		f.Add(q.text)
	}
	f.Add(strings.Join([]string{"does coffee cause hair loss?", "can coffee make my hair fall out", "???", "", "skin rash?", "sugar and skin"}, "\n"))
	f.Add("İSTANBUL’S ǅ DŽ ß ﬁ 𝔸 ١٢٣ it’s don't ''' ’’")
	f.Add("\xff\xfe skin\x00gut")
	f.Fuzz(func(t *testing.T, text string) {
		terms := fallbackTerms(text)
		for i, term := range terms {
			if term == "" || isStopWord(term) || slices.Contains(terms[:i], term) {
				t.Fatalf("term %q of %q: empty, a stop word or twice", term, text)
			}
			for _, r := range term {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) || unicode.ToLower(r) != r {
					t.Fatalf("term %q of %q holds %q", term, text, r)
				}
			}
		}

		lines := strings.Split(text, "\n")
		qs := asks(lines...)
		for _, f := range []func(string) []string{nil, strings.Fields, analysed} {
			gaps := groupGaps(qs, f)
			sum := 0
			for i, g := range gaps {
				if g.Count < 1 || i > 0 && g.Count > gaps[i-1].Count {
					t.Fatalf("groups %v: a count out of order", gaps)
				}
				if !slices.Contains(lines, g.Example) {
					t.Fatalf("example %q is none of the questions", g.Example)
				}
				sum += g.Count
			}
			if sum != len(lines) {
				t.Fatalf("groups of %d questions count %d", len(lines), sum)
			}
		}
	})
}
