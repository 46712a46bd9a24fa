package gaps

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// topical are reworded questions on three topics and singletons, in the
// order asked, each with its topic ("" for a singleton).
var topical = []struct{ topic, text string }{
	{"coffee", "Does coffee cause hair loss?"},
	{"tattoo", "Can I get a tattoo if I have eczema?"},
	{"", "best probiotic for acne?"},
	{"magnesium", "Does magnesium help with sleep?"},
	{"coffee", "can coffee make my hair fall out"},
	{"tattoo", "tattoos with eczema, safe?"},
	{"", "dairy and oily skin"},
	{"coffee", "coffee and hair loss — linked?"},
	{"magnesium", "magnesium before bed for better sleep"},
	{"", "is kombucha good for rosacea"},
	{"tattoo", "Is it safe to get a tattoo when you have eczema"},
	{"coffee", "Is my hair thinning because of coffee?"},
	{"", "sunscreen for sensitive skin"},
	{"magnesium", "will taking magnesium improve my sleep"},
	{"tattoo", "eczema flared up after my new tattoo"},
	{"coffee", "hair loss from drinking coffee"},
	{"", "what is leaky gut"},
	{"magnesium", "magnesium for insomnia?"},
	{"", "skin rash?"},
	{"tattoo", "will tattoo ink make eczema worse"},
	{"coffee", "does coffee cause hair loss"},
}

// analysed stands for the search index's analysis: the fallback terms with
// a few synonyms folded, as the caller's analyser does.
func analysed(text string) []string {
	synonyms := map[string]string{"caffeine": "coffee", "espresso": "coffee", "shedding": "loss", "insomnia": "sleep"}
	terms := fallbackTerms(text)
	for i, t := range terms {
		if s, ok := synonyms[t]; ok {
			terms[i] = s
		}
	}
	return terms
}

func asks(texts ...string) []asked {
	qs := make([]asked, len(texts))
	for i, t := range texts {
		qs[i] = asked{text: t, at: uint64(i)}
	}
	return qs
}

