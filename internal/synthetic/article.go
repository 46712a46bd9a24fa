package synthetic

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Random streams: each article draws its plan and its prose from streams of
// its own, so an article is the same whatever the size of the library (but
// the last one, cut to fit) and its plan can be redrawn without its prose.
const (
	streamPlan uint64 = iota + 1
	streamProse
	streamReference
	streamQuestion
)

// newRNG returns the random source for one stream of one item of a seed.
func newRNG(seed int64, item int, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), splitmix(uint64(item)<<8|stream)))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Article shape.
const (
	// minArticle and maxArticle bound an article's passages (the last
	// article of a library may be smaller, or larger by up to
	// minLastArticle-1).
	minArticle     = 7
	maxArticle     = 13
	minLastArticle = 5
	// maxRefs bounds the references of one article.
	maxRefs = 9
	// refPool is how many distinct references the libraries of a seed
	// draw on; popular ones are cited by many articles.
	refPool = 100000
	// rareRanks bounds the ranks of rare terms.
	rareRanks = 1 << 20
)

// articlePlan is an article's outline: everything but its prose.
type articlePlan struct {
	index     int
	title     string
	author    string
	published string
	tags      []string
	// keys are the article's main topics: its first two tags.
	keys     []string
	sections []sectionPlan
	passages int
}

// sectionPlan is one "##" section: its paragraphs, then a list if items >
// 0, each paragraph and each list item making one passage.
type sectionPlan struct {
	heading   string
	term      string
	termIDs   []int32
	questions bool
	paras     int
	items     int
}

// planArticle draws the outline of article i. budget is how many
// passages the library still needs; 0 means no limit.
func (v *vocabulary) planArticle(seed int64, i, budget int) articlePlan {
	rng := newRNG(seed, i, streamPlan)
	k := minArticle + rng.IntN(maxArticle-minArticle+1)
	if budget > 0 && (budget < k || budget-k < minLastArticle) {
		k = budget
	}
	p := articlePlan{index: i, passages: k}
	p.author = "synthetic contributor " + strconv.Itoa(1+rng.IntN(40))
	day := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(11*365))
	if rng.IntN(10) == 0 {
		p.published = day.Format("2006")
	} else {
		p.published = day.Format("2006-01-02")
	}
	ntags := 3 + rng.IntN(4)
	var tagIdx []int
	for len(tagIdx) < ntags {
		t := rng.IntN(len(v.terms))
		dup := false
		for _, have := range tagIdx {
			dup = dup || have == t
		}
		if !dup {
			tagIdx = append(tagIdx, t)
		}
	}
	for _, t := range tagIdx {
		p.tags = append(p.tags, v.terms[t])
	}
	p.keys = p.tags[:2]
	p.title = fill(titleTemplates[rng.IntN(len(titleTemplates))], p.keys[0], p.keys[1])

	headings := map[string]bool{}
	for left := k; left > 0; {
		s := sectionPlan{questions: rng.IntN(3) == 0}
		switch x := rng.IntN(100); {
		case x < 68:
			s.paras = 1
		case x < 86:
			s.paras = 2
		case x < 94:
			s.items = 3 + rng.IntN(3)
		default:
			s.paras, s.items = 1, 3+rng.IntN(3)
		}
		if s.paras+s.items > left {
			switch {
			case left < 3:
				s.paras, s.items = left, 0
			case s.items == 0:
				s.paras = left
			default:
				s.items = left - s.paras
				if s.items < 3 {
					s.paras, s.items = 0, left
				}
			}
		}
		left -= s.paras + s.items
		// The section is about one of the article's tags or about a
		// word of the domain, drawn by frequency.
		for attempt := 0; ; attempt++ {
			if rng.IntN(2) == 0 {
				t := tagIdx[rng.IntN(len(tagIdx))]
				s.term, s.termIDs = v.terms[t], v.termIDs[t]
			} else {
				id := v.topics[rng.IntN(len(v.topics))]
				s.term, s.termIDs = v.prose.words[id], []int32{id}
			}
			// The heading pairs the term with a main topic, not with
			// itself.
			pick := rng.IntN(2)
			other := p.keys[pick]
			if strings.EqualFold(other, s.term) {
				other = p.keys[1-pick]
			}
			s.heading = fill(headingTemplates[rng.IntN(len(headingTemplates))], s.term, other)
			if attempt >= 20 {
				s.heading += " (" + strconv.Itoa(len(p.sections)+1) + ")"
			}
			if !headings[strings.ToLower(s.heading)] && !strings.EqualFold(s.heading, p.title) {
				break
			}
		}
		headings[strings.ToLower(s.heading)] = true
		p.sections = append(p.sections, s)
	}
	return p
}

