package index

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/registry"
)

// analyzerName is gutskin's analysis chain: Bleve's English analyzer
// (unicode tokenizer, possessive, lowercase, English stop words, Porter
// stemmer) with synonym folding after lowercasing, before stop words are
// dropped: members such as "throw up" or "the runs" are only themselves
// with their small words, and folded alone "throw" or "runs" would catch
// every "threw" and "it runs in both directions".
const analyzerName = "gutskin_en"

// Synonyms are folded at analysis time, in the index and in questions
// alike: every member of a group in synonyms.txt becomes the group's first
// member, so "zits", "pimples" and "acne" are one term. Bleve's own synonym
// search handles single words only, scores synonyms at half weight and sums
// every form a passage contains; folding handles phrases ("atopic
// dermatitis"), and a passage that says "acne" and "breakouts" is not
// counted twice.
var registerAnalyzer = sync.OnceValue(func() error {
	return registry.RegisterAnalyzer(analyzerName, func(config map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
		base, err := cache.AnalyzerNamed(en.AnalyzerName)
		if err != nil {
			return nil, fmt.Errorf("english analyzer: %w", err)
		}
		std, ok := base.(*analysis.DefaultAnalyzer)
		if !ok {
			return nil, fmt.Errorf("english analyzer is a %T, not a chain", base)
		}
		lower, err := cache.TokenFilterNamed(lowercase.Name)
		if err != nil {
			return nil, fmt.Errorf("lowercase filter: %w", err)
		}
		stemmer, err := cache.TokenFilterNamed(porter.Name)
		if err != nil {
			return nil, fmt.Errorf("porter stemmer: %w", err)
		}
		// The folder goes right after the lowercase filter.
		cut := slices.Index(std.TokenFilters, lower)
		if cut < 0 {
			return nil, fmt.Errorf("english analyzer has no lowercase filter")
		}
		prefix := &analysis.DefaultAnalyzer{CharFilters: std.CharFilters, Tokenizer: std.Tokenizer, TokenFilters: std.TokenFilters[:cut+1]}
		folder := newSynonymFolder(prefix, stemmer, synonymsData)
		filters := slices.Concat(std.TokenFilters[:cut+1], []analysis.TokenFilter{folder}, std.TokenFilters[cut+1:])
		return &analysis.DefaultAnalyzer{CharFilters: std.CharFilters, Tokenizer: std.Tokenizer, TokenFilters: filters}, nil
	})
})

// asChain returns a as the chain of filters it is, so that parts of it can
// be reused.
func asChain(a analysis.Analyzer) (*analysis.DefaultAnalyzer, error) {
	chain, ok := a.(*analysis.DefaultAnalyzer)
	if !ok {
		return nil, fmt.Errorf("analyzer is a %T, not a chain", a)
	}
	return chain, nil
}

// synonymFolder rewrites synonyms to their group's canonical term. It runs
// on lowercased words and compares their stems, so members match whatever
// their endings; it emits the canonical member's words, which the rest of
// the chain stems like any other word.
type synonymFolder struct {
	stemmer analysis.TokenFilter
	single  map[string]string // stem → canonical
	// exact holds the stems that only short members produce ("AD" → "ad"),
	// with the lengths those members are written with. The stemmer cuts
	// "adding" to "ad" as well, so such a stem folds only a word written
	// as short as a member, not every longer word that stems to it.
	exact map[string]map[int]bool
	// phrases are the multi-word members by the stem of their first word,
	// longest first.
	phrases map[string][]foldPhrase
	// stems caches the stems of words seen, up to maxCachedStems: every
	// word of every passage is stemmed here, and words repeat.
	stems  sync.Map
	cached atomic.Int64
}

// maxCachedStems bounds the stem cache, so that text of endless distinct
// words cannot grow it without end.
const maxCachedStems = 1 << 18

// shortMember is the longest member, in bytes, that folds only words of its
// own length.
const shortMember = 3

type foldPhrase struct {
	stems     []string
	canonical string
}