func TestGroupGaps(t *testing.T) {
	var all []string
	for _, q := range topical {
		all = append(all, q.text)
	}
	singletonsLatestFirst := []Gap{
		{1, "skin rash?"}, {1, "what is leaky gut"}, {1, "sunscreen for sensitive skin"},
		{1, "is kombucha good for rosacea"}, {1, "dairy and oily skin"}, {1, "best probiotic for acne?"},
	}
	tests := []struct {
		name  string
		texts []string
		terms func(string) []string
		want  []Gap
	}{
		{
			name:  "three reworded topics and singletons, fallback terms",
			texts: all,
			want: append([]Gap{
				{6, "does coffee cause hair loss"}, // the wording asked twice
				{5, "will tattoo ink make eczema worse"},
				{4, "magnesium for insomnia?"},
			}, singletonsLatestFirst...),
		},
		{
			name:  "three reworded topics and singletons, analysed terms",
			texts: all,
			terms: analysed,
			want: append([]Gap{
				{6, "does coffee cause hair loss"},
				{5, "will tattoo ink make eczema worse"},
				{4, "magnesium for insomnia?"},
			}, singletonsLatestFirst...),
		},
		{
			name:  "synonyms come from the terms given",
			texts: []string{"does coffee cause hair loss?", "could caffeine be behind my hair shedding"},
			terms: analysed,
			want:  []Gap{{2, "could caffeine be behind my hair shedding"}},
		},
		{
			name:  "without synonyms they stay apart",
			texts: []string{"does coffee cause hair loss?", "could caffeine be behind my hair shedding"},
			want:  []Gap{{1, "could caffeine be behind my hair shedding"}, {1, "does coffee cause hair loss?"}},
		},
		{
			name:  "sharing only skin, three terms each",
			texts: []string{"dairy and oily skin", "sunscreen for sensitive skin", "zinc for itchy skin"},
			want:  []Gap{{1, "zinc for itchy skin"}, {1, "sunscreen for sensitive skin"}, {1, "dairy and oily skin"}},
		},
		{
			name:  "sharing only skin, two terms and three",
			texts: []string{"dairy and oily skin", "skin rash?", "is skin ok"},
			want:  []Gap{{1, "is skin ok"}, {1, "skin rash?"}, {1, "dairy and oily skin"}},
		},
		{
			name:  "sharing only skin, two terms each",
			texts: []string{"skin rash?", "sugar and skin"},
			want:  []Gap{{1, "sugar and skin"}, {1, "skin rash?"}},
		},
		{
			name:  "sharing only gut and skin",
			texts: []string{"gut, skin and acne", "gut and skin and eczema", "what is leaky gut", "gut health"},
			want:  []Gap{{1, "gut health"}, {1, "what is leaky gut"}, {1, "gut and skin and eczema"}, {1, "gut, skin and acne"}},
		},
		{
			name:  "one shared term between short questions",
			texts: []string{"magnesium for sleep", "magnesium for insomnia?"},
			want:  []Gap{{2, "magnesium for insomnia?"}},
		},
		{
			name:  "no terms: by exact wording",
			texts: []string{"What is it?", "???", "what is  it", "Why?"},
			want:  []Gap{{2, "what is  it"}, {1, "Why?"}, {1, "???"}},
		},
		{
			name:  "most frequent wording, else most recent",
			texts: []string{"Zinc for acne?", "zinc for acne", "acne and zinc", "zinc and acne?"},
			want:  []Gap{{4, "zinc for acne"}},
		},
		{
			name: "none",
			want: []Gap{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := groupGaps(asks(tt.texts...), tt.terms)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("groups:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

// TestGroupGapsAnyOrder: whichever order the reworded questions come in,
// the topics come out as the same groups.
func TestGroupGapsAnyOrder(t *testing.T) {
	for _, terms := range []struct {
		name string
		f    func(string) []string
	}{{"fallback", nil}, {"analysed", analysed}} {
		for seed := range uint64(50) {
			order := slices.Clone(topical)
			rand.New(rand.NewPCG(seed, 1)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			var texts []string
			topic := map[string]string{}
			for _, q := range order {
				texts = append(texts, q.text)
				topic[q.text] = q.topic
			}
			want := map[string][]int{"coffee": {6}, "tattoo": {5}, "magnesium": {4}}
			got := map[string][]int{}
			for _, g := range groupGaps(asks(texts...), terms.f) {
				tp := topic[g.Example]
				if tp == "" {
					tp = g.Example
				}
				got[tp] = append(got[tp], g.Count)
			}
			for _, q := range topical {
				if q.topic == "" {
					want[q.text] = []int{1}
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s terms, order %d %q:\n got %v\nwant %v", terms.name, seed, texts, got, want)
			}
		}
	}
}

func TestFallbackTerms(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Does coffee cause hair loss?", []string{"coffee", "hair", "loss"}},
		{"coffee and hair loss — linked?", []string{"coffee", "hair", "loss"}},
		{"can coffee make my hair fall out", []string{"coffee", "hair", "fall"}},
		{"Tattoos & eczema: it's safe?", []string{"tattoo", "eczema", "safe"}},
		{"I can't sleep—would magnesium help?", []string{"sleep", "magnesium"}},
		{"Berries, stress, psoriasis, virus, gas", []string{"berry", "stress", "psoriasis", "virus", "gas"}},
		{"Vitamin D or B12 for ACNE acne", []string{"vitamin", "d", "b12", "acne"}},
		{"Probiotics’ effects on the gut-skin axis", []string{"probiotic", "gut", "skin", "axis"}},
		{"ÉCZÉMA", []string{"éczéma"}},
		{"what is it?", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := fallbackTerms(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJoins(t *testing.T) {
	tests := []struct {
		a, b, shared int
		want         bool
	}{
		{1, 1, 1, true},
		{2, 2, 1, true}, // one shared term is enough for a short question
		{2, 5, 1, true},
		{3, 3, 1, false}, // but not for two longer ones
		{3, 3, 2, true},
		{4, 6, 2, true},
		{5, 6, 2, false}, // 2/5 < 0.5
		{3, 2, 1, true},
		{2, 2, 0, false},
	}
	for _, tt := range tests {
		if got := joins(tt.a, tt.b, tt.shared); got != tt.want {
			t.Errorf("joins(%d, %d, %d) = %v, want %v", tt.a, tt.b, tt.shared, got, tt.want)
		}
	}
}

// TestWording: the wordings an example is chosen by.
func TestWording(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"Does coffee cause hair loss?", "does coffee  cause hair loss"},
		{"  Why?! ", "why"},
	} {
		if wording(tt.a) != wording(tt.b) {
			t.Errorf("%q and %q are different wordings: %q, %q", tt.a, tt.b, wording(tt.a), wording(tt.b))
		}
	}
	if strings.Contains(wording("a\tb\nc"), "\t") {
		t.Error("tabs kept")
	}
}
