package gaps

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// asked is an unanswered question as grouping sees it: its text and the
// time stamp of its record.
type asked struct {
	text string
	at   uint64
}

// group is a group of questions being built.
type group struct {
	members []int          // indexes into the questions, in time order
	df      map[string]int // term -> members holding it
	core    map[string]bool
}

// groupGaps groups unanswered questions, given in time order, by what they
// ask, most asked first (ties: the group asked last first, then by example).
//
// The rule. Each question becomes a set of terms (terms(text), or
// fallbackTerms when terms is nil; duplicates and empty terms dropped).
// Questions are taken in time order; each joins the existing group whose
// core it overlaps most, or starts a new group. A group's core is the set of
// terms held by more than half of its members (all of a first question's
// terms, the terms both of a pair share), or by at least half when that
// leaves fewer than two terms. A question with term set A may join a group
// with core B when
//
//   - the overlap coefficient |A∩B| / min(|A|,|B|) is at least 0.5;
//   - they share at least two terms when both A and B have three terms or
//     more (one shared word is enough for a short question: "magnesium for
//     insomnia" joins {magnesium, bed, sleep});
//   - at least one shared term is not one of the words nearly every
//     question to a gut–skin bot holds ("skin", "gut", the conditions
//     such as acne or eczema, "bacteria"), so that "skin rash?" and "sugar
//     and skin", or "does whey cause acne" and "does chocolate cause
//     acne", stay apart.
//
// Words that only frame a question ("cause", "help", "good", "make",
// "linked"…) are dropped from every term set first, whether the terms come
// from the caller's analysis (stemmed: "caus") or the fallback.
//
// "Overlaps most" is the highest coefficient, then the most shared terms,
// then the bigger group, then the older group. Questions with no terms at
// all are grouped by their exact wording (lower-cased, spaces and end
// punctuation folded).
//
// A group's example is its most frequent wording when some wording occurs
// more than once (its latest instance), else its most recent question.
func groupGaps(qs []asked, terms func(string) []string) []Gap {
	if terms == nil {
		terms = fallbackTerms
	}
	var groups []*group
	exact := map[string]*group{}
	for i, q := range qs {
		set := termSet(terms(q.text))
		for t := range set {
			if isFraming(t) {
				delete(set, t)
			}
		}
		if len(set) == 0 {
			w := wording(q.text)
			g := exact[w]
			if g == nil {
				g = &group{}
				exact[w] = g
				groups = append(groups, g)
			}
			g.members = append(g.members, i)
			continue
		}
		var best *group
		bestScore, bestShared := 0.0, 0
		for _, g := range groups {
			if g.core == nil { // an exact-wording group
				continue
			}
			shared, specific := 0, false
			for t := range set {
				if g.core[t] {
					shared++
					specific = specific || !isGeneric(t)
				}
			}
			if !specific || !joins(len(set), len(g.core), shared) {
				continue
			}
			score := float64(shared) / float64(min(len(set), len(g.core)))
			if best == nil || score > bestScore ||
				score == bestScore && (shared > bestShared ||
					shared == bestShared && len(g.members) > len(best.members)) {
				best, bestScore, bestShared = g, score, shared
			}
		}
		if best == nil {
			best = &group{df: map[string]int{}}
			groups = append(groups, best)
		}
		best.add(i, set)
	}

	type result struct {
		gap  Gap
		last uint64
	}
	results := make([]result, 0, len(groups))
	for _, g := range groups {
		last := g.members[len(g.members)-1]
		results = append(results, result{
			gap:  Gap{Count: len(g.members), Example: example(qs, g.members)},
			last: qs[last].at,
		})
	}
	slices.SortStableFunc(results, func(a, b result) int {
		return cmp.Or(
			cmp.Compare(b.gap.Count, a.gap.Count),
			cmp.Compare(b.last, a.last),
			strings.Compare(a.gap.Example, b.gap.Example),
		)
	})
	gaps := make([]Gap, len(results))
	for i, r := range results {
		gaps[i] = r.gap
	}
	return gaps
}

// joins reports whether a question of a terms may join a group whose core
// has b terms, sharing shared of them, by their numbers (see groupGaps).
func joins(a, b, shared int) bool {
	if shared < 1 || 2*shared < min(a, b) {
		return false
	}
	return shared >= 2 || a < 3 || b < 3
}

// isGeneric tells the terms that alone never join questions: the words
// nearly every question to a gut–skin bot holds (as they come from the
// fallback and from a Porter stemmer alike).
func isGeneric(term string) bool {
	switch term {
	case "skin", "gut", "acne", "acn", "eczema", "psoriasis", "psoriasi", "rosacea", "dermatitis", "dermat",
		"bacteria", "bacteri", "microbiome", "microbiom", "health", "healthi", "healthy":
		return true
	}
	return false
}

