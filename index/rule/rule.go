// Package rule is gutskin's answer rule. Given the passages a search found
// for a member's message, and where each passage matched each thing the
// message asks about, it decides whether the library answers the message at
// all, and which passages answer it in what order.
//
// Every quantity it decides on means the same in any library, from one
// article to a hundred thousand passages, so one set of constants serves
// them all: a word weighs what it weighs in general English (WordWeight),
// never what it weighs in the library, and a passage is judged by how much
// of the message it holds, not by a score whose scale moves with the
// library's size. The search's own relevance score, which does move with
// the library, only orders passages that already pass.
//
// It knows nothing of Bleve: candidates and their matches go in, a verdict
// comes out.
package rule

import (
	"math"
	"slices"
	"sort"
)

// Field is a set of places a passage matched a concept.
type Field uint8

// The places a passage can match a concept.
const (
	// Text is the passage's own text.
	Text Field = 1 << iota
	// Heading is the heading path of the passage's section.
	Heading
	// Title is the article's title.
	Title
	// Tags are the article's tags.
	Tags
	// Listed are the questions the section lists (its "questions:"
	// comment), written by the article's authors.
	Listed
)

// Constants of the rule, the same for every library.
const (
	// MinConfidence is the least confidence of an answer: about one
	// technical word ("kefir", "rosacea") found in a passage's text with
	// the rest of the message known to the library, or two everyday ones.
	MinConfidence = 5.0
	// eligibleShare is how close to MinConfidence another passage must
	// come to be given as an answer once one passes it.
	eligibleShare = 0.5
	// coveragePower sets how much the words of a message that a passage
	// leaves out count against it. Below 1, because members wrap their
	// questions in words no passage holds.
	coveragePower = 0.5
	// listedWeight is how much a passage's order gains, per unit of cosine
	// similarity, when its heading or a question its section lists is like
	// the member's.
	listedWeight = 8
	// likeQuestion is the cosine similarity above which a heading or listed
	// question counts as much like the member's question, and likeBoost how
	// much confidence gains at full similarity.
	likeQuestion = 0.6
	likeBoost    = 2
	// siblingShare discounts a passage from the same section as a better
	// one, so the next answer says something new.
	siblingShare = 0.5
	// seeAlsoShare is how close to the best support another article's
	// passage must come to be named under an answer.
	seeAlsoShare = 0.5
	// relatedCoverage is the share of a message an article must match in
	// its title or tags to be suggested when there is no answer.
	relatedCoverage = 0.2
	maxSeeAlso      = 2
	maxSuggestions  = 3
)

// strength is how much a match in each place counts as evidence that a
// passage holds the answer. A question the section lists counts for
// nothing here: it may help the order, never the decision, so an article
// without such questions competes on equal terms.
var strength = []struct {
	field Field
	value float64
}{
	{Text, 1.0},
	{Heading, 0.7},
	{Title, 0.35},
	{Tags, 0.25},
}

// Concept is one thing a message asks about: a word or phrase of it.
type Concept struct {
	// Weight is how much the concept says about a topic (WordWeight).
	Weight float64
	// Known reports whether the library holds the concept anywhere.
	Known bool
}

// Candidate is a passage the search found for a reading of a message.
type Candidate struct {
	// Matches says, for each concept of the reading, where the passage
	// matched it.
	Matches []Field
	// Relevance is the search's score. Its scale depends on the library,
	// so it only orders.
	Relevance float64
	// Listed is the cosine similarity of the message with the closest
	// question the passage's section lists; 0 when it lists none.
	Listed float64
	// Heading is the cosine similarity of the message with the passage's
	// own heading; 0 when it has none.
	Heading float64
	// Article and Section identify the passage's article and section;
	// passages of one section are siblings.
	Article, Section string
	// Chrome marks a call to action or page chrome that got into the
	// library; it never answers.
	Chrome bool
}

// Reading is one way to read a member's message, with what the search found
// for it: the whole message, or one of its sentences.
type Reading struct {
	Concepts   []Concept
	Candidates []Candidate
}

// Scored is a candidate with what the rule made of it.
type Scored struct {
	// Candidate is the index of the candidate in its reading.
	Candidate int
	// Known is the share of the message's weight the library holds at all.
	Known float64
	// Coverage is the share of the message's weight the passage, its
	// headings, its title and tags hold.
	Coverage float64
	// Topic is the share the article's title and tags hold.
	Topic float64
	// Evidence sums the weight of the concepts the passage holds, each by
	// where it holds it.
	Evidence float64
	// Support is Evidence, scaled down by the share of the message the
	// library does not know and, less, by what the passage leaves out: how
	// much of the message the passage holds. See-also compares articles by
	// it.
	Support float64
	// Confidence is Support, raised when the passage's heading or a
	// question its section lists is much like the member's. A message is
	// answered only when some candidate's Confidence reaches MinConfidence.
	Confidence float64
	// Order ranks candidates: the search's relevance times the evidence,
	// discounted by the share of the message neither the passage's text,
	// its heading nor its section's listed questions hold, raised by its
	// heading or a listed question like the member's, and halved for a
	// sibling of a better passage. It decides which passage answers first
	// once the message passes the rule, not whether it does.
	Order float64
}

// Confident reports whether the scored candidate passes the rule on its own.
func (s Scored) Confident() bool { return s.Confidence >= MinConfidence }

