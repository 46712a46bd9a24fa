package synthetic

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token ids 0 and 1 are reserved in every model: the sentence boundary and
// the comma.
const (
	boundary int32 = 0
	comma    int32 = 1
)

// maxShared is the longest run of tokens (words and the sentence
// boundaries; commas do not count) that a generated sentence may share
// with a source sentence. Every window of maxShared+1 tokens of the
// sources is remembered and never generated again, so no sentence, and no
// run longer than this, is copied.
const maxShared = 5

// model is an order-2 Markov chain over the tokens of a set of sentences,
// backing off to order 1, with the source windows it must not reproduce.
type model struct {
	words []string         // token text by id
	index map[string]int32 // id by token text
	ctx2  map[uint64][]int32
	ctx1  [][]int32
	// stream is every token of the sources in order, for draws by
	// frequency.
	stream []int32
	// grams holds the hashes of every source window of maxShared+1 tokens
	// and of every whole source sentence with its boundaries, commas left
	// out.
	grams map[uint64]struct{}
	// content marks tokens that carry meaning: no stop word, at least four
	// letters long, starting with a letter.
	content []bool
	// endable marks tokens a sentence may end on: content words and those
	// that end a source sentence, but no "the", "of" or "H" (of "H.
	// pylori").
	endable []bool
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// hashTokens is FNV-1a over token ids, good enough to tell windows apart.
func hashTokens(t []int32) uint64 {
	h := uint64(14695981039346656037)
	for _, x := range t {
		v := uint32(x)
		for i := 0; i < 4; i++ {
			h ^= uint64(byte(v >> (8 * i)))
			h *= 1099511628211
		}
	}
	return h
}

// newModel trains a model on sentences already cut into tokens ("," for a
// comma). Its ids, and so everything generated from it, depend only on
// the order of the sentences.
func newModel(sentences [][]string) *model {
	m := &model{
		words: []string{"", ","},
		index: map[string]int32{"": boundary, ",": comma},
		ctx2:  map[uint64][]int32{},
		grams: map[uint64]struct{}{},
	}
	id := func(w string) int32 {
		if i, ok := m.index[w]; ok {
			return i
		}
		i := int32(len(m.words))
		m.words = append(m.words, w)
		m.index[w] = i
		return i
	}
	seq := make([]int32, 0, 64)
	var words []int32
	for _, s := range sentences {
		if len(s) == 0 {
			continue
		}
		seq = append(seq[:0], boundary)
		for _, w := range s {
			seq = append(seq, id(w))
		}
		seq = append(seq, boundary)
		for len(m.ctx1) < len(m.words) {
			m.ctx1 = append(m.ctx1, nil)
		}
		// Order-2 contexts start from a doubled boundary.
		prev2, prev1 := boundary, boundary
		for _, t := range seq[1:] {
			k := pairKey(prev2, prev1)
			m.ctx2[k] = append(m.ctx2[k], t)
			m.ctx1[prev1] = append(m.ctx1[prev1], t)
			prev2, prev1 = prev1, t
		}
		m.stream = append(m.stream, seq[1:len(seq)-1]...)
		// Windows skip commas, which a copy might add or drop.
		words = words[:0]
		for _, t := range seq {
			if t != comma {
				words = append(words, t)
			}
		}
		for i := 0; i+maxShared+1 <= len(words); i++ {
			m.grams[hashTokens(words[i:i+maxShared+1])] = struct{}{}
		}
		m.grams[hashTokens(words)] = struct{}{}
	}
	m.content = make([]bool, len(m.words))
	m.endable = make([]bool, len(m.words))
	for i, w := range m.words {
		r, _ := utf8.DecodeRuneInString(w)
		m.content[i] = i > int(comma) && !stopWords[strings.ToLower(w)] && utf8.RuneCountInString(w) >= 4 && unicode.IsLetter(r)
		m.endable[i] = m.content[i]
		if i > int(comma) && utf8.RuneCountInString(w) > 1 && !neverEnds[strings.ToLower(w)] {
			for _, next := range m.ctx1[i] {
				if next == boundary {
					m.endable[i] = true
					break
				}
			}
		}
	}
	return m
}

// tokenize cuts one sentence of prose into tokens the generator can use
// safely: words of letters, digits and a few joiners, and commas. Anything
// Markdown or the citation reader could take for syntax (brackets,
// asterisks, underscores, colons, quotes, sentence punctuation) is left
// out, and so are words holding it.
func tokenize(sentence string) []string {
	var out []string
	for _, f := range strings.Fields(sentence) {
		core := strings.TrimLeft(f, "(\"'“‘[*_")
		trailComma := false
		for core != "" {
			r, size := utf8.DecodeLastRuneInString(core)
			if !strings.ContainsRune(".,;:!?)]\"'”’*_…", r) {
				break
			}
			if r == ',' || r == ';' {
				trailComma = true
			}
			core = core[:len(core)-size]
		}
		if validToken(core) {
			out = append(out, core)
			if trailComma {
				out = append(out, ",")
			}
		}
	}
	for len(out) > 0 && out[0] == "," {
		out = out[1:]
	}
	for len(out) > 0 && out[len(out)-1] == "," {
		out = out[:len(out)-1]
	}
	return out
}

// validToken reports whether w can stand in generated prose as it is.
func validToken(w string) bool {
	if w == "" || len(w) > 40 || !utf8.ValidString(w) {
		return false
	}
	first, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsLetter(first) && !unicode.IsDigit(first) {
		return false
	}
	rs := []rune(w)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case r == '.':
			// Only inside a number ("1.5"): anywhere else it reads as an
			// abbreviation or a sentence end.
			if i == 0 || i == len(rs)-1 || !unicode.IsDigit(rs[i-1]) || !unicode.IsDigit(rs[i+1]) {
				return false
			}
		case strings.ContainsRune("-–'’%/+×≥≤−", r):
			if r == '-' && i > 0 && rs[i-1] == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// sentenceSpec says what one generated sentence must be.
type sentenceSpec struct {
	// prefix tokens start the sentence; negative ids are extras.
	prefix []int32
	// minWords and maxWords bound the sentence's words; a sentence ends by
	// itself between them where the chain ends it, and is ended at
	// maxWords.
	minWords, maxWords int
	// letterFirst requires the first token to start with a letter.
	letterFirst bool
}

// minTail is the fewest words a sentence has unless it must fit a
// smaller room.
const minTail = 6

// sentenceWriter generates sentences from a model.
type sentenceWriter struct {
	m   *model
	rng *rand.Rand
	// extraWords counts the words of each extra (negative id) token.
	extraWords func(id int32) int
	// fallback returns an extra token that no source holds, for when the
	// chain offers nothing usable.
	fallback func() int32
	toks     []int32
	hashBuf  []int32
}

// sentence generates one sentence into w.toks and returns its words.
func (w *sentenceWriter) sentence(spec sentenceSpec) int {
	w.toks = append(w.toks[:0], spec.prefix...)
	words := 0
	for _, t := range spec.prefix {
		words += w.wordsOf(t)
	}
	endOK := func(n int) bool { return n >= spec.minWords && n <= spec.maxWords }
	for {
		if words >= spec.maxWords {
			// The word that filled the sentence was accepted only if
			// ending here copies nothing.
			return words
		}
		next, ok := w.next(words, spec, endOK)
		if !ok {
			// Nothing in the chain fits: a word no source holds.
			next = w.fallback()
		}
		if next == boundary {
			return words
		}
		w.toks = append(w.toks, next)
		words += w.wordsOf(next)
	}
}

func (w *sentenceWriter) wordsOf(t int32) int {
	switch {
	case t == comma:
		return 0
	case t < 0:
		return w.extraWords(t)
	}
	return 1
}

// next draws the following token: from the order-2 context, then the
// order-1 context, then anywhere in the sources.
func (w *sentenceWriter) next(words int, spec sentenceSpec, endOK func(int) bool) (int32, bool) {
	var p1, p2 int32 = boundary, boundary
	if n := len(w.toks); n > 0 {
		p1 = w.toks[n-1]
		if n > 1 {
			p2 = w.toks[n-2]
		}
	}
	try := func(list []int32, tries int) (int32, bool) {
		if len(list) == 0 {
			return 0, false
		}
		for range tries {
			c := list[w.rng.IntN(len(list))]
			if w.accepts(c, words, spec, endOK) {
				return c, true
			}
		}
		return 0, false
	}
	if p1 >= 0 && p2 >= 0 {
		if c, ok := try(w.m.ctx2[pairKey(p2, p1)], 6); ok {
			return c, true
		}
	}
	if p1 >= 0 {
		if c, ok := try(w.m.ctx1[p1], 6); ok {
			return c, true
		}
	}
	if w.accepts(boundary, words, spec, endOK) {
		return boundary, true
	}
	return try(w.m.stream, 12)
}

// accepts reports whether c may follow the sentence so far.
func (w *sentenceWriter) accepts(c int32, words int, spec sentenceSpec, endOK func(int) bool) bool {
	n := len(w.toks)
	last := boundary
	if n > 0 {
		last = w.toks[n-1]
	}
	switch c {
	case boundary:
		return words > 0 && (last < 0 || w.m.endable[last]) && endOK(words) && !w.copies(c, true)
	case comma:
		return words > 0 && last != comma && words < spec.maxWords-1
	}
	if n == 0 && spec.letterFirst {
		r, _ := utf8.DecodeRuneInString(w.m.words[c])
		if !unicode.IsLetter(r) {
			return false
		}
	}
	if words+1 > spec.maxWords || w.copies(c, false) {
		return false
	}
	if words+1 == spec.maxWords {
		// The sentence will end after c: c must be a word to end on, and
		// the end must be new too.
		if !w.m.endable[c] {
			return false
		}
		w.toks = append(w.toks, c)
		bad := w.copies(boundary, true)
		w.toks = w.toks[:n]
		return !bad
	}
	return true
}

// wordsToHash sets hashBuf to a sentence start and the sentence's tokens
// without its commas.
func (w *sentenceWriter) wordsToHash() {
	w.hashBuf = append(w.hashBuf[:0], boundary)
	for _, t := range w.toks {
		if t != comma {
			w.hashBuf = append(w.hashBuf, t)
		}
	}
}

// copies reports whether appending c would repeat a source window, or,
// when c ends the sentence, a whole source sentence.
func (w *sentenceWriter) copies(c int32, end bool) bool {
	w.wordsToHash()
	w.hashBuf = append(w.hashBuf, c)
	if end {
		if _, ok := w.m.grams[hashTokens(w.hashBuf)]; ok {
			return true
		}
	}
	if len(w.hashBuf) < maxShared+1 {
		return false
	}
	_, ok := w.m.grams[hashTokens(w.hashBuf[len(w.hashBuf)-maxShared-1:])]
	return ok
}

// stopWords are the function words and the everyday verbs and adverbs a
// topic never hangs on, four letters or longer (shorter words are never
// content).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`about above across actually after again against almost along
		also although always among another anyone anything around aside away because been before
		behind being below beside besides between beyond both cannot could does doesn't doing done
		down during each either else enough especially even ever every everyone everything exactly
		fewer first from further given gives going gone good great have having here hers herself
		himself however into itself just keep kept know known least less like likely little made
		make makes many matter matters maybe mean means might more most much must myself near
		nearly neither never next none nothing often once only onto other others ought ours
		ourselves over perhaps quite rather really same second seem seems seen several shall
		should show shows shown since some someone something sometimes still such sure take taken
		tell than that that's their theirs them themselves then there these they they're thing
		things this those though through thus together too toward towards under unless until upon
		used using very want ways well were what what's whatever when where whether which while
		whom whose will with within without would yet your yours yourself instead else give
		gave look looks real mixed link linked proof idea clear cause causes changes problems
		measure young help helps went come comes came says said tbh ngl whats isn't don't can't
		won't it's there's found small people adding starting stopping changing explain
		uncertain prevent counts worried alongside results talk`) {
		m[w] = true
	}
	return m
}()

// neverEnds are words no sentence ends on, even where a source sentence
// was cut short before them.
var neverEnds = map[string]bool{"the": true, "a": true, "an": true, "of": true, "to": true, "and": true,
	"or": true, "in": true, "on": true, "for": true, "with": true, "by": true, "as": true, "at": true,
	"from": true, "than": true, "that": true, "which": true, "who": true, "is": true, "are": true,
	"was": true, "were": true, "be": true, "but": true, "if": true, "its": true, "their": true, "your": true,
	"my": true, "whether": true, "because": true, "into": true, "about": true, "between": true,
	"such": true, "this": true, "these": true, "those": true, "can": true, "may": true, "not": true}

// copiesAnywhere reports whether the finished sentence in w.toks repeats a
// source window anywhere, or a whole source sentence.
func (w *sentenceWriter) copiesAnywhere() bool {
	w.wordsToHash()
	w.hashBuf = append(w.hashBuf, boundary)
	if _, ok := w.m.grams[hashTokens(w.hashBuf)]; ok {
		return true
	}
	for i := 0; i+maxShared+1 <= len(w.hashBuf); i++ {
		if _, ok := w.m.grams[hashTokens(w.hashBuf[i:i+maxShared+1])]; ok {
			return true
		}
	}
	return false
}
