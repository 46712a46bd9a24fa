package quality

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// canned answers each question with fixed passages.
func canned(answers map[string][]string) AnswerFunc {
	return func(_ context.Context, q string, k int) ([]Passage, error) {
		if q == "boom" {
			return nil, errors.New("engine failed")
		}
		a := answers[q]
		if len(a) > k {
			a = a[:k]
		}
		out := make([]Passage, len(a))
		for i, text := range a {
			out[i] = Passage{ID: "p-" + text, Text: text}
		}
		return out, nil
	}
}

func TestEvaluateFigures(t *testing.T) {
	questions := []Question{
		{Q: "first", Gold: []string{"right"}, Line: 1},              // rank 1
		{Q: "second", Gold: []string{"right"}, Line: 2},             // rank 2
		{Q: "third", Gold: []string{"right", "also fine"}, Line: 3}, // rank 3 via the second gold
		{Q: "silent", Gold: []string{"right"}, Line: 4},             // nothing: false silence
		{Q: "silent too", Gold: []string{"right"}, Line: 8},         // nothing: false silence
		{Q: "wrong", Gold: []string{"right"}, Line: 5},              // answered, never right
		{Q: "off-topic quiet", None: true, Line: 6},                 // correct silence
		{Q: "off-topic answered", None: true, Line: 7},              // wrong answer
	}
	a := canned(map[string][]string{
		"first":              {"the right passage", "x"},
		"second":             {"x", "right here", "y"},
		"third":              {"x", "y", "this is also fine"},
		"wrong":              {"x", "y", "z", "right but fourth"},
		"off-topic answered": {"something"},
	})
	res, err := Evaluate(context.Background(), a, questions, func(string) string { return "why" })
	if err != nil {
		t.Fatal(err)
	}
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	if res.Answerable != 6 || res.Unanswerable != 2 {
		t.Fatalf("counts %d/%d", res.Answerable, res.Unanswerable)
	}
	if !near(res.RecallAt1, 1.0/6) {
		t.Errorf("Recall@1 = %v, want 1/6", res.RecallAt1)
	}
	if want := (1 + 0.5 + 1.0/3) / 6; !near(res.MRRAt3, want) {
		t.Errorf("MRR@3 = %v, want %v", res.MRRAt3, want)
	}
	if !near(res.NoAnswerAccuracy, 0.5) || !near(res.FalseSilence, 2.0/6) {
		t.Errorf("no-answer %v, false silence %v", res.NoAnswerAccuracy, res.FalseSilence)
	}
	// Five questions got an answer (first, second, third, wrong, the
	// answered off-topic one); only the first was right at rank 1. Unlike
	// Recall@1, silent questions do not count.
	if !near(res.AnswerPrecision, 1.0/5) {
		t.Errorf("answer precision = %v, want 0.2", res.AnswerPrecision)
	}
	if len(res.Misses) != 6 {
		t.Fatalf("want 6 misses (ranks 2 and 3, two silent, wrong, answered off-topic), got %d: %+v", len(res.Misses), res.Misses)
	}
	for _, m := range res.Misses {
		if m.Line == 4 && !strings.Contains(m.Got, "why") {
			t.Errorf("a silent miss should carry the explanation: %+v", m)
		}
	}
}

func TestEvaluateStopsOnEngineError(t *testing.T) {
	_, err := Evaluate(context.Background(), canned(nil), []Question{{Q: "boom", Gold: []string{"x"}, Line: 9}}, nil)
	if err == nil || !strings.Contains(err.Error(), "line 9") {
		t.Fatalf("err = %v, want one naming line 9", err)
	}
}

