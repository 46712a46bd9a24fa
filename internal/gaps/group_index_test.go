package gaps

import (
	"slices"
	"testing"

	"gutskin/index"
)

// With the search's own analysis (stemmed, synonyms folded), rewordings
// group together, and questions that share only a condition or a framing
// word ("does X cause acne") stay apart.
func TestGroupingWithTheSearchAnalysis(t *testing.T) {
	terms, err := index.TermsOf()
	if err != nil {
		t.Fatal(err)
	}
	questions := []string{
		"does coffee cause hair loss?", "can coffee make my hair fall out", "is coffee making me lose hair",
		"coffee and hair loss, is there a link?",
		"does chocolate cause acne?", "does whey protein cause acne?", "does sugar cause acne?",
		"does turmeric help eczema?", "does fish oil help eczema?", "does zinc help eczema?",
		"magnesium for better sleep", "does magnesium help sleep?",
	}
	var qs []asked
	for i, q := range questions {
		qs = append(qs, asked{text: q, at: uint64(i)})
	}
	var counts []int
	for _, g := range groupGaps(qs, terms) {
		counts = append(counts, g.Count)
	}
	if want := []int{4, 2, 1, 1, 1, 1, 1, 1}; !slices.Equal(counts, want) {
		t.Errorf("group sizes %v, want %v", counts, want)
		for _, g := range groupGaps(qs, terms) {
			t.Logf("%d× %s", g.Count, g.Example)
		}
	}
}
