package index

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"

	"gutskin/corpus"
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
	idf      map[string]float64 // over the listed questions
	// unknownIDF weighs a word neither the library nor a listed question
	// uses.
	unknownIDF float64
	byPassage  map[string][]termVector // the questions a passage's section lists
	headings   map[string]termVector   // a passage's own heading
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

// storedPassages reads every passage back from the index.
func storedPassages(bidx bleve.Index, docs uint64) (map[string]corpus.Passage, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), int(docs), 0, false)
	req.Fields = []string{fieldDoc}
	res, err := bidx.Search(req)
	if err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	out := make(map[string]corpus.Passage, len(res.Hits))
	for _, h := range res.Hits {
		raw, _ := h.Fields[fieldDoc].(string)
		var p corpus.Passage
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return nil, fmt.Errorf("decode passage %s: %w", h.ID, err)
		}
		out[h.ID] = p
	}
	return out, nil
}

// newAskedQuestions gathers every passage's listed questions; library is
// the search's vocabulary.
func newAskedQuestions(passages map[string]corpus.Passage, a analysis.Analyzer, library *vocabulary) (*askedQuestions, error) {
	noStop, err := withoutStopWords(a)
	if err != nil {
		return nil, err
	}
	aq := &askedQuestions{analyzer: noStop, library: library, idf: map[string]float64{}, byPassage: map[string][]termVector{}, headings: map[string]termVector{}}
	terms := map[string][]string{} // listed question or heading → its terms
	df := map[string]int{}
	for _, p := range passages {
		for _, q := range append(slices.Clone(p.Questions), heading(p)...) {
			if _, seen := terms[q]; seen {
				continue
			}
			set := aq.termSet(q)
			terms[q] = set
			for _, t := range set {
				df[t]++
			}
		}
	}
	n := float64(len(terms))
	for t, d := range df {
		aq.idf[t] = math.Log(1 + n/float64(d))
	}
	aq.unknownIDF = math.Log(1 + n)
	for id, p := range passages {
		for _, q := range p.Questions {
			aq.byPassage[id] = append(aq.byPassage[id], aq.vector(terms[q]))
		}
		for _, h := range heading(p) {
			aq.headings[id] = aq.vector(terms[h])
		}
	}
	return aq, nil
}

// heading returns a passage's own heading, which often is a question ("Does
// kefir help acne?") and is all a plain article has: none or one.
func heading(p corpus.Passage) []string {
	if len(p.Section) == 0 {
		return nil
	}
	return p.Section[len(p.Section)-1:]
}

// termSet returns the distinct terms of s.
func (aq *askedQuestions) termSet(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range analyzeTokens(aq.analyzer, s) {
		if !seen[t] && hasLetterOrDigit(t) {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func (aq *askedQuestions) vector(terms []string) termVector {
	v := termVector{}
	var norm float64
	for _, t := range terms {
		w, ok := aq.idf[t]
		switch {
		case aq.library.docFreq[t] > 0:
			w = aq.library.idf(t)
		case !ok:
			w = aq.unknownIDF
		}
		// The listed questions outnumber the passages, so their rarest
		// small words would outweigh the library's rarest word.
		v[t] = min(w, aq.library.maxIDF())
		norm += w * w
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

// similarity returns, for a question's vector, the cosine similarity of
// the closest question listed for the passage; 0 when it lists none.
func (aq *askedQuestions) similarity(q termVector, passageID string) float64 {
	best := 0.0
	for _, v := range aq.byPassage[passageID] {
		best = max(best, q.cosine(v))
	}
	return best
}

// headingSimilarity returns, for a question's vector, the cosine similarity
// of the passage's own heading; 0 when it has none.
func (aq *askedQuestions) headingSimilarity(q termVector, passageID string) float64 {
	return q.cosine(aq.headings[passageID])
}

// cosine is the cosine similarity of two unit vectors.
func (v termVector) cosine(w termVector) float64 {
	var dot float64
	for t, x := range v {
		dot += x * w[t]
	}
	return dot
}
