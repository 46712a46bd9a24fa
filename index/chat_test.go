package index

import (
	"slices"
	"strings"
	"testing"

	"gutskin/corpus"
)

// A question wrapped in chat is answered as the question alone would be;
// chat around an off-topic question stays unanswered.
func TestQuestionWrappedInChat(t *testing.T) {
	ix := defaultIndex(t)
	tests := []struct {
		text string
		want string // the slug of the top answer, or "" for none
	}{
		{"does kefir help acne?", "fermented-foods"},
		{"Does kefir help acne? My aunt swears by it.", "fermented-foods"},
		{"hey everyone!! quick one. does kefir help acne? thanks so much, my aunt swears by it lol", "fermented-foods"},
		{"hello! what's the best graphics card? thanks", ""},
		{"Good morning. Anyone watching the game tonight?", ""},
	}
	for _, tt := range tests {
		hits := mustSearch(t, ix, tt.text, 1)
		if got := topSlug(hits); got != tt.want {
			t.Errorf("%q: top answer from %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"does kefir help acne?", []string{"does kefir help acne"}},
		{"Hi! Does kefir help acne? Thanks.", []string{"Hi", "Does kefir help acne", "Thanks"}},
		{"?!... 🙂 ...", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := splitSentences(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// With no answer, articles about what the question names are suggested; an
// off-topic question gets none.
func TestSuggestionsWhenThereIsNoAnswer(t *testing.T) {
	ix := defaultIndex(t)
	ans, err := ix.Answer(t.Context(), "does retinol help eczema?", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Hits) != 0 {
		t.Fatalf("retinol is not in the library, yet it answered %q", ans.Hits[0].Passage.Text)
	}
	if len(ans.Suggestions) == 0 || len(ans.Suggestions) > 3 || !slices.ContainsFunc(ans.Suggestions, func(a corpus.ArticleInfo) bool {
		return strings.HasPrefix(a.Title, "Eczema and probiotics")
	}) {
		t.Errorf("suggestions %v should name the eczema article", ans.Suggestions)
	}
	for _, q := range []string{"what's the best graphics card?", "hello", "how long does a new tattoo take to heal"} {
		ans, err := ix.Answer(t.Context(), q, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Hits) != 0 || len(ans.Suggestions) != 0 {
			t.Errorf("%q: %d answers and suggestions %v, want none", q, len(ans.Hits), ans.Suggestions)
		}
	}
}