var titleTemplates = []string{
	"{A} and {b}: what the research shows",
	"{A}, {b} and your skin",
	"Does {a} affect {b}?",
	"What we know about {a} and {b}",
	"{A} and {b}: the evidence so far",
	"A guide to {a} and {b}",
	"{A} and {b} through the gut–skin axis",
	"Can {a} change {b}? What the studies say",
}

var headingTemplates = []string{
	"Does {a} help {b}?",
	"{A} and {b}",
	"What the {a} studies found",
	"How {a} relates to {b}",
	"{A}: what we know",
	"Is {a} linked to {b}?",
	"Why {a} matters for {b}",
	"The {a} trial",
	"{A} and {b}: the evidence",
	"When {a} is not enough",
	"{A} in people with {b}",
	"What {a} does not show",
	"Should you try {a}?",
	"{A} versus {b}",
}

// fill puts a and b into a template: {a} as it is, {A} with a capital.
func fill(tmpl, a, b string) string {
	r := strings.NewReplacer("{a}", a, "{A}", capitalize(a), "{b}", b, "{B}", capitalize(b))
	return r.Replace(tmpl)
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// writer renders articles; one is used for one library at a time.
type writer struct {
	v    *vocabulary
	seed int64
	buf  bytes.Buffer
	sw   sentenceWriter
	// extras are the words of the current article that are no token of
	// the prose model (multi-word terms, rare terms); token id -1-i is
	// extras[i].
	extras extras
	// used maps an article's reference labels (index+1) to pool ids.
	used    []int
	termBuf []int32
	rng     *rand.Rand
	zipf    *rand.Zipf
	refZ    *rand.Zipf
}

func newWriter(v *vocabulary, seed int64) *writer {
	w := &writer{v: v, seed: seed}
	w.sw = sentenceWriter{
		m: v.prose,
		extraWords: func(id int32) int {
			return len(strings.Fields(w.extras[-id-1]))
		},
		fallback: func() int32 { return w.extras.add(v.rareTerm(w.zipf.Uint64())) },
	}
	return w
}

// extras are the words a sentence uses that are no token of its model:
// token -1 is extras[0], -2 extras[1], and so on.
type extras []string

// add appends s and returns its token.
func (e *extras) add(s string) int32 {
	*e = append(*e, s)
	return int32(-len(*e))
}

// writeTokens writes toks, words of words or of e: spaced, commas glued to
// the word before, the first letter capitalized if asked.
func (e extras) writeTokens(b interface {
	WriteString(string) (int, error)
	WriteByte(byte) error
}, toks []int32, words []string, capital bool) {
	for i, t := range toks {
		s := ""
		if t < 0 {
			s = e[-t-1]
		} else {
			s = words[t]
		}
		if t != comma && i > 0 {
			b.WriteByte(' ')
		}
		if i == 0 && capital {
			s = capitalize(s)
		}
		b.WriteString(s)
	}
}

// fileName is where the article p outlines is stored: its number, so
// names are unique and sort in generation order, then a slug of its main
// topics.
func fileName(p articlePlan) string {
	return fmt.Sprintf("a%06d-%s.md", p.index, slugify(p.keys[0]+" "+p.keys[1]))
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// article renders the article p outlines and returns its bytes, which
// stay valid until the next call.
func (w *writer) article(p articlePlan) []byte {
	w.buf.Reset()
	w.extras = w.extras[:0]
	w.used = w.used[:0]
	w.rng = newRNG(w.seed, p.index, streamProse)
	w.sw.rng = w.rng
	w.zipf = rand.NewZipf(w.rng, 1.4, 10, rareRanks-1)
	w.refZ = rand.NewZipf(w.rng, 1.2, 10, refPool-1)

	b := &w.buf
	b.WriteString("---\ntitle: ")
	b.WriteString(yamlQuote(p.title))
	b.WriteString("\nauthor: ")
	b.WriteString(p.author)
	b.WriteString("\npublished: ")
	b.WriteString(p.published)
	b.WriteString("\ntags: [")
	for i, t := range p.tags {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(yamlQuote(t))
	}
	b.WriteString("]\n---\n")
	// Every block starts with the blank line that sets it off.
	for _, s := range p.sections {
		b.WriteString("\n## ")
		b.WriteString(s.heading)
		b.WriteString("\n")
		if s.questions {
			b.WriteString("\n<!-- questions:\n")
			n := 2 + w.rng.IntN(3)
			var asked []string
			for try := 0; len(asked) < n && try < 50; try++ {
				q := w.v.memberQuestion(w.rng, s.term, p.keys, s.heading)
				dup := false
				for _, a := range asked {
					dup = dup || strings.TrimRight(a, "?") == strings.TrimRight(q, "?")
				}
				if !dup {
					asked = append(asked, q)
					b.WriteString("- ")
					b.WriteString(q)
					b.WriteByte('\n')
				}
			}
			b.WriteString("-->\n")
		}
		for i := range s.paras {
			// Most paragraphs aim at 40–85 words, one in ten up to 115;
			// the last sentence runs on by 8 words or so.
			words := minParagraph + w.rng.IntN(21) + w.rng.IntN(26)
			if w.rng.IntN(10) == 0 {
				words += w.rng.IntN(31)
			}
			b.WriteByte('\n')
			w.paragraph(s, words, i == 0)
			b.WriteByte('\n')
		}
		if s.items > 0 {
			b.WriteByte('\n')
			w.leadIn(s, s.paras == 0)
			b.WriteString("\n\n")
			for i := range s.items {
				b.WriteString("- ")
				w.item(i == s.items-1)
				b.WriteByte('\n')
			}
		}
	}
	if len(w.used) > 0 {
		b.WriteString("\n## References\n\n")
		for i, id := range w.used {
			b.WriteString(strconv.Itoa(i + 1))
			b.WriteString(". ")
			w.v.reference(w.seed, id, b)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// Word counts. A paragraph runs minParagraph–maxParagraph words, its
// markers at most maxMarkerFields more, so the loader (which splits past
// 160 words and merges below 25) makes it one passage. A list's lead-in
// runs at least minLeadIn words and each item minItem, so an item with
// its lead-in makes one passage too.
const (
	minParagraph    = 40
	maxParagraph    = 120
	maxMarkerFields = 30
	maxSentence     = 40
	minLeadIn       = 18
	minItem         = 8
	maxItem         = 24
)

// paragraph writes a paragraph of about words words (markers aside)
// about the section's term. Sentences end where the chain ends them, once
// the paragraph has words words, or at maxSentence words.
func (w *writer) paragraph(s sectionPlan, words int, first bool) {
	markerFields, total := 0, 0
	for total < words {
		total += w.proseSentence(s, words-total, maxParagraph-total, first && total == 0)
		marker := ""
		if w.rng.IntN(100) < 35 && markerFields < maxMarkerFields {
			marker = w.marker()
			markerFields += len(strings.Fields(marker))
		}
		w.writeSentence(true, marker, ".")
		if total < words {
			w.buf.WriteByte(' ')
		}
	}
}

// leadInTemplates end the sentence introducing a list.
var leadInTemplates = []string{
	"The research on {a} points to a few things:",
	"Here is what studies of {a} have covered:",
	"{A} comes up in several ways:",
	"What we know about {a} falls into a few parts:",
	"Ask about {a} if you notice any of these:",
	"The main findings on {a} are these:",
}

// leadIn writes the sentences introducing a list, at least minLeadIn
// words ending in a colon, which the loader gives to each item.
func (w *writer) leadIn(s sectionPlan, opening bool) {
	last := fill(leadInTemplates[w.rng.IntN(len(leadInTemplates))], s.term, "")
	goal := minLeadIn - len(strings.Fields(last)) + w.rng.IntN(10)
	for total := 0; total < goal; {
		total += w.proseSentence(s, goal-total, maxParagraph, opening && total == 0)
		w.writeSentence(true, "", ".")
		w.buf.WriteByte(' ')
	}
	w.buf.WriteString(last)
}

// item writes one list item of minItem to maxItem words.
func (w *writer) item(last bool) {
	w.sw.sentence(sentenceSpec{minWords: minItem, maxWords: maxItem, letterFirst: true})
	w.rare()
	marker := ""
	if w.rng.IntN(100) < 15 {
		marker = w.marker()
	}
	end := ";"
	if last {
		end = "."
	}
	w.writeSentence(false, marker, end)
}

// proseSentence generates one sentence into w.sw.toks, often about the
// section's term, and returns its words: at least min(want, minTail),
// ending where the chain ends it, and at most min(maxSentence, room).
func (w *writer) proseSentence(s sectionPlan, want, room int, opening bool) int {
	spec := sentenceSpec{minWords: min(minTail, want), maxWords: max(min(maxSentence, room), 1), letterFirst: true}
	spec.minWords = min(spec.minWords, spec.maxWords)
	// The section's first sentence, and one in five after it, is about
	// its term: starting with it, or with it in place of a content word.
	// Words of the term the prose knows keep their ids, so the checks
	// against copying see them.
	term := w.termBuf[:0]
	for i, word := range strings.Fields(s.term) {
		if id := s.termIDs[i]; id >= 0 {
			term = append(term, id)
		} else {
			term = append(term, w.extras.add(word))
		}
	}
	w.termBuf = term
	about := opening || w.rng.IntN(5) == 0
	if about && w.rng.IntN(2) == 0 && len(term) < spec.maxWords-2 {
		spec.prefix = term
		about = false
	}
	n := w.sw.sentence(spec)
	if about && len(term) == 1 && w.swap(term[0]) {
		return n
	}
	w.rare()
	return n
}

// swap puts t in place of a content word of the sentence, if it has one
// where the sentence copies no source window with it.
func (w *writer) swap(t int32) bool {
	toks := w.sw.toks
	start := w.rng.IntN(len(toks))
	for i := range toks {
		j := (start + i) % len(toks)
		if c := toks[j]; c >= 0 && w.v.prose.content[c] {
			toks[j] = t
			if t < 0 || !w.sw.copiesAnywhere() {
				return true
			}
			toks[j] = c
		}
	}
	return false
}

// rare swaps, in one sentence in three, a content word for a rare term.
func (w *writer) rare() {
	if w.rng.IntN(3) == 0 {
		w.swap(w.extras.add(w.v.rareTerm(w.zipf.Uint64())))
	}
}

// marker returns a citation marker, " [n]" or " [n, m]": a new reference
// (labels are numbered in order of first citation) or one already cited.
func (w *writer) marker() string {
	label := func() int {
		if len(w.used) == 0 || len(w.used) < maxRefs && w.rng.IntN(100) < 45 {
			for {
				id := int(w.refZ.Uint64())
				dup := false
				for _, u := range w.used {
					dup = dup || u == id
				}
				if !dup {
					w.used = append(w.used, id)
					return len(w.used)
				}
			}
		}
		return 1 + w.rng.IntN(len(w.used))
	}
	a := label()
	if len(w.used) >= 2 && w.rng.IntN(100) < 15 {
		b := a
		for b == a {
			b = 1 + w.rng.IntN(len(w.used))
		}
		return fmt.Sprintf(" [%d, %d]", min(a, b), max(a, b))
	}
	return " [" + strconv.Itoa(a) + "]"
}

// writeSentence renders w.sw.toks: words spaced, commas glued to the word
// before, the first letter capitalized if asked, then the marker and the
// end punctuation.
func (w *writer) writeSentence(capital bool, marker, end string) {
	w.extras.writeTokens(&w.buf, w.sw.toks, w.v.prose.words, capital)
	w.buf.WriteString(marker)
	w.buf.WriteString(end)
}

// yamlQuote writes s as a double-quoted YAML string.
func yamlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
