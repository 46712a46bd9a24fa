package index

import (
	"os"
	"path/filepath"
	"testing"

	"gutskin/corpus"
)

// polyphenolLibrary has two sections that both talk about polyphenols:
// the words of "what are polyphenols?" fit each, and only the questions
// each section lists tell them apart.
func polyphenolLibrary(t *testing.T, withQuestions bool) map[string]string {
	t.Helper()
	skinQs, whatQs := "", ""
	if withQuestions {
		skinQs = "<!-- questions:\n- do polyphenols help my skin\n- are polyphenol pills good for wrinkles\n-->\n\n"
		whatQs = "<!-- questions:\n- what even are polyphenols\n- what is a polyphenol\n-->\n\n"
	}
	files := map[string]string{"polyphenols.md": "---\ntitle: Polyphenols\n---\n\n" +
		"## What the review measured\n\n" + skinQs +
		"Polyphenols are sold for the skin, but the polyphenol review in our library looked at the gut and measured no skin outcome, so claims about wrinkles go beyond it.\n\n" +
		"## Plant compounds\n\n" + whatQs +
		"Polyphenols are plant compounds found in berries, tea, cocoa and olive oil, and many of them reach the large intestine, where gut microbes break them down into smaller molecules.\n"}
	// The fixture library around them gives the words their weight.
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		body, err := os.ReadFile(filepath.Join(fixtureDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(body)
	}
	return files
}

func TestListedQuestionsOrderSections(t *testing.T) {
	tests := []struct {
		q       string
		section string
	}{
		{"what are polyphenols?", "Plant compounds"},
		{"what even is a polyphenol lol", "Plant compounds"},
		{"do polyphenols help skin", "What the review measured"},
	}
	ix, _ := openIndex(t, Options{Load: loader(mapFS(polyphenolLibrary(t, true)))})
	for _, tt := range tests {
		hits := mustSearch(t, ix, tt.q, 1)
		if len(hits) != 1 {
			t.Fatalf("%q: no answer", tt.q)
		}
		if got := hits[0].Passage.Section; len(got) != 1 || got[0] != tt.section {
			t.Errorf("%q: top hit from %q, want %q", tt.q, got, tt.section)
		}
	}
	// Without the listed questions, words alone put the passage that
	// repeats "polyphenols" first: the listed questions made the difference.
	plain, _ := openIndex(t, Options{Load: loader(mapFS(polyphenolLibrary(t, false)))})
	if hits := mustSearch(t, plain, "what are polyphenols?", 1); len(hits) != 1 || hits[0].Passage.Section[0] != "What the review measured" {
		t.Errorf("control: without questions the top hit is %v", hits)
	}
}

// A generation opened from disk reads the listed questions from its stored
// passages, so it orders answers as the one that was built did.
func TestListedQuestionsSurviveReopening(t *testing.T) {
	dir := t.TempDir()
	built, _ := openIndex(t, Options{Dir: dir, Load: loader(mapFS(polyphenolLibrary(t, true)))})
	built.Close()
	reopened, info := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t), Reuse: ReuseAny})
	if info.Rebuilt {
		t.Fatal("the index was rebuilt, not reopened")
	}
	hits := mustSearch(t, reopened, "what are polyphenols?", 1)
	if len(hits) != 1 || hits[0].Passage.Section[0] != "Plant compounds" {
		t.Errorf("reopened index answers %v, want the section that lists the question", hits)
	}
}

// Words the library indexes weigh what they weigh in the search: a listed
// question that shares a member's small words ("the other way round") but
// names another condition must not beat sections about the condition the
// member named, which their listed questions repeat and so make common.
func TestAskedWeighsTopicWordsLikeTheSearch(t *testing.T) {
	gen, err := fixtureIndex(t).acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer gen.users.Done()
	a := gen.bidx.Mapping().AnalyzerNamed(analyzerName)
	passages := map[string]corpus.Passage{
		"rosacea": {Questions: []string{"could rosacea be messing with my gut instead of the other way round"}},
		"psoriasis": {Questions: []string{
			"is psoriasis caused by the gut",
			"does psoriasis start in the gut",
			"psoriasis and gut bacteria",
		}},
	}
	term := func(w string) string { return analyzeTokens(a, w)[0] }
	library := &vocabulary{docs: 100, docFreq: map[string]uint64{
		term("psoriasis"): 5, term("rosacea"): 5, term("gut"): 60, term("messing"): 20,
	}}
	q := "can psoriasis mess with your gut or is it the other way round"
	lt, err := newListedTerms(a)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string][][]string{}
	for id, p := range passages {
		listed[id] = lt.rank(p).Listed
	}
	idf, unknown := lt.idf()
	closer := func(v *vocabulary) string {
		aq, err := newAskedQuestions(a, v, answerData{ListedIDF: idf, ListedUnknownIDF: unknown})
		if err != nil {
			t.Fatal(err)
		}
		qv := aq.vector(aq.termSet(q))
		switch ps, rs := aq.similarity(qv, listed["psoriasis"]...), aq.similarity(qv, listed["rosacea"]...); {
		case ps > rs:
			return "psoriasis"
		case rs > ps:
			return "rosacea"
		}
		return "neither"
	}
	if got := closer(library); got != "psoriasis" {
		t.Errorf("with the library's weights %q is closest to the %s section, want psoriasis", q, got)
	}
	// Control: weighed only by the listed questions, the shared small words
	// win.
	if got := closer(&vocabulary{docs: library.docs, docFreq: map[string]uint64{}}); got != "rosacea" {
		t.Errorf("control: weighed by listed questions alone, %q is closest to the %s section", q, got)
	}
}
