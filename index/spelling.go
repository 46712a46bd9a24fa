package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"gutskin/corpus"
)

// Typo repair compares what a member typed with the words the library is
// written in, not with stems: "protien" is one swap from "protein", but its
// stem is two edits from protein's, and "dairey" is one edit from "dairy",
// which only exists as a synonym folded into "milk".

// libraryWords maps the words the library is written with, and the words
// of its synonyms, to the term each analyses to, indexed or not (tags are
// not stored, and their words are nearly always in the text). Words too
// short to be reached by a typed word of minTypoLength letters are left
// out. It needs no index, so a build reads them while it indexes.
func libraryWords(ctx context.Context, lib *corpus.Library, a analysis.Analyzer) (map[string]string, error) {
	words, err := surfaceWords(a)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	add := func(text string) {
		for _, w := range analyzeTokens(words, text) {
			if _, seen := out[w]; seen || utf8.RuneCountInString(w) < minTypoTarget || !isWord(w) {
				continue
			}
			out[w] = ""
			if terms := analyzeTokens(a, w); len(terms) == 1 {
				out[w] = terms[0]
			}
		}
	}
	for _, art := range lib.Articles {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		add(art.Title)
		for _, p := range art.Passages {
			add(strings.Join(p.Section, " "))
			add(p.Text)
			add(strings.Join(p.Questions, " "))
		}
	}
	add(strings.ReplaceAll(strings.Join(dataLines(synonymsData), " "), ",", " "))
	return out, nil
}

// indexedSpellings keeps the words whose term the index holds.
func indexedSpellings(words map[string]string, docFreq map[string]uint64) map[string]string {
	out := map[string]string{}
	for w, t := range words {
		if t != "" && docFreq[t] > 0 {
			out[w] = t
		}
	}
	return out
}

// surfaceWords returns the part of the analysis chain a that cuts text into
// lowercased words, before synonyms are folded or anything is stemmed.
func surfaceWords(a analysis.Analyzer) (analysis.Analyzer, error) {
	chain, err := asChain(a)
	if err != nil {
		return nil, err
	}
	cut := slices.IndexFunc(chain.TokenFilters, func(f analysis.TokenFilter) bool {
		_, folds := f.(*synonymFolder)
		return folds
	})
	if cut < 0 {
		return nil, fmt.Errorf("analyzer has no synonym folder")
	}
	return &analysis.DefaultAnalyzer{CharFilters: chain.CharFilters, Tokenizer: chain.Tokenizer, TokenFilters: chain.TokenFilters[:cut]}, nil
}

// isWord reports whether s is letters only.
func isWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}

// minTypoLength is the shortest typed word typo repair touches: at four
// letters one edit already reaches too many other words.
const minTypoLength = 5

// minTypoTarget is the shortest library word a typo is repaired into:
// "skinn" is one edit from "skin".
const minTypoTarget = minTypoLength - 1

// typoDistance is how many edits a word of n letters may be from the word
// it is taken for.
func typoDistance(n int) int {
	if n >= 8 {
		return 2
	}
	return 1
}

// typoFix is a library word a typed word may be a typo of, with the term
// the word is indexed as.
type typoFix struct{ term, word string }

// near returns the library's words closest to an unknown word as typed, one
// per term, for typos such as "eczma", "probiotcs" or "protien". A typo is
// rarely in the first letter, and sticking to it keeps a word from being
// repaired into any word that merely ends alike.
func (v *vocabulary) near(word string) []typoFix {
	n := utf8.RuneCountInString(word)
	if n < minTypoLength || !isWord(word) {
		return nil
	}
	maxDist := typoDistance(n)
	best := maxDist + 1
	terms := map[string]string{} // term → the first of its words at best distance
	first, _ := utf8.DecodeRuneInString(word)
	for w, term := range v.spelling {
		if f, _ := utf8.DecodeRuneInString(w); f != first || abs(utf8.RuneCountInString(w)-n) > maxDist {
			continue
		}
		d := editDistance(word, w, maxDist)
		switch {
		case d > maxDist:
			// editDistance reports maxDist+1 for anything too far, which
			// must not tie with the initial best.
		case d < best:
			best, terms = d, map[string]string{term: w}
		case d == best && (terms[term] == "" || w < terms[term]):
			terms[term] = w
		}
	}
	out := make([]typoFix, 0, len(terms))
	for t, w := range terms {
		out = append(out, typoFix{term: t, word: w})
	}
	slices.SortFunc(out, func(a, b typoFix) int { return strings.Compare(a.term, b.term) })
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the optimal string alignment distance of a and b (the
// Levenshtein distance that also counts swapping two neighbouring letters as
// one edit), or limit+1 when it exceeds limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}
