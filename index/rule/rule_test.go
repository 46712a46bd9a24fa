package rule

import (
	"math"
	"slices"
	"testing"
)

func TestWordWeight(t *testing.T) {
	tests := []struct {
		word     string
		min, max float64
	}{
		{"the", 0, 0},
		{"new", 0, 0},
		{"water", 0.5, 1.5},
		{"skin", 2.5, 4},
		{"acne", 4.5, 6},
		{"kefir", rareWeight, rareWeight}, // rarer than the list holds
		{"dysbiosis", rareWeight, rareWeight},
		{"4", tokenWeight, tokenWeight},
		{"100ml", tokenWeight, tokenWeight},
		{"2nd", tokenWeight, tokenWeight},
		{"b", tokenWeight, tokenWeight},
		{"hy7714", rareWeight, rareWeight}, // a code names a thing
		{"igf1", rareWeight, rareWeight},
	}
	for _, tt := range tests {
		if got := WordWeight(tt.word); got < tt.min || got > tt.max {
			t.Errorf("WordWeight(%q) = %.2f, want %.2f to %.2f", tt.word, got, tt.min, tt.max)
		}
	}
	if WordWeight("acne") <= WordWeight("skin") || WordWeight("skin") <= WordWeight("water") {
		t.Error("rarer words must weigh more: acne > skin > water")
	}
}

func TestPhraseWeight(t *testing.T) {
	if got, want := PhraseWeight("Leaky Gut"), max(WordWeight("leaky"), WordWeight("gut")); got != want {
		t.Errorf("PhraseWeight(Leaky Gut) = %.2f, want its heavier word's %.2f", got, want)
	}
	if got := PhraseWeight(""); got != 0 {
		t.Errorf("PhraseWeight(\"\") = %v", got)
	}
	if got, want := PhraseWeight("crohn's"), WordWeight("crohn's"); got != want {
		t.Errorf("an apostrophe stays inside the word: %v, want %v", got, want)
	}
}

// concepts builds a reading's concepts from weights; a negative weight is
// a concept the library does not know.
func concepts(weights ...float64) []Concept {
	var out []Concept
	for _, w := range weights {
		out = append(out, Concept{Weight: math.Abs(w), Known: w > 0})
	}
	return out
}

func TestScoreEvidenceAndConfidence(t *testing.T) {
	tests := []struct {
		name            string
		concepts        []Concept
		matches         []Field
		evidence        float64
		known, coverage float64
		confident       bool
	}{
		{"a technical word in the text", concepts(6), []Field{Text}, 6, 1, 1, true},
		{"the same word only in the title", concepts(6), []Field{Title}, 6 * 0.35, 1, 1, false},
		{"in the heading", concepts(6), []Field{Heading | Title}, 6 * 0.7, 1, 1, false},
		{"two words in the text", concepts(6, 3), []Field{Text, Text}, 9, 1, 1, true},
		{"a listed question decides nothing", concepts(6, 3), []Field{Listed, Listed}, 0, 1, 0, false},
		{"one of two, the other unknown", concepts(6, -6), []Field{Text, 0}, 6, 0.5, 0.5, false},
		{"one of two, the other known elsewhere", concepts(6, 2), []Field{Text, 0}, 6, 1, 0.75, true},
		{"nothing matched", concepts(6), []Field{0}, 0, 1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Score(Reading{Concepts: tt.concepts, Candidates: []Candidate{{Matches: tt.matches, Relevance: 1}}})
			if len(got) != 1 {
				t.Fatalf("%d scored, want 1", len(got))
			}
			s := got[0]
			near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
			if !near(s.Evidence, tt.evidence) || !near(s.Known, tt.known) || !near(s.Coverage, tt.coverage) {
				t.Errorf("evidence %.2f known %.2f coverage %.2f, want %.2f %.2f %.2f", s.Evidence, s.Known, s.Coverage, tt.evidence, tt.known, tt.coverage)
			}
			if want := s.Evidence * s.Known * math.Pow(s.Coverage, coveragePower); !near(s.Confidence, want) || s.Support != s.Confidence {
				t.Errorf("confidence %.3f (support %.3f), want evidence × known × coverage^%.1f = %.3f", s.Confidence, s.Support, coveragePower, want)
			}
			if s.Confident() != tt.confident {
				t.Errorf("confident = %v (%.2f), want %v", s.Confident(), s.Confidence, tt.confident)
			}
		})
	}
}