func TestReadSetQuestions(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	os.WriteFile(good, []byte("{\"q\": \"a\", \"gold\": [\"x\"]}\n\n// a comment\n{\"q\": \"b\", \"none\": true}\n"), 0o644)
	set, err := ReadSet(good)
	qs := set.Questions
	if err != nil || len(qs) != 2 || qs[0].Line != 1 || qs[1].Line != 4 || !qs[1].None {
		t.Fatalf("got %+v, %v", qs, err)
	}
	tests := []struct{ name, content, want string }{
		{"not JSON", "{\"q\": \n", ":1:"},
		{"neither gold nor none", "{\"q\": \"a\"}\n", ":1:"},
		{"both gold and none", "{\"q\": \"a\", \"gold\": [\"x\"], \"none\": true}\n", ":1:"},
		{"empty question", "{\"q\": \" \", \"none\": true}\n", ":1:"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, "bad.jsonl")
		os.WriteFile(path, []byte(tt.content), 0o644)
		if _, err := ReadSet(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to name the line", tt.name, err)
		}
	}
	if _, err := ReadSet(filepath.Join("testdata", "bad-line.jsonl")); err == nil || !strings.Contains(err.Error(), "bad-line.jsonl:2:") {
		t.Errorf("testdata/bad-line.jsonl: err = %v, want line 2", err)
	}
}