// Score scores a reading's candidates and returns them best first.
func Score(r Reading) []Scored {
	var total, known float64
	for _, c := range r.Concepts {
		total += c.Weight
		if c.Known {
			known += c.Weight
		}
	}
	share := func(num float64) float64 {
		if total == 0 {
			return 0
		}
		return num / total
	}
	out := make([]Scored, 0, len(r.Candidates))
	for i, cand := range r.Candidates {
		s := Scored{Candidate: i, Known: share(known)}
		var covered, topic, own float64
		for j, c := range r.Concepts {
			if j >= len(cand.Matches) {
				break
			}
			m := cand.Matches[j]
			for _, st := range strength {
				if m&st.field != 0 {
					s.Evidence += c.Weight * st.value
					break
				}
			}
			if m&(Text|Heading|Title|Tags) != 0 {
				covered += c.Weight
			}
			if m&(Title|Tags) != 0 {
				topic += c.Weight
			}
			if m&(Text|Heading|Listed) != 0 {
				own += c.Weight
			}
		}
		s.Coverage, s.Topic = share(covered), share(topic)
		if !cand.Chrome {
			s.Support = s.Evidence * s.Known * math.Pow(s.Coverage, coveragePower)
		}
		s.Confidence = s.Support
		// A heading or listed question much like the member's question
		// raises confidence in what the passage already holds.
		if sim := max(cand.Heading, cand.Listed); sim > likeQuestion {
			s.Confidence *= 1 + likeBoost*(sim-likeQuestion)/(1-likeQuestion)
		}
		s.Order = cand.Relevance * s.Evidence * (0.5 + 0.5*share(own)) * (1 + listedWeight*max(cand.Listed, cand.Heading))
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order > out[j].Order })
	return diversify(out, r.Candidates)
}

// diversify discounts each candidate that shares its section with a better
// one, and sorts again. List items of one section repeat their lead-in and
// score alike; the next answer should rather say something new.
func diversify(scored []Scored, cands []Candidate) []Scored {
	seen := map[[2]string]bool{}
	for i := range scored {
		c := cands[scored[i].Candidate]
		key := [2]string{c.Article, c.Section}
		if seen[key] {
			scored[i].Order *= siblingShare
		}
		seen[key] = true
	}
	sort.SliceStable(scored, func(i, j int) bool { return scored[i].Order > scored[j].Order })
	return scored
}

// Verdict is the rule's answer to a message.
type Verdict struct {
	// Reading is the reading that answers, or the first (the whole
	// message) when none does.
	Reading int
	// Ranked are that reading's candidates, scored, best first.
	Ranked []Scored
	// Answers are up to k of Ranked that answer, best first; empty when the
	// library has no answer.
	Answers []Scored
	// SeeAlso are candidates of other articles that also answer well,
	// at most one per article.
	SeeAlso []Scored
	// Suggestions are candidates, at most one per article, whose articles
	// are about the message when there is no answer.
	Suggestions []Scored
}

// Decide answers a message from its readings: the whole message first, then
// any of its sentences, with at most k answers (at least one). Members wrap
// questions in chat ("hey! does kefir help acne? my aunt swears by it"),
// and the chat's words dilute the whole; so when the whole has no
// confident answer, the sentence with the most confident answer wins.
func Decide(readings []Reading, k int) Verdict {
	if len(readings) == 0 {
		return Verdict{}
	}
	k = max(k, 1)
	v := Verdict{Ranked: Score(readings[0])}
	if best(v.Ranked) < MinConfidence {
		top := 0.0
		for i, r := range readings[1:] {
			ranked := Score(r)
			if b := best(ranked); b >= MinConfidence && b > top {
				top, v.Reading, v.Ranked = b, i+1, ranked
			}
		}
	}
	if best(v.Ranked) < MinConfidence {
		v.Suggestions = suggestions(v.Ranked, readings[0].Candidates)
		return v
	}
	cands := readings[v.Reading].Candidates
	shown := map[string]bool{}
	for _, s := range v.Ranked {
		if len(v.Answers) == k {
			break
		}
		if s.Confidence >= eligibleShare*MinConfidence {
			v.Answers = append(v.Answers, s)
			shown[cands[s.Candidate].Article] = true
		}
	}
	// How well another article holds the message is a matter of support:
	// a heading like the question raises the answer's confidence alone.
	top := 0.0
	for _, s := range v.Ranked {
		top = max(top, s.Support)
	}
	for _, s := range v.Ranked {
		if len(v.SeeAlso) == maxSeeAlso {
			break
		}
		if a := cands[s.Candidate].Article; s.Confident() && !shown[a] && s.Support >= seeAlsoShare*top {
			shown[a] = true
			v.SeeAlso = append(v.SeeAlso, s)
		}
	}
	return v
}

// best is the highest confidence among scored candidates.
func best(scored []Scored) float64 {
	top := 0.0
	for _, s := range scored {
		top = max(top, s.Confidence)
	}
	return top
}

// suggestions are the candidates of the articles whose title or tags hold
// enough of the message, one per article, best first.
func suggestions(ranked []Scored, cands []Candidate) []Scored {
	var out []Scored
	var seen []string
	for _, s := range ranked {
		if len(out) == maxSuggestions {
			break
		}
		if a := cands[s.Candidate].Article; s.Topic >= relatedCoverage && !slices.Contains(seen, a) {
			seen = append(seen, a)
			out = append(out, s)
		}
	}
	return out
}
