package index

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestOffTopicGetsNoAnswer(t *testing.T) {
	ix := defaultIndex(t)
	for _, q := range []string{
		"what's the best graphics card?",
		"hello",
		"hi there!",
		"thanks",
		"who won the football last night?",
		"how do I change a flat bicycle tyre",
		"recommend a gaming laptop under 1000",
		"what is the capital of Australia",
		"how to bake sourdough bread",
	} {
		ans := answerBounded(t, ix, q, 3)
		checkAnswer(t, ix, q, 3, ans)
		if len(ans.Hits) != 0 {
			h := ans.Hits[0]
			t.Errorf("%q answered with %s (score %.3f): %.80q", q, h.Passage.Slug, h.Score, h.Passage.Text)
		}
	}
}

func TestOnTopicGetsTheRightPassage(t *testing.T) {
	ix := defaultIndex(t)
	t.Run("does kefir help acne?", func(t *testing.T) {
		ans := answerBounded(t, ix, "does kefir help acne?", 1)
		checkAnswer(t, ix, "does kefir help acne?", 1, ans)
		if len(ans.Hits) != 1 {
			t.Fatalf("no answer; suggestions %v", ans.Suggestions)
		}
		p := ans.Hits[0].Passage
		if p.Slug != "fermented-foods" || !strings.Contains(p.Text, "kefir") {
			t.Fatalf("top hit %s %q, want the fermented-foods article on kefir", p.Slug, p.Text)
		}
		if !strings.HasPrefix(p.Article.Title, "Fermented foods") {
			t.Errorf("article title %q", p.Article.Title)
		}
		var alves bool
		for _, c := range p.Citations {
			if strings.HasPrefix(c.Text, "Alves E") && strings.Contains(c.Text, "2022") {
				alves = true
				if c.DOI != "10.3390/life12071075" || c.URL != "https://doi.org/10.3390/life12071075" || c.Label == "" {
					t.Errorf("Alves 2022 citation %+v", c)
				}
			}
		}
		if !alves {
			t.Errorf("citations %+v, want Alves 2022", p.Citations)
		}
		got := highlighted(ans.Hits[0])
		if !slices.ContainsFunc(got, func(s string) bool { return strings.EqualFold(s, "kefir") }) {
			t.Errorf("highlights %q, want kefir", got)
		}
	})
	for _, tt := range []struct{ q, slug, contains string }{
		{"is leaky gut real?", "leaky-gut", "intestinal permeability"},
		{"which probiotic strain for eczema in kids", "eczema-and-probiotics", "strain"},
		{"what is the gut-skin axis?", "what-is-the-gut-skin-axis", "gut–skin axis"},
		{"does milk cause pimples", "acne-and-diet", "milk"},
		{"fiber and short chain fatty acids", "fibre-scfa-and-polyphenols", ""},
		{"can AD be prevented with probiotics in pregnancy", "eczema-and-probiotics", "pregnan"},
	} {
		t.Run(tt.q, func(t *testing.T) {
			hits := mustSearch(t, ix, tt.q, 1)
			if len(hits) == 0 {
				t.Fatal("no answer")
			}
			if p := hits[0].Passage; p.Slug != tt.slug || !strings.Contains(p.Text, tt.contains) {
				t.Errorf("top hit %s %q, want %s containing %q", p.Slug, p.Text, tt.slug, tt.contains)
			}
		})
	}
}

// offTopicAnswered are the off-topic questions of the tuning set that the
// answer rule still answers, and why words alone cannot tell: each matches
// a passage on everything the library knows of it. The list may only
// shrink; TestTuningSetOffTopicStaysUnanswered fails when one of them
// falls silent, so it gets removed.
var offTopicAnswered = map[string]string{
	"does drinking more water clear up your skin": "the kefir study measured skin water loss of women who drank kefir, which holds every word of it",
}

// The answer rule was calibrated so that off-topic questions of the tuning
// set get no answer (see rule.MinConfidence); this keeps it so.
func TestTuningSetOffTopicStaysUnanswered(t *testing.T) {
	f, err := os.Open("../testdata/questions.jsonl")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no ../testdata/questions.jsonl")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ix := defaultIndex(t)
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		var q struct {
			Q    string `json:"q"`
			None bool   `json:"none"`
		}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("questions.jsonl:%d: %v", line, err)
		}
		if !q.None {
			continue
		}
		n++
		hits := mustSearch(t, ix, q.Q, 1)
		_, known := offTopicAnswered[q.Q]
		switch {
		case len(hits) != 0 && !known:
			t.Errorf("questions.jsonl:%d: %q answered with %s (score %.3f)", line, q.Q, hits[0].Passage.Slug, hits[0].Score)
		case len(hits) == 0 && known:
			t.Errorf("questions.jsonl:%d: %q is silent now: remove it from offTopicAnswered", line, q.Q)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no off-topic question in questions.jsonl")
	}
}

// Another article that also answers well is named under the answer, never
// the answer's own article.
func TestSeeAlsoNamesOtherArticles(t *testing.T) {
	ix := defaultIndex(t)
	ans := answerBounded(t, ix, "is leaky gut real?", 1)
	checkAnswer(t, ix, "is leaky gut real?", 1, ans)
	if len(ans.Hits) != 1 || ans.Hits[0].Passage.Slug != "leaky-gut" {
		t.Fatalf("answer %v, want one from leaky-gut", ans.Hits)
	}
	var titles []string
	for _, s := range ans.SeeAlso {
		titles = append(titles, s.Title)
		if s.Title == ans.Hits[0].Passage.Article.Title {
			t.Errorf("see also repeats the answer's article %q", s.Title)
		}
	}
	if !slices.ContainsFunc(titles, func(s string) bool { return strings.HasPrefix(s, "Microbiome stool tests") }) {
		t.Errorf("see also %q, want the stool-test article, which discusses leaky gut tests", titles)
	}
}

// A call to action that got into the library (the Markdown reader keeps
// them) never answers, even to a question made of its words; the prose
// beside it still does.
func TestCallToActionNeverAnswers(t *testing.T) {
	ix, _ := openIndex(t, Options{Load: loader(mapFS(map[string]string{
		"clinic.md": article("Gut and skin at our clinic",
			"➡️ Book a consultation with me to build your personal gut-skin plan today!",
			"Kefir is a fermented milk drink; one small study of 27 healthy women found less water loss through the skin."),
	}))})
	for _, q := range []string{"book a consultation for a personal gut-skin plan", "how do i build a gut skin plan"} {
		for _, h := range mustSearch(t, ix, q, 3) {
			if strings.Contains(h.Passage.Text, "Book a consultation") {
				t.Errorf("%q answered with the call to action %q", q, h.Passage.Text)
			}
		}
	}
	if hits := mustSearch(t, ix, "does kefir help skin water loss", 1); len(hits) == 0 || !strings.Contains(hits[0].Passage.Text, "Kefir") {
		t.Errorf("the prose beside the call to action no longer answers: %v", hits)
	}
}
