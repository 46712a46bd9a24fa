package index

import (
	"fmt"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
)

// analyzerName is gutskin's analysis chain: Bleve's English analyzer
// (unicode tokenizer, possessive, lowercase, English stop words, Porter
// stemmer) followed by synonym folding.
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
		folder := newSynonymFolder(std, synonymsData)
		return &analysis.DefaultAnalyzer{
			CharFilters:  std.CharFilters,
			Tokenizer:    std.Tokenizer,
			TokenFilters: append(append([]analysis.TokenFilter{}, std.TokenFilters...), folder),
		}, nil
	})
})

// synonymFolder rewrites synonyms to their group's canonical term.
type synonymFolder struct {
	single map[string]string
	// exact holds the stems that only short members produce ("AD" → "ad"),
	// with the lengths those members are written with. The stemmer cuts
	// "adding" to "ad" as well, so such a stem folds only a word written
	// as short as a member, not every longer word that stems to it.
	exact   map[string]map[int]bool
	phrases []foldPhrase // longest first
}

// shortMember is the longest member, in bytes, that folds only words of its
// own length.
const shortMember = 3

type foldPhrase struct {
	terms     []string
	canonical string
}

func newSynonymFolder(a analysis.Analyzer, data string) *synonymFolder {
	f := &synonymFolder{single: map[string]string{}, exact: map[string]map[int]bool{}}
	anyLength := map[string]bool{}
	for _, line := range dataLines(data) {
		var members [][]string
		var written []int
		for _, m := range strings.Split(line, ",") {
			if toks := analyzeTokens(a, m); len(toks) > 0 {
				members = append(members, toks)
				written = append(written, len(strings.TrimSpace(m)))
			}
		}
		if len(members) < 2 {
			continue
		}
		canonical := strings.Join(members[0], "_")
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
			f.phrases = append(f.phrases, foldPhrase{terms: m, canonical: canonical})
		}
	}
	// Longest phrases first, so "lactobacillus rhamnosus gg" beats a
	// shorter phrase inside it.
	for i := 1; i < len(f.phrases); i++ {
		for j := i; j > 0 && len(f.phrases[j].terms) > len(f.phrases[j-1].terms); j-- {
			f.phrases[j], f.phrases[j-1] = f.phrases[j-1], f.phrases[j]
		}
	}
	return f
}

// Filter implements analysis.TokenFilter. A folded phrase becomes one token
// spanning the phrase's bytes, so highlights cover the whole phrase.
func (f *synonymFolder) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(input))
	for i := 0; i < len(input); {
		if p, n := f.phraseAt(input, i); n > 0 {
			out = append(out, &analysis.Token{
				Term: []byte(p), Start: input[i].Start, End: input[i+n-1].End,
				Position: input[i].Position, Type: analysis.AlphaNumeric,
			})
			i += n
			continue
		}
		if c, ok := f.single[string(input[i].Term)]; ok && f.foldsWritten(string(input[i].Term), input[i].End-input[i].Start) {
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
func (f *synonymFolder) phraseAt(input analysis.TokenStream, i int) (string, int) {
	for _, p := range f.phrases {
		n := len(p.terms)
		if i+n > len(input) {
			continue
		}
		ok := true
		for j, t := range p.terms {
			tok := input[i+j]
			if string(tok.Term) != t || (j > 0 && tok.Position != input[i+j-1].Position+1) {
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