// newSynonymFolder reads the groups in data; words analyses a member into
// lowercased words, and stemmer stems one.
func newSynonymFolder(words analysis.Analyzer, stemmer analysis.TokenFilter, data string) *synonymFolder {
	f := &synonymFolder{stemmer: stemmer, single: map[string]string{}, exact: map[string]map[int]bool{}, phrases: map[string][]foldPhrase{}}
	anyLength := map[string]bool{}
	for _, line := range dataLines(data) {
		var members [][]string
		var written []int
		canonical := ""
		for _, m := range strings.Split(line, ",") {
			toks := analyzeTokens(words, m)
			if len(toks) == 0 {
				continue
			}
			if canonical == "" {
				canonical = strings.Join(toks, "_")
			}
			for i, t := range toks {
				toks[i] = f.stem(t)
			}
			members = append(members, toks)
			written = append(written, len(strings.TrimSpace(m)))
		}
		if len(members) < 2 {
			continue
		}
		for i, m := range members {
			if len(m) == 1 {
				t := m[0]
				if c, taken := f.single[t]; taken && c != canonical {
					continue
				}
				f.single[t] = canonical
				switch {
				case anyLength[t]:
				case written[i] > shortMember:
					anyLength[t] = true
					delete(f.exact, t)
				default:
					if f.exact[t] == nil {
						f.exact[t] = map[int]bool{}
					}
					f.exact[t][written[i]] = true
				}
				continue
			}
			f.phrases[m[0]] = append(f.phrases[m[0]], foldPhrase{stems: m, canonical: canonical})
		}
	}
	// Longest phrases first, so "lactobacillus rhamnosus gg" beats a
	// shorter phrase inside it.
	for _, ps := range f.phrases {
		slices.SortStableFunc(ps, func(a, b foldPhrase) int { return len(b.stems) - len(a.stems) })
	}
	return f
}

var apostrophes = strings.NewReplacer("’", "'", "‘", "'")

// stem returns the stem of one lowercased word.
func (f *synonymFolder) stem(word string) string {
	if s, ok := f.stems.Load(word); ok {
		return s.(string)
	}
	out := f.stemmer.Filter(analysis.TokenStream{{Term: []byte(word)}})
	s := string(out[0].Term)
	if f.cached.Load() < maxCachedStems {
		if _, loaded := f.stems.LoadOrStore(word, s); !loaded {
			f.cached.Add(1)
		}
	}
	return s
}

// Filter implements analysis.TokenFilter. A folded phrase becomes one token
// spanning the phrase's bytes, so highlights cover the whole phrase.
func (f *synonymFolder) Filter(input analysis.TokenStream) analysis.TokenStream {
	stems := make([]string, len(input))
	for i, t := range input {
		// Phones type "didn’t"; the word lists spell "didn't".
		if bytes.ContainsAny(t.Term, "’‘") {
			t.Term = []byte(apostrophes.Replace(string(t.Term)))
		}
		stems[i] = f.stem(string(t.Term))
	}
	out := make(analysis.TokenStream, 0, len(input))
	for i := 0; i < len(input); {
		if p, n := f.phraseAt(input, stems, i); n > 0 {
			out = append(out, &analysis.Token{
				Term: []byte(p), Start: input[i].Start, End: input[i+n-1].End,
				Position: input[i].Position, Type: analysis.AlphaNumeric,
			})
			i += n
			continue
		}
		if c, ok := f.single[stems[i]]; ok && f.foldsWritten(stems[i], input[i].End-input[i].Start) {
			input[i].Term = []byte(c)
		}
		out = append(out, input[i])
		i++
	}
	return out
}

// foldsWritten reports whether a word of n bytes that stems to term is
// folded: any word for most stems, a word as short as a member for stems
// only short members produce.
func (f *synonymFolder) foldsWritten(term string, n int) bool {
	lengths, short := f.exact[term]
	return !short || lengths[n]
}

// phraseAt returns the canonical term of a phrase starting at input[i] and
// how many tokens it spans, requiring the tokens to be adjacent.
func (f *synonymFolder) phraseAt(input analysis.TokenStream, stems []string, i int) (string, int) {
	for _, p := range f.phrases[stems[i]] {
		n := len(p.stems)
		if i+n > len(input) {
			continue
		}
		ok := true
		for j, t := range p.stems {
			if stems[i+j] != t || (j > 0 && input[i+j].Position != input[i+j-1].Position+1) {
				ok = false
				break
			}
		}
		if ok {
			return p.canonical, n
		}
	}
	return "", 0
}

// TermsOf returns a function that gives a text's words as the search
// matches them: lower-cased, English stop words out, stemmed and synonyms
// folded, so "zits" and "acne" are one term. /gaps uses it to tell that two
// questions ask the same thing.
func TermsOf() (func(text string) []string, error) {
	if err := registerAnalyzer(); err != nil {
		return nil, fmt.Errorf("register the analyzer: %w", err)
	}
	a, err := registry.NewCache().AnalyzerNamed(analyzerName)
	if err != nil {
		return nil, fmt.Errorf("build the analyzer: %w", err)
	}
	return func(text string) []string {
		var out []string
		seen := map[string]bool{}
		for _, tok := range a.Analyze([]byte(text)) {
			if t := string(tok.Term); !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
		return out
	}, nil
}
