package index

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"

	"gutskin/corpus"
)

// answerFile holds a generation's answerData beside its Bleve index.
const answerFile = "answer.json"

// answerData is what answering needs beyond the Bleve index: word
// statistics, the typo-repair lexicon and the weights of listed questions.
// It is computed once when a generation is built and read whole when it
// opens, so opening parses no passage.
type answerData struct {
	// Docs is how many passages the generation holds.
	Docs uint64 `json:"docs"`
	// DocFreq maps each indexed term to the most passages any one field
	// holds it in.
	DocFreq map[string]uint64 `json:"doc_freq"`
	// Spelling maps the words the library is written with to their terms,
	// for typo repair (see libraryWords).
	Spelling map[string]string `json:"spelling"`
	// ListedIDF weighs the words of listed questions and headings by how
	// rare they are among them; ListedUnknownIDF weighs a word none uses.
	ListedIDF        map[string]float64 `json:"listed_idf"`
	ListedUnknownIDF float64            `json:"listed_unknown_idf"`
}

// rankInfo is what the answer rule needs of a passage to rank it, stored
// with the passage so that a question reads it for the candidates it
// weighs, and the whole passage only for those it shows.
type rankInfo struct {
	Slug    string `json:"a"`
	Section string `json:"s,omitempty"`
	// Chrome marks a call to action or page chrome (corpus.IsCallToAction).
	Chrome bool `json:"c,omitempty"`
	// Listed are the terms of each question the passage's section lists,
	// Heading those of its own heading, analysed with the small words kept.
	Listed  [][]string `json:"q,omitempty"`
	Heading []string   `json:"h,omitempty"`
}

// rankCacheSize bounds how many passages' rankInfo a generation keeps
// decoded: all of a small library, the most asked-about of a large one.
const rankCacheSize = 20000

// rankCache keeps the rankInfo of passages questions have weighed, decoded:
// decoding is a quarter of a question's allocations, and the same passages
// come back question after question. What it holds is never modified.
type rankCache struct {
	mu sync.RWMutex
	m  map[string]rankInfo
}

// decode returns the rankInfo of passage id, stored as raw.
func (c *rankCache) decode(id, raw string) (rankInfo, error) {
	c.mu.RLock()
	r, ok := c.m[id]
	c.mu.RUnlock()
	if ok {
		return r, nil
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, fmt.Errorf("decode passage %s: %w", id, err)
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]rankInfo{}
	}
	if len(c.m) < rankCacheSize {
		c.m[id] = r
	}
	c.mu.Unlock()
	return r, nil
}

// listedTerms analyses listed questions and headings, and counts in how
// many distinct ones each term occurs.
type listedTerms struct {
	analyzer analysis.Analyzer // the index's chain without stop words
	terms    map[string][]string
	df       map[string]int
}

func newListedTerms(a analysis.Analyzer) (*listedTerms, error) {
	noStop, err := withoutStopWords(a)
	if err != nil {
		return nil, err
	}
	return &listedTerms{analyzer: noStop, terms: map[string][]string{}, df: map[string]int{}}, nil
}

// of returns the distinct terms of a listed question or heading, counting
// it the first time it is seen.
func (lt *listedTerms) of(s string) []string {
	if set, seen := lt.terms[s]; seen {
		return set
	}
	set := termSet(lt.analyzer, s)
	lt.terms[s] = set
	for _, t := range set {
		lt.df[t]++
	}
	return set
}

// rank returns a passage's rankInfo.
func (lt *listedTerms) rank(p corpus.Passage) rankInfo {
	r := rankInfo{Slug: p.Slug, Section: joinSection(p.Section), Chrome: corpus.IsCallToAction(p.Text)}
	for _, q := range p.Questions {
		r.Listed = append(r.Listed, lt.of(q))
	}
	if len(p.Section) > 0 {
		r.Heading = lt.of(p.Section[len(p.Section)-1])
	}
	return r
}

// idf returns the weights of the words of listed questions and headings.
func (lt *listedTerms) idf() (map[string]float64, float64) {
	n := float64(len(lt.terms))
	out := make(map[string]float64, len(lt.df))
	for t, d := range lt.df {
		out[t] = math.Log(1 + n/float64(d))
	}
	return out, math.Log(1 + n)
}

// buildAnswerData computes a generation's answerData from its finished
// Bleve index, the words of the library it was built from (libraryWords)
// and its listed questions.
func buildAnswerData(ctx context.Context, bidx bleve.Index, words map[string]string, listed *listedTerms) (answerData, error) {
	docs, err := bidx.DocCount()
	if err != nil {
		return answerData{}, fmt.Errorf("count indexed passages: %w", err)
	}
	d := answerData{Docs: docs, DocFreq: map[string]uint64{}}
	for _, field := range searchedFields {
		if err := ctx.Err(); err != nil {
			return answerData{}, err
		}
		dict, err := bidx.FieldDict(field)
		if err != nil {
			return answerData{}, fmt.Errorf("read %s dictionary: %w", field, err)
		}
		for {
			entry, err := dict.Next()
			if err != nil {
				dict.Close()
				return answerData{}, fmt.Errorf("read %s dictionary: %w", field, err)
			}
			if entry == nil {
				break
			}
			d.DocFreq[entry.Term] = max(d.DocFreq[entry.Term], entry.Count)
		}
		dict.Close()
	}
	d.Spelling = indexedSpellings(words, d.DocFreq)
	d.ListedIDF, d.ListedUnknownIDF = listed.idf()
	return d, nil
}

func writeAnswerData(genDir string, d answerData) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode %s: %w", answerFile, err)
	}
	if err := os.WriteFile(filepath.Join(genDir, answerFile), b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", answerFile, err)
	}
	return nil
}

func readAnswerData(genDir string) (answerData, error) {
	var d answerData
	b, err := os.ReadFile(filepath.Join(genDir, answerFile))
	if err != nil {
		return d, fmt.Errorf("read %s: %w", answerFile, err)
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("decode %s: %w", filepath.Join(genDir, answerFile), err)
	}
	return d, nil
}

// termSet returns the distinct terms a gives s, in order.
func termSet(a analysis.Analyzer, s string) []string {
	var out []string
	for _, t := range analyzeTokens(a, s) {
		if !slices.Contains(out, t) && hasLetterOrDigit(t) {
			out = append(out, t)
		}
	}
	return out
}
