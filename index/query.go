package index

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"gutskin/index/rule"
)

// Limits that keep a hostile or careless question cheap: a 10 KB paste
// still yields a small query.
const (
	maxQuestionBytes = 4096
	maxConcepts      = 24
	typoBoost        = 0.6
)

// concept is one thing a question asks about: a word of the question after
// analysis (stemmed, synonyms folded), with the known words it may be a typo
// of.
type concept struct {
	term string
	// surface is the word or phrase as the member typed it, lowercased.
	surface string
	typos   []string // for an unknown word, the terms of the library's words it is one or two edits from as typed
	weight  float64  // how much the concept says about a topic (rule.PhraseWeight)
	known   bool     // the term or one of its typo fixes occurs in the library
}

// analyzer turns text into the index's terms.
type analyzer interface {
	Analyze([]byte) analysis.TokenStream
}

// unknownShare is the weight of a word the library does not know, as a
// share of the weight of a word found in one passage only, in the
// similarity of listed questions.
const unknownShare = 0.92

// vocabulary is the set of indexed terms with their document frequency,
// used for typo repair and for weighing words in the similarity of listed
// questions.
type vocabulary struct {
	docFreq map[string]uint64
	docs    uint64
	// spelling maps the words the library is written with to their terms,
	// for typo repair.
	spelling map[string]string
}

func (v *vocabulary) idf(term string) float64 {
	df := float64(v.docFreq[term])
	if df == 0 {
		// An unknown word weighs nearly as much as the rarest word of this
		// library, whatever its size.
		return unknownShare * v.maxIDF()
	}
	return math.Log(1 + float64(v.docs)/df)
}

// maxIDF is the weight of a word found in one passage only.
func (v *vocabulary) maxIDF() float64 {
	return math.Log(1 + float64(v.docs))
}

// questionTerms analyses questions: the index's analysis chain, then the
// question words that say nothing about a topic are dropped.
type questionTerms struct {
	analyzer analyzer
	stop     map[string]bool
	// longWords are the question words long enough to recognise
	// misspelt ("litterally", "actualy").
	longWords []string
	// canonical maps the term of each synonym group to the group's first
	// member as written ("exercise"), whose weight a synonym takes.
	canonical map[string]string
}

func analyzeTokens(a analyzer, s string) []string {
	var out []string
	for _, t := range a.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}

func newQuestionTerms(a analyzer) *questionTerms {
	qt := &questionTerms{analyzer: a, stop: map[string]bool{}, canonical: map[string]string{}}
	for _, line := range dataLines(synonymsData) {
		first, _, _ := strings.Cut(line, ",")
		if terms := analyzeTokens(a, first); len(terms) == 1 {
			qt.canonical[terms[0]] = strings.ToLower(strings.TrimSpace(first))
		}
	}
	for _, line := range dataLines(questionWordsData) {
		for _, w := range strings.Fields(line) {
			for _, t := range analyzeTokens(a, w) {
				qt.stop[t] = true
			}
			if utf8.RuneCountInString(w) >= minMisspeltQuestionWord {
				qt.longWords = append(qt.longWords, strings.ToLower(w))
			}
		}
	}
	return qt
}

// repair returns the terms an unknown word may be a typo of, or reports
// that it is a misspelt question word, which says nothing about the topic:
// "actualy" is one edit from "actually", which the library also uses. A
// repair into a library word wins a tie with a question word, so "gut
// healping" means healing, not helping.
func (qt *questionTerms) repair(word string, vocab *vocabulary) (typos, words []string, questionWord bool) {
	near := vocab.near(word)
	for _, fix := range near {
		if !qt.stop[fix.term] {
			typos = append(typos, fix.term)
			words = append(words, fix.word)
		}
	}
	if len(near) > 0 {
		return typos, words, len(typos) == 0
	}
	return nil, nil, qt.misspelt(word)
}

// typed is a word as a member typed it, lowercased and without a
// possessive ending, which the analysis chain drops from the term but not
// from the token's span.
func typed(span string) string {
	w := strings.ToLower(span)
	for _, s := range []string{"'s", "’s"} {
		w = strings.TrimSuffix(w, s)
	}
	return w
}

// minMisspeltQuestionWord is the shortest question word a misspelling is
// recognised of when no library word is as close. Shorter ones are one edit from too many words the library
// does not know: "horse" from "worse", "smell" from "shall".
const minMisspeltQuestionWord = 7