// A heading or listed question much like the member's raises confidence in
// what the passage holds, never from nothing.
func TestLikeQuestionRaisesConfidence(t *testing.T) {
	conf := func(heading, listed float64, m Field) float64 {
		r := Reading{Concepts: concepts(2, 2), Candidates: []Candidate{{Matches: []Field{m, m}, Relevance: 1, Heading: heading, Listed: listed}}}
		return Score(r)[0].Confidence
	}
	plain := conf(0, 0, Text)
	if plain >= MinConfidence {
		t.Fatalf("two everyday words alone pass (%.2f); the test needs them not to", plain)
	}
	for _, tt := range []struct {
		name            string
		heading, listed float64
	}{{"a heading like the question", 1, 0}, {"a listed question like it", 0, 1}} {
		if got := conf(tt.heading, tt.listed, Text); got < MinConfidence || got <= plain {
			t.Errorf("%s: confidence %.2f, want it raised past %.1f from %.2f", tt.name, got, MinConfidence, plain)
		}
	}
	if got := conf(0.5, 0.5, Text); got != plain {
		t.Errorf("a loosely similar heading changed confidence: %.2f, want %.2f", got, plain)
	}
	if got := conf(1, 1, Listed); got != 0 {
		t.Errorf("listed questions alone gave confidence %.2f; they may help, never decide", got)
	}
}

// The same question and the same matches mean the same confidence whatever
// the search's relevance scale: a library's size moves relevance, never the
// decision.
func TestConfidenceIgnoresRelevanceScale(t *testing.T) {
	r := func(scale float64) Reading {
		return Reading{Concepts: concepts(6, 3), Candidates: []Candidate{
			{Matches: []Field{Text, 0}, Relevance: 0.1 * scale, Article: "a"},
			{Matches: []Field{Text, Heading}, Relevance: 0.05 * scale, Article: "b"},
		}}
	}
	small, large := Decide([]Reading{r(1)}, 3), Decide([]Reading{r(1000)}, 3)
	if len(small.Answers) != len(large.Answers) || len(small.Answers) == 0 {
		t.Fatalf("answers %d and %d", len(small.Answers), len(large.Answers))
	}
	for i := range small.Answers {
		if small.Answers[i].Confidence != large.Answers[i].Confidence || small.Answers[i].Candidate != large.Answers[i].Candidate {
			t.Errorf("answer %d differs: %+v vs %+v", i, small.Answers[i], large.Answers[i])
		}
	}
}