func TestReadSetHeader(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	if err := os.Mkdir(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(content string) string {
		path := filepath.Join(dir, "set.jsonl")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	set, err := ReadSet(write(`{"library": {"builtin": true, "folders": ["lib"]}, "held_back": true}
{"q": "a", "gold": ["id:abc"]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if set.Library == nil || !set.Library.Builtin || len(set.Library.Folders) != 1 || set.Library.Folders[0] != lib || !set.HeldBack {
		t.Errorf("header read as %+v, held back %v; want built-in plus %s, held back", set.Library, set.HeldBack, lib)
	}
	if got := set.Library.Name(); got != "built-in+lib" {
		t.Errorf("Name() = %q", got)
	}
	if len(set.Questions) != 1 || set.Questions[0].Line != 2 {
		t.Errorf("questions %+v", set.Questions)
	}
	plain, err := ReadSet(write(`{"q": "a", "none": true}` + "\n"))
	if err != nil || plain.Library != nil || plain.HeldBack {
		t.Errorf("a set without a header: %+v, %v", plain, err)
	}
	for _, tt := range []struct{ name, content, want string }{
		{"header after a question", "{\"q\": \"a\", \"none\": true}\n{\"held_back\": true}\n", ":2: a \"library\" or \"held_back\" line must come first"},
		{"two headers", "{\"held_back\": true}\n{\"held_back\": true}\n", ":2:"},
		{"two headers, the first false", "{\"held_back\": false}\n{\"held_back\": true}\n", ":2:"},
		{"missing folder", `{"library": {"folders": ["nowhere"]}}`, ":1: library folder"},
		{"empty library", `{"library": {}}`, ":1: \"library\" names no articles"},
		{"unknown key", `{"library": {"builtin": true}, "heldback": true}`, ":1: json: unknown field"},
	} {
		if _, err := ReadSet(write(tt.content)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// Files of the same name in two of a library's sources are an error, not
// one silently hiding the other.
func TestLibraryFSNames(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for dir, body := range map[string]string{a: "one", b: "two"} {
		if err := os.WriteFile(filepath.Join(dir, "same.md"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(b, "other.md"), []byte("three"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (Library{Folders: []string{a, b}}).FS(); err == nil || !strings.Contains(err.Error(), "same.md is both in") {
		t.Errorf("err = %v, want one naming same.md in both folders", err)
	}
	fsys, err := (Library{Folders: []string{b}}).FS()
	if err != nil {
		t.Fatal(err)
	}
	if data, err := fs.ReadFile(fsys, "other.md"); err != nil || string(data) != "three" {
		t.Errorf("other.md = %q, %v", data, err)
	}
	if _, err := (Library{Builtin: true, Folders: []string{b}}).FS(); err != nil {
		t.Errorf("built-in beside a folder of other names: %v", err)
	}
}

func TestMatchesGold(t *testing.T) {
	p := Passage{ID: "abc123", Text: "Kefir is a fermented milk drink."}
	tests := []struct {
		gold []string
		want bool
	}{
		{[]string{"fermented milk"}, true},
		{[]string{"id:abc123"}, true},
		{[]string{"id:abc"}, false}, // an ID matches whole
		{[]string{"abc123"}, false}, // a bare ID is text
		{[]string{"id:zzz", "Kefir is"}, true},
		{nil, false},
	}
	for _, tt := range tests {
		if got := MatchesGold(p, tt.gold); got != tt.want {
			t.Errorf("MatchesGold(%v) = %v, want %v", tt.gold, got, tt.want)
		}
	}
	if MatchesGold(Passage{Text: "x"}, []string{"id:"}) {
		t.Error("an empty ID matched a passage without one")
	}
}

func TestCombine(t *testing.T) {
	a := canned(map[string][]string{"q1": {"right"}, "q2": {"x"}})
	r1, err := Evaluate(context.Background(), a, []Question{{Q: "q1", Gold: []string{"right"}, Line: 1}, {Q: "q3", None: true, Line: 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Evaluate(context.Background(), a, []Question{{Q: "q2", Gold: []string{"right"}, Line: 1}, {Q: "q4", Gold: []string{"right"}, Line: 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := Combine(r1, r2)
	// Three answerable (one right, one wrong, one silent), one quiet off-topic.
	if all.Answerable != 3 || all.Unanswerable != 1 || all.RecallAt1 != 1.0/3 || all.FalseSilence != 1.0/3 || all.NoAnswerAccuracy != 1 || all.AnswerPrecision != 0.5 {
		t.Errorf("combined %+v", all)
	}
	if len(all.Misses) != 0 {
		t.Errorf("combined results keep no misses: %+v", all.Misses)
	}
}

func FuzzReadSet(f *testing.F) {
	f.Add("{\"q\": \"a\", \"gold\": [\"x\"]}\n")
	f.Add("{\"library\": {\"builtin\": true}, \"held_back\": true}\n{\"q\": \"b\", \"none\": true}\n")
	f.Add("{\"library\": {\"folders\": [\"/\"]}}\n// c\n\n{\"q\": \"c\", \"gold\": [\"id:1\"]}\n")
	f.Add("{\"held_back\": 1}\n")
	f.Add("{\"q\": \"\"}\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(dir, "set.jsonl")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		set, err := ReadSet(path)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("a multi-line error: %q", err)
			}
			return
		}
		for _, q := range set.Questions {
			if strings.TrimSpace(q.Q) == "" || q.None == (len(q.Gold) > 0) || q.Line < 1 {
				t.Errorf("accepted a bad question %+v", q)
			}
		}
		if set.Library != nil && !set.Library.Builtin && len(set.Library.Folders) == 0 {
			t.Errorf("accepted a library naming nothing: %+v", set.Library)
		}
	})
}

func TestEachArticle(t *testing.T) {
	fsys := fstest.MapFS{
		"kefir.md": {Data: []byte("---\ntitle: Kefir\n---\n\nKefir is a fermented milk drink made with grains.\n")},
		"fibre.md": {Data: []byte("---\ntitle: Fibre\n---\n\nFibre feeds the bacteria of the large intestine.\n")},
		"other.md": {Data: []byte("---\ntitle: Other\n---\n\nNothing any question here asks about at all.\n")},
	}
	questions := []Question{
		{Q: "what is kefir", Gold: []string{"fermented milk"}, Line: 1},
		{Q: "what does fibre feed", Gold: []string{"Fibre feeds"}, Line: 2},
		{Q: "best graphics card", None: true, Line: 3},
	}
	got := map[string][]int{}
	err := EachArticle(fsys, questions, func(file string, alone fs.FS, qs []Question) error {
		entries, err := fs.ReadDir(alone, ".")
		if err != nil || len(entries) != 1 || entries[0].Name() != file {
			t.Errorf("%s: the article alone holds %v (%v)", file, entries, err)
		}
		for _, q := range qs {
			got[file] = append(got[file], q.Line)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{"kefir.md": {1, 3}, "fibre.md": {2, 3}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("scored %v, want %v (an article no question is answered by is skipped)", got, want)
	}
	if err := EachArticle(fsys, questions, func(string, fs.FS, []Question) error { return errors.New("boom") }); err == nil || !strings.Contains(err.Error(), "alone: boom") {
		t.Errorf("err = %v, want the scorer's error named by article", err)
	}
}