// misspelt reports whether an unknown word as typed is one edit from a long
// question word, so it too says nothing about the topic.
func (qt *questionTerms) misspelt(typed string) bool {
	n := utf8.RuneCountInString(typed)
	for _, w := range qt.longWords {
		if abs(utf8.RuneCountInString(w)-n) <= 1 && editDistance(typed, w, 1) <= 1 {
			return true
		}
	}
	return false
}

// dataLines returns the non-blank, non-comment lines of an embedded list.
func dataLines(data string) []string {
	var out []string
	for _, l := range strings.Split(data, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// concepts parses a question into what it asks about. The question is never
// read as query syntax: it only ever passes through the analyser.
func (qt *questionTerms) concepts(question string, vocab *vocabulary) []concept {
	question = cleanQuestion(question)
	var out []concept
	seen := map[string]bool{}
	for _, tok := range qt.analyzer.Analyze([]byte(question)) {
		t := string(tok.Term)
		if qt.stop[t] || seen[t] || !hasLetterOrDigit(t) {
			continue
		}
		seen[t] = true
		c := concept{term: t, known: vocab.docFreq[t] > 0}
		if tok.Start < tok.End && tok.End <= len(question) {
			c.surface = typed(question[tok.Start:tok.End])
		}
		// A synonym weighs what its group's first member weighs, if more:
		// "working out" is exercise, not "working".
		c.weight = max(rule.PhraseWeight(c.surface), rule.PhraseWeight(qt.canonical[t]))
		if !c.known && c.surface != "" {
			typos, words, questionWord := qt.repair(c.surface, vocab)
			if questionWord {
				continue
			}
			if c.typos = typos; len(typos) > 0 {
				c.known = true
				c.weight = 0
				for i, w := range words {
					c.weight = max(c.weight, rule.PhraseWeight(w), rule.PhraseWeight(qt.canonical[typos[i]]))
				}
			}
		}
		out = append(out, c)
		if len(out) == maxConcepts {
			break
		}
	}
	return out
}

// cleanQuestion makes a member's text safe and cheap to analyse: invalid
// bytes become spaces, so they neither swallow the words next to them nor
// make the cut trim the question away, and the text is cut to
// maxQuestionBytes.
func cleanQuestion(question string) string {
	question = strings.ToValidUTF8(question, " ")
	if len(question) > maxQuestionBytes {
		question = question[:maxQuestionBytes]
		for !utf8.ValidString(question) {
			question = question[:len(question)-1]
		}
	}
	return question
}

func hasLetterOrDigit(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// buildQuery makes the Bleve query for a question's concepts: for each
// concept a disjunction of its term over the boosted fields, then a
// disjunction of the concepts, whose coordination factor rewards passages
// that cover more of the question.
func buildQuery(concepts []concept) query.Query {
	var perConcept []query.Query
	for _, c := range concepts {
		if !c.known {
			continue // coverage accounts for it; as a clause it only dilutes
		}
		var forms []query.Query
		for _, fb := range fieldBoosts {
			// A term with typo fixes is unknown to the index: searching it
			// finds nothing and only dilutes the disjunction's coordination
			// factor, so only its fixes are searched.
			if len(c.typos) == 0 {
				q := bleve.NewTermQuery(c.term)
				q.SetField(fb.field)
				q.SetBoost(fb.boost)
				forms = append(forms, q)
			}
			for _, t := range c.typos {
				q := bleve.NewTermQuery(t)
				q.SetField(fb.field)
				q.SetBoost(fb.boost * typoBoost)
				forms = append(forms, q)
			}
		}
		perConcept = append(perConcept, bleve.NewDisjunctionQuery(forms...))
	}
	if len(perConcept) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(perConcept...)
}

// buildFindQuery makes the query that finds a question's candidates: for
// each concept its term (or its typo fixes) in the field that holds all of
// a passage's fields together, so that finding costs one field's postings
// whatever the number of fields. Where each passage matched is read for
// the candidates alone (buildQuery).
func buildFindQuery(concepts []concept) query.Query {
	var perConcept []query.Query
	for _, c := range concepts {
		if !c.known {
			continue
		}
		terms, boost := []string{c.term}, 1.0
		if len(c.typos) > 0 {
			terms, boost = c.typos, typoBoost
		}
		for _, t := range terms {
			q := bleve.NewTermQuery(t)
			q.SetField(fieldAll)
			q.SetBoost(boost)
			perConcept = append(perConcept, q)
		}
	}
	if len(perConcept) == 0 {
		return nil
	}
	return bleve.NewDisjunctionQuery(perConcept...)
}
