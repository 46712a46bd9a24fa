package quality

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// canned answers each question with fixed passages.
func canned(answers map[string][]string) AnswerFunc {
	return func(_ context.Context, q string, k int) ([]string, error) {
		if q == "boom" {
			return nil, errors.New("engine failed")
		}
		a := answers[q]
		if len(a) > k {
			a = a[:k]
		}
		return a, nil
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

func TestReadQuestions(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	os.WriteFile(good, []byte("{\"q\": \"a\", \"gold\": [\"x\"]}\n\n// a comment\n{\"q\": \"b\", \"none\": true}\n"), 0o644)
	qs, err := ReadQuestions(good)
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
		if _, err := ReadQuestions(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to name the line", tt.name, err)
		}
	}
	if _, err := ReadQuestions(filepath.Join("testdata", "bad-line.jsonl")); err == nil || !strings.Contains(err.Error(), "bad-line.jsonl:2:") {
		t.Errorf("testdata/bad-line.jsonl: err = %v, want line 2", err)
	}
}
