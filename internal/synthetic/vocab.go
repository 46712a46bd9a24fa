package synthetic

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"gutskin/corpus"
)

// vocabulary is what the generator learns from the built-in articles.
type vocabulary struct {
	// prose is trained on the sentences of the built-in passages.
	prose *model
	// questions is trained on the members' questions of the built-in
	// articles, lowercased.
	questions *model
	// terms are the topic terms (the built-in articles' tags that are
	// plain words), in order of first appearance.
	terms []string
	// termIDs holds the ids of each term's words in the prose model, -1
	// for a word the prose never uses.
	termIDs [][]int32
	// topics is every occurrence in the prose of a content word that also
	// names something in a built-in heading, title or tag ("whey",
	// "chocolate", "permeability"), for drawing section topics by
	// frequency.
	topics []int32
	// long are distinct lowercase content words of seven letters or more,
	// the stuff rare terms are made of.
	long [][]rune
}

var loadVocabulary = sync.OnceValues(func() (*vocabulary, error) {
	lib, err := corpus.Load(corpus.Default())
	if err != nil {
		return nil, err
	}
	return buildVocabulary(lib)
})

// vocab returns the vocabulary, which the embedded articles always give.
func vocab() *vocabulary {
	v, err := loadVocabulary()
	if err != nil {
		panic("synthetic: built-in articles unreadable: " + err.Error())
	}
	return v
}

func buildVocabulary(lib *corpus.Library) (*vocabulary, error) {
	var sentences, questions [][]string
	seen := map[string]bool{}
	seenQ := map[string]bool{}
	var terms []string
	seenTerm := map[string]bool{}
	named := map[string]bool{}
	name := func(s string) {
		for _, w := range tokenize(s) {
			named[strings.ToLower(w)] = true
		}
	}
	for _, a := range lib.Articles {
		name(a.Title)
		for _, t := range a.Tags {
			name(t)
		}
		for _, t := range a.Tags {
			if plainTerm(t) && !seenTerm[strings.ToLower(t)] {
				terms = append(terms, t)
			}
			seenTerm[strings.ToLower(t)] = true
			for _, w := range strings.Fields(t) {
				seenTerm[strings.ToLower(w)] = true
			}
		}
		for _, p := range a.Passages {
			for _, h := range p.Section {
				name(h)
			}
			start := 0
			text := p.Text
			ends := corpus.SentenceEnds(text)
			ends = append(ends, len(text))
			for _, end := range ends {
				s := strings.TrimSpace(text[start:end])
				start = end
				if s == "" || seen[s] {
					continue // list passages repeat their lead-in
				}
				seen[s] = true
				if toks := tokenize(s); len(toks) > 0 {
					sentences = append(sentences, toks)
				}
			}
			for _, q := range p.Questions {
				q = strings.ToLower(q)
				if seenQ[q] {
					continue
				}
				seenQ[q] = true
				if toks := tokenize(q); len(toks) > 0 {
					questions = append(questions, toks)
				}
			}
		}
	}
	if len(sentences) < 50 || len(questions) < 20 || len(terms) < 5 {
		return nil, fmt.Errorf("built-in library too small to learn from: %d sentences, %d questions, %d terms", len(sentences), len(questions), len(terms))
	}
	lowerSentenceStarts(sentences)
	v := &vocabulary{prose: newModel(sentences), questions: newModel(questions), terms: terms}
	for _, t := range terms {
		var ids []int32
		for _, w := range strings.Fields(t) {
			id, ok := v.prose.index[w]
			if !ok {
				id, ok = v.prose.index[strings.ToLower(w)]
			}
			if !ok {
				id = -1
			}
			ids = append(ids, id)
		}
		v.termIDs = append(v.termIDs, ids)
	}
	seenLong := map[string]bool{}
	for _, t := range v.prose.stream {
		if !v.prose.content[t] {
			continue
		}
		w := strings.ToLower(v.prose.words[t])
		// Names ("Stokes") are no topics, unless a tag makes them one.
		_, lowerToo := v.prose.index[w]
		if named[w] && !strings.HasSuffix(w, "-") && (w == v.prose.words[t] || seenTerm[w] && !lowerToo) {
			v.topics = append(v.topics, t)
		}
		if utf8.RuneCountInString(w) >= 7 && !seenLong[w] && allLetters(w) {
			seenLong[w] = true
			v.long = append(v.long, []rune(w))
		}
	}
	if len(v.topics) == 0 || len(v.long) == 0 {
		return nil, fmt.Errorf("built-in library too small to learn from: no topic words")
	}
	return v, nil
}

// lowerSentenceStarts lowercases the capital that only starts a sentence
// ("The", "Kefir") where the word occurs in lowercase elsewhere, so the
// chain can use it mid-sentence. Acronyms and names keep their case.
func lowerSentenceStarts(sentences [][]string) {
	lower := map[string]bool{}
	for _, s := range sentences {
		for _, w := range s[1:] {
			lower[w] = true
		}
	}
	for _, s := range sentences {
		w := s[0]
		if l := strings.ToLower(w); l != w && lower[l] {
			rest := []rune(w)[1:]
			if strings.ToLower(string(rest)) == string(rest) {
				s[0] = l
			}
		}
	}
}

// plainTerm reports whether a tag can stand in generated prose, headings
// and questions as it is: words of letters, digits and hyphens.
func plainTerm(t string) bool {
	if strings.TrimSpace(t) == "" || len(strings.Fields(t)) > 4 {
		return false
	}
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ' ' && r != '-' && r != '–' {
			return false
		}
	}
	return true
}

func allLetters(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// rareTerm returns the rare term of the given rank: a word spliced from
// the start of one long word of the built-in prose and the end of another
// ("microbi" + "ssion"), never a word of the sources, the same for the
// same rank. Drawn by a Zipf law over ranks, rare terms give the library
// the long tail of a real one: the larger it grows, the more distinct
// terms it holds.
func (v *vocabulary) rareTerm(rank uint64) string {
	rng := rand.New(rand.NewPCG(rank, 0x9e3779b97f4a7c15))
	for attempt := 0; ; attempt++ {
		a := v.long[rng.IntN(len(v.long))]
		b := v.long[rng.IntN(len(v.long))]
		head := a[:3+rng.IntN(3)]
		tail := b[len(b)-3-rng.IntN(4):]
		w := string(head) + string(tail)
		if attempt >= 8 {
			w += fmt.Sprintf("%c%c", 'a'+rune(rng.IntN(26)), 'a'+rune(rng.IntN(26)))
		}
		if _, known := v.prose.index[w]; !known && !strings.Contains(w, "--") {
			return w
		}
	}
}
