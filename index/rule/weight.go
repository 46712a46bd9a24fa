package rule

import (
	_ "embed"
	"math"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// english.txt lists general English words, most frequent first (see
// english.sh for where it comes from and its licence).
//
//go:embed english.txt
var englishData string

// Word weights come from how common a word is in general English, not in
// the library: in a ten-passage library every word is common, and a word
// the library never uses may still be an everyday one ("dogs", "scam")
// rather than a topic. Chat ("lol", "ngl") is rarer in this list than in
// members' messages; the index drops it as a question word before weighing.
const (
	// commonRank is the frequency rank up to which a word weighs nothing:
	// "the", "new", "time" say nothing about a topic.
	commonRank = 150
	// rareWeight is the weight of a word the English list does not hold:
	// a little more than its rarest word, since what is missing is mostly
	// technical ("kefir", "dysbiosis") or a name.
	rareWeight = 6.5
	// tokenWeight is the weight of a number or a single letter ("4",
	// "2 weeks", "b infantis"): in a question it is rarely the topic.
	tokenWeight = 1.0
)

var englishRanks = sync.OnceValue(func() map[string]int {
	ranks := make(map[string]int, 60000)
	rank := 0
	for _, line := range strings.Split(englishData, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rank++
		if _, dup := ranks[line]; !dup {
			ranks[line] = rank
		}
	}
	return ranks
})

// quantity matches a number, alone or with a short unit or ordinal ending:
// "4", "2.5", "100ml", "10mg", "3x", "2nd", "60s".
var quantity = regexp.MustCompile(`^[0-9][0-9.,]*[a-z]{0,3}$`)

// WordWeight is how much one lowercased word says about what a question
// asks: 0 for the commonest words of English, rising with the logarithm of
// the word's frequency rank, rareWeight for a word rarer than the list
// holds. A code of letters and digits ("hy7714", "igf1", "b12") names a
// thing and counts as rare; a quantity or a single letter hardly counts.
func WordWeight(word string) float64 {
	if utf8.RuneCountInString(word) <= 1 || quantity.MatchString(word) || !strings.ContainsFunc(word, unicode.IsLetter) {
		return tokenWeight
	}
	rank, ok := englishRanks()[word]
	if !ok {
		return rareWeight
	}
	return max(0, math.Log(float64(rank)/commonRank))
}

// PhraseWeight is the weight of a word or phrase as a member typed it
// ("acne", "leaky gut", "break out"): that of its most telling word.
func PhraseWeight(phrase string) float64 {
	best := 0.0
	for _, w := range strings.FieldsFunc(strings.ToLower(phrase), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	}) {
		best = max(best, WordWeight(strings.Trim(w, "'")))
	}
	return best
}
