package index

import (
	"context"
	"strings"
	"testing"
	"time"

	"gutskin/corpus"
	"gutskin/index/rule"
)

// hostileQuestions are questions a member may type, paste or fat-finger
// that must never fail: Bleve query syntax, stop words only, nothing but
// punctuation, pastes of 10 KB, bytes that are not UTF-8.
func hostileQuestions() []string {
	return []string{
		"", " ", "\n\t\r", "?", "???", "!!!", "...", "—", "¿¡", "🙂", "🙂🤔🔥 💩", "❤️‍🔥", "👍🏽👍🏽",
		"the and of to in it", "what does it do and how can I help?", "is it?", "how?", "why why why",
		`+ - ~ * : ^ " ? ( )`, `+`, `-`, `~`, `*`, `:`, `^`, `"`, `?`, `(`, `)`, `\`, `/`, `[`, `]`, `{`, `}`, `&&`, `||`, `!`,
		`kefir:`, `:kefir`, `text:kefir`, `title:"kefir"`, `kefir^abc`, `kefir^2`, `kefir^`, `kefir~5`, `kefir~`, `kefir~abc`,
		`"x`, `"kefir acne`, `kefir"`, `acne?`, `ac*e`, `kefir*`, `*kefir*`, `/kef.*/`, `+kefir -acne`, `-kefir`, `+kefir +acne`,
		`(kefir OR acne) AND NOT milk`, `kefir AND`, `OR OR OR`, `NOT`, `[1 TO 5]`, `{* TO *}`, `kefir\`, `\"kefir\"`,
		`((((((((((kefir))))))))))`, strings.Repeat("(", 5000), strings.Repeat(`"`, 3000), strings.Repeat("~^*:", 2500),
		strings.Repeat("kefir acne probiotics eczema ", 360),
		strings.Repeat("a", 10240), strings.Repeat("antidisestablishmentarianism", 370), strings.Repeat("🙂", 2600),
		strings.Repeat("does ", 2048), strings.Repeat("x ", 5120), strings.Repeat("é", 5121) + "kefir",
		"\xff", "\xff\xfe\xfd", "kefir\xffacne", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80", "\x00kefir\x00", "\x1b[31mkefir\x1b[0m",
		strings.Repeat("\xff", 10000) + " kefir acne", "kefir " + strings.Repeat("\xfe", 10000),
		"\u202ekefir\u202c", "k\u200be\u200bf\u200bi\u200br", "ＫＥＦＩＲ", "İstanbul ı", "ǅ", "\uFEFFkefir",
		"AD AD AD AD", "atopic atopic dermatitis dermatitis", "leaky leaky gut gut", "probiotcs eczma acen skn",
	}
}

// checkAnswer asserts what every answer must satisfy, whatever the question.
func checkAnswer(t testing.TB, ix *Index, q string, k int, ans corpus.Answer) {
	t.Helper()
	if ans.Question != q {
		t.Fatalf("answer to %q names the question %q", q, ans.Question)
	}
	if ans.Hits == nil || ans.SeeAlso == nil || ans.Suggestions == nil {
		t.Fatalf("answer to %q has a nil list: %+v", q, ans)
	}
	if len(ans.Hits) > k {
		t.Fatalf("answer to %q has %d hits, more than %d", q, len(ans.Hits), k)
	}
	if ans.Urgent != "" && ans.Urgent != UrgentLine {
		t.Fatalf("answer to %q has urgent line %q", q, ans.Urgent)
	}
	if len(ans.Hits) == 0 && len(ans.SeeAlso) > 0 {
		t.Fatalf("answer to %q has no hit but see-also %v", q, ans.SeeAlso)
	}
	if len(ans.Hits) > 0 && len(ans.Suggestions) > 0 {
		t.Fatalf("answer to %q has hits and suggestions", q)
	}
	for i, h := range ans.Hits {
		if i > 0 && h.Score > ans.Hits[i-1].Score {
			t.Fatalf("answer to %q: hits not sorted by score", q)
		}
		if h.Passage.ID == "" || h.Passage.Text == "" || len(h.Passage.Citations) == 0 {
			t.Fatalf("answer to %q: incomplete passage %+v", q, h.Passage)
		}
		checkSpans(t, h)
	}
	// The question passed the answer rule, and every hit came close to it.
	gen, err := ix.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer gen.users.Done()
	d, err := gen.decide(context.Background(), q, k)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Answers) != len(ans.Hits) {
		t.Fatalf("answer to %q: %d hits, the rule gave %d answers", q, len(ans.Hits), len(d.Answers))
	}
	confident := false
	for i, a := range d.Answers {
		if d.found[a.Candidate].id != ans.Hits[i].Passage.ID {
			t.Fatalf("answer to %q: hit %d is not the rule's answer %d", q, i, i)
		}
		if a.Confidence < rule.MinConfidence/2 {
			t.Fatalf("answer to %q: hit %d has confidence %v, too far under the answer threshold", q, i, a.Confidence)
		}
		confident = confident || a.Confident()
	}
	for _, a := range d.Ranked {
		confident = confident || a.Confident()
	}
	if len(ans.Hits) > 0 && !confident {
		t.Fatalf("answer to %q: no candidate passes the answer threshold", q)
	}
}

func answerBounded(t testing.TB, ix *Index, q string, k int) corpus.Answer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	ans, err := ix.Answer(ctx, q, k)
	if err != nil {
		t.Fatalf("Answer(%.40q): %v", q, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Answer(%.40q) took %v", q, d)
	}
	return ans
}

func TestHostileQuestionsReturnNormally(t *testing.T) {
	for _, lib := range []struct {
		name string
		ix   func(testing.TB) *Index
	}{{"fixture", fixtureIndex}, {"default", defaultIndex}} {
		ix := lib.ix(t)
		for _, q := range hostileQuestions() {
			ans := answerBounded(t, ix, q, 3)
			checkAnswer(t, ix, q, 3, ans)
			checkAnswer(t, ix, q, 1, answerBounded(t, ix, q, 1))
			hits := mustSearch(t, ix, q, 3)
			if len(hits) != len(ans.Hits) {
				t.Errorf("%s: %.40q: Search gives %d hits, Answer %d", lib.name, q, len(hits), len(ans.Hits))
			}
		}
	}
}

// Query syntax in a question is just punctuation: the words around it are
// still searched, as if the syntax were not there.
func TestQuerySyntaxIsNotParsed(t *testing.T) {
	ix := defaultIndex(t)
	plain := mustSearch(t, ix, "kefir acne", 1)
	if len(plain) == 0 || plain[0].Passage.Slug != "fermented-foods" {
		t.Fatalf("kefir acne: %v", plain)
	}
	for _, q := range []string{
		`kefir: acne`, `kefir^abc acne`, `kefir~5 acne`, `"kefir acne`, `+kefir -acne`, `kefir* acne?`,
		`(kefir OR acne)`, `^kefir ~acne`, `kefir\ acne`, "kefir\xff acne", strings.Repeat("kefir acne ", 900),
	} {
		hits := mustSearch(t, ix, q, 1)
		if len(hits) == 0 || hits[0].Passage.ID != plain[0].Passage.ID {
			t.Errorf("%.40q: got %v, want the passage of %q", q, hitIDs(hits), "kefir acne")
		}
	}
	// A question of nothing but syntax asks about nothing.
	for _, q := range []string{`+ - ~ * : ^ " ? ( )`, `*`, `*:*`, `"`, `~`} {
		if hits := mustSearch(t, ix, q, 3); len(hits) != 0 {
			t.Errorf("%q answered with %v", q, hitIDs(hits))
		}
	}
}

func hitIDs(hits []corpus.Hit) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, h.Passage.Slug+"/"+h.Passage.ID)
	}
	return out
}

// FuzzQuestion feeds arbitrary text to Answer on the default library.
// Seeds are in testdata/fuzz/FuzzQuestion.
func FuzzQuestion(f *testing.F) {
	ix := defaultIndex(f)
	f.Fuzz(func(t *testing.T, q string) {
		ans, err := ix.Answer(context.Background(), q, 3)
		if err != nil {
			t.Fatalf("Answer(%q): %v", q, err)
		}
		checkAnswer(t, ix, q, 3, ans)
	})
}
