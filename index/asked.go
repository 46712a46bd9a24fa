package index

import (
	"math"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
)

// askedQuestions compares a member's question with the questions articles
// list under each section ("questions:" comments), one listed question at
// a time and with the small words that carry a question's intent: "what
// are polyphenols" is closest to a section that lists "what even are
// polyphenols", not to one that lists "do polyphenols help my skin".
//
// A word the library indexes weighs what it weighs in the search, so a
// question about psoriasis stays closer to sections about psoriasis than
// to one that lists "could rosacea be messing with my gut instead of the
// other way round"; the small words the search drops weigh by how rare they
// are among the listed questions, never more than the library's rarest
// word.
type askedQuestions struct {
	analyzer analysis.Analyzer
	library  *vocabulary
	idf      map[string]float64 // over the listed questions and headings
	// unknownIDF weighs a word neither the library nor a listed question
	// uses.
	unknownIDF float64
}

// termVector is a set of terms weighted by IDF, scaled to unit length.
type termVector map[string]float64

// withoutStopWords returns the analysis chain a minus its stop-word
// filters.
func withoutStopWords(a analysis.Analyzer) (analysis.Analyzer, error) {
	chain, err := asChain(a)
	if err != nil {
		return nil, err
	}
	out := *chain
	out.TokenFilters = nil
	for _, f := range chain.TokenFilters {
		if _, isStop := f.(*stop.StopTokensFilter); !isStop {
			out.TokenFilters = append(out.TokenFilters, f)
		}
	}
	return &out, nil
}

// newAskedQuestions compares questions with the listed questions and
// headings weighed by data; library is the search's vocabulary.
func newAskedQuestions(a analysis.Analyzer, library *vocabulary, data answerData) (*askedQuestions, error) {
	noStop, err := withoutStopWords(a)
	if err != nil {
		return nil, err
	}
	return &askedQuestions{analyzer: noStop, library: library, idf: data.ListedIDF, unknownIDF: data.ListedUnknownIDF}, nil
}

// termSet returns the distinct terms of s.
func (aq *askedQuestions) termSet(s string) []string { return termSet(aq.analyzer, s) }

// weight returns the weight of a term in a vector, and the part it adds to
// the vector's squared length.
func (aq *askedQuestions) weight(t string) (w, square float64) {
	w, ok := aq.idf[t]
	switch {
	case aq.library.docFreq[t] > 0:
		w = aq.library.idf(t)
	case !ok:
		w = aq.unknownIDF
	}
	// The listed questions outnumber the passages, so their rarest small
	// words would outweigh the library's rarest word.
	return min(w, aq.library.maxIDF()), w * w
}

func (aq *askedQuestions) vector(terms []string) termVector {
	v := termVector{}
	var norm float64
	for _, t := range terms {
		w, sq := aq.weight(t)
		v[t] = w
		norm += sq
	}
	if norm == 0 {
		return v
	}
	norm = math.Sqrt(norm)
	for t := range v {
		v[t] /= norm
	}
	return v
}

// similarity returns the cosine similarity of a question's vector with
// the closest of lists, each the terms of a listed question or heading; 0
// when there are none. It weighs each list as vector would, without
// making one: it runs for every candidate of every question.
func (aq *askedQuestions) similarity(q termVector, lists ...[]string) float64 {
	best := 0.0
	for _, l := range lists {
		var dot, norm float64
		for _, t := range l {
			w, sq := aq.weight(t)
			dot += q[t] * w
			norm += sq
		}
		if norm > 0 {
			best = max(best, dot/math.Sqrt(norm))
		}
	}
	return best
}