// isFraming tells the words that frame a question rather than name what it
// asks about, stemmed or not.
func isFraming(term string) bool {
	switch term {
	case "caus", "cause", "causes", "causing", "help", "helps", "helping", "good", "bad", "make", "makes",
		"making", "can", "will", "get", "gets", "link", "linked", "links", "trigger", "triggers", "worse",
		"wors", "worsen", "improv", "improve", "affect", "affects", "effect", "effects", "realli", "actual",
		"anyon", "know", "thing", "way", "work", "works", "better", "best", "true", "legit", "ok", "okay":
		return true
	}
	return false
}

// add puts question i, of term set set, in the group and updates its core.
func (g *group) add(i int, set map[string]bool) {
	g.members = append(g.members, i)
	for t := range set {
		g.df[t]++
	}
	g.core = g.held(func(n int) bool { return 2*n > len(g.members) })
	if len(g.core) < 2 {
		g.core = g.held(func(n int) bool { return 2*n >= len(g.members) })
	}
}

// held is the set of the group's terms held by a number of members that
// passes enough.
func (g *group) held(enough func(n int) bool) map[string]bool {
	set := make(map[string]bool, len(g.df))
	for t, n := range g.df {
		if enough(n) {
			set[t] = true
		}
	}
	return set
}

// termSet is the set of the non-empty terms.
func termSet(terms []string) map[string]bool {
	set := make(map[string]bool, len(terms))
	for _, t := range terms {
		if t != "" {
			set[t] = true
		}
	}
	return set
}

// example is a group's example: its most frequent wording if one occurs
// more than once, else its latest question; ties go to the later.
func example(qs []asked, members []int) string {
	count := map[string]int{}
	best, bestN := members[len(members)-1], 1
	for _, i := range members {
		w := wording(qs[i].text)
		count[w]++
		if count[w] >= bestN {
			best, bestN = i, count[w]
		}
	}
	return qs[best].text
}

// wording folds a question's case, spaces and end punctuation, so that
// "Does coffee cause hair loss?" and "does coffee  cause hair loss" are one
// wording.
func wording(text string) string {
	w := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	return strings.TrimFunc(w, func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r)
	})
}

// fallbackTerms are a question's content terms when the caller gives no
// analysis: its words (runs of letters and digits; apostrophes inside a word
// dropped, so "don't" is "dont"), lower-cased, without stop words, with a
// crude plural strip (a trailing "s" off words longer than three letters,
// but not "ss", "us" or "is"; "ies" becomes "y"), each once, in order.
func fallbackTerms(text string) []string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !isApostrophe(r)
	})
	var terms []string
	for _, w := range words {
		w = strings.Map(func(r rune) rune {
			if isApostrophe(r) {
				return -1
			}
			return unicode.ToLower(r)
		}, w)
		if w == "" || isStopWord(w) {
			continue
		}
		w = singular(w)
		if isStopWord(w) || slices.Contains(terms, w) {
			continue
		}
		terms = append(terms, w)
	}
	return terms
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// singular strips a plural "s" crudely (see fallbackTerms).
func singular(w string) string {
	n := utf8.RuneCountInString(w)
	switch {
	case n <= 3 || !strings.HasSuffix(w, "s"):
		return w
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case n > 4 && strings.HasSuffix(w, "ies"):
		return strings.TrimSuffix(w, "ies") + "y"
	}
	return strings.TrimSuffix(w, "s")
}

// isStopWord tells the words fallbackTerms drops: function words, and the
// words questions use to ask about a link ("cause", "help", "linked", "bad
// for") rather than to name what they ask about.
func isStopWord(w string) bool {
	switch w {
	case "a", "an", "the", "and", "or", "but", "nor", "not", "no", "yes", "so", "if",
		"than", "then", "too", "very", "just", "also", "only", "really", "is", "are", "was",
		"were", "am", "be", "been", "being", "do", "does", "did", "doing", "done", "dont",
		"doesnt", "didnt", "isnt", "arent", "can", "could", "cant", "may", "might", "must",
		"shall", "should", "will", "would", "wont", "have", "has", "had", "having", "i", "im",
		"ive", "id", "me", "my", "mine", "myself", "you", "youre", "your", "yours", "we",
		"our", "us", "they", "them", "their", "he", "him", "his", "she", "her", "it", "its",
		"itself", "this", "that", "these", "those", "there", "here", "to", "of", "for", "with",
		"without", "in", "on", "at", "by", "from", "into", "onto", "about", "after", "before",
		"over", "under", "up", "down", "out", "off", "again", "any", "some", "all", "each",
		"every", "other", "more", "most", "much", "many", "such", "what", "whats", "which",
		"who", "whom", "whose", "why", "how", "when", "where", "whether", "make", "makes",
		"made", "making", "get", "gets", "got", "getting", "cause", "causes", "caused",
		"causing", "help", "helps", "helped", "helping", "affect", "affects", "effect",
		"effects", "link", "links", "linked", "related", "relation", "relationship",
		"connection", "connected", "between", "because", "good", "bad", "better", "worse",
		"best", "worst", "okay", "ok", "anyone", "someone", "anything", "something", "know",
		"think", "please", "thank", "thanks", "hi", "hello", "hey":
		return true
	}
	return false
}