func TestOrder(t *testing.T) {
	cand := func(article, section string, rel float64, listed, heading float64) Candidate {
		return Candidate{Matches: []Field{Text, Text}, Relevance: rel, Listed: listed, Heading: heading, Article: article, Section: section}
	}
	tests := []struct {
		name  string
		cands []Candidate
		want  []int
	}{
		{"relevance orders equals", []Candidate{cand("a", "x", 1, 0, 0), cand("b", "y", 2, 0, 0)}, []int{1, 0}},
		{"a listed question like the member's wins", []Candidate{cand("a", "x", 2, 0, 0), cand("b", "y", 1, 0.8, 0)}, []int{1, 0}},
		{"so does a heading like it", []Candidate{cand("a", "x", 2, 0, 0), cand("b", "y", 1, 0, 0.8)}, []int{1, 0}},
		{"a sibling falls behind another section", []Candidate{cand("a", "x", 1, 0, 0), cand("a", "x", 0.9, 0, 0), cand("b", "y", 0.6, 0, 0)}, []int{0, 2, 1}},
		{"a far better sibling keeps its place", []Candidate{cand("a", "x", 1, 0, 0), cand("a", "x", 0.9, 0, 0), cand("b", "y", 0.2, 0, 0)}, []int{0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for _, s := range Score(Reading{Concepts: concepts(6, 3), Candidates: tt.cands}) {
				got = append(got, s.Candidate)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("order %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	strong := Candidate{Matches: []Field{Text, Text}, Relevance: 1, Article: "kefir", Section: "acne"}
	weak := Candidate{Matches: []Field{0, Text}, Relevance: 2, Article: "kefir", Section: "other"}
	other := Candidate{Matches: []Field{Text, Text}, Relevance: 0.5, Article: "diet", Section: "milk"}
	topic := Candidate{Matches: []Field{Title, 0}, Relevance: 0.1, Article: "topic"}
	whole := Reading{Concepts: concepts(6, 3, -6, -6), Candidates: []Candidate{strong, other, topic}}
	sentence := Reading{Concepts: concepts(6, 3), Candidates: []Candidate{weak, strong, other}}

	t.Run("chat dilutes the whole; a sentence answers", func(t *testing.T) {
		v := Decide([]Reading{whole, sentence}, 1)
		if v.Reading != 1 || len(v.Answers) != 1 || v.Answers[0].Candidate != 1 {
			t.Fatalf("reading %d answers %+v, want the sentence's strong candidate first", v.Reading, v.Answers)
		}
		if len(v.SeeAlso) != 1 || v.SeeAlso[0].Candidate != 2 {
			t.Errorf("see also %+v, want the other article's candidate", v.SeeAlso)
		}
	})
	t.Run("no reading answers; the whole's articles are suggested", func(t *testing.T) {
		v := Decide([]Reading{whole}, 3)
		if v.Reading != 0 || len(v.Answers) != 0 {
			t.Fatalf("reading %d answers %+v, want none", v.Reading, v.Answers)
		}
		if len(v.Suggestions) != 1 || v.Suggestions[0].Candidate != 2 {
			t.Errorf("suggestions %+v, want the article whose title holds the question", v.Suggestions)
		}
	})
	t.Run("a heading like the question does not hide other articles", func(t *testing.T) {
		asked := strong
		asked.Heading = 1 // triples the answer's confidence, not its support
		v := Decide([]Reading{{Concepts: concepts(6, 3), Candidates: []Candidate{asked, other}}}, 1)
		if len(v.Answers) != 1 || v.Answers[0].Confidence <= v.Answers[0].Support {
			t.Fatalf("answers %+v, want the boosted candidate", v.Answers)
		}
		if len(v.SeeAlso) != 1 || v.SeeAlso[0].Candidate != 1 {
			t.Errorf("see also %+v, want the other article, which holds as much of the question", v.SeeAlso)
		}
	})
	t.Run("chrome never answers", func(t *testing.T) {
		cta := strong
		cta.Chrome = true
		v := Decide([]Reading{{Concepts: concepts(6, 3), Candidates: []Candidate{cta}}}, 3)
		if len(v.Answers) != 0 {
			t.Errorf("a call to action answered: %+v", v.Answers)
		}
	})
	t.Run("only eligible candidates answer, and see-also skips their articles", func(t *testing.T) {
		v := Decide([]Reading{sentence}, 3)
		var got []int
		for _, a := range v.Answers {
			got = append(got, a.Candidate)
		}
		if !slices.Equal(got, []int{1, 2}) {
			t.Errorf("answers %v, want [1 2]: the weak candidate is below eligibility", got)
		}
		if len(v.SeeAlso) != 0 {
			t.Errorf("see also %+v repeats an answer's article", v.SeeAlso)
		}
	})
	t.Run("k below one means one", func(t *testing.T) {
		for _, k := range []int{0, -1} {
			if v := Decide([]Reading{sentence}, k); len(v.Answers) != 1 {
				t.Errorf("k=%d: %d answers, want 1", k, len(v.Answers))
			}
		}
	})
	t.Run("nothing to read", func(t *testing.T) {
		if v := Decide(nil, 3); len(v.Answers) != 0 || v.Ranked != nil {
			t.Errorf("%+v", v)
		}
		if v := Decide([]Reading{{}}, 3); len(v.Answers) != 0 {
			t.Errorf("%+v", v)
		}
	})
}
