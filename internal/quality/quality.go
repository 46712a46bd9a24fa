// Package quality measures how well a question-answering system answers a
// question set: Recall@1, MRR@3, no-answer accuracy, false silence and
// answer precision. The
// `gutskin eval` command and the baseline comparison both use it, so every
// system is scored the same way.
package quality

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Question is one line of a question set: a question with substrings that
// identify acceptable passages, or marked as having no answer.
type Question struct {
	Q    string   `json:"q"`
	Gold []string `json:"gold"`
	None bool     `json:"none"`
	// Line is the question's line in its file.
	Line int `json:"-"`
}

// Answerer answers a question with passages, best first; none means no
// answer.
type Answerer interface {
	Answer(ctx context.Context, question string, k int) (passages []string, err error)
}

// AnswerFunc adapts a function to Answerer.
type AnswerFunc func(ctx context.Context, question string, k int) ([]string, error)

// Answer calls f.
func (f AnswerFunc) Answer(ctx context.Context, q string, k int) ([]string, error) {
	return f(ctx, q, k)
}

// Result holds the figures of one system on one question set.
type Result struct {
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	RecallAt1    float64 `json:"recall_at_1"`
	MRRAt3       float64 `json:"mrr_at_3"`
	// NoAnswerAccuracy is the share of unanswerable questions answered with
	// nothing.
	NoAnswerAccuracy float64 `json:"no_answer_accuracy"`
	// FalseSilence is the share of answerable questions answered with
	// nothing.
	FalseSilence float64 `json:"false_silence"`
	// AnswerPrecision is, of the questions given any answer, the share
	// whose first passage is gold: an answered off-topic question counts
	// against it. It is how far a member can trust an answer.
	AnswerPrecision float64 `json:"answer_precision"`
	// MedianAnswerTime is the median time to answer one question.
	MedianAnswerTime time.Duration `json:"median_answer_ns"`
	Misses           []Miss        `json:"misses"`
}

// Miss is a question whose best answer was wrong or missing.
type Miss struct {
	Line     int    `json:"line"`
	Question string `json:"question"`
	Want     string `json:"want"`
	Got      string `json:"got"`
}

// ReadQuestions reads a question set of JSON lines, naming the line of any
// bad entry.
func ReadQuestions(path string) ([]Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Question
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if strings.TrimSpace(q.Q) == "" || q.None == (len(q.Gold) > 0) {
			return nil, fmt.Errorf("%s:%d: want a non-empty \"q\" and either \"gold\" or \"none\": true", path, n)
		}
		q.Line = n
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// Evaluate answers every question with up to three passages and scores the
// answers. explain, when not nil, describes what a silent answer came close
// to.
func Evaluate(ctx context.Context, a Answerer, questions []Question, explain func(question string) string) (Result, error) {
	res := Result{Misses: []Miss{}}
	var hitsAt1, silent, quiet int
	var rr float64
	var times []time.Duration
	for _, q := range questions {
		start := time.Now()
		passages, err := a.Answer(ctx, q.Q, 3)
		times = append(times, time.Since(start))
		if err != nil {
			return res, fmt.Errorf("line %d: %w", q.Line, err)
		}
		if q.None {
			res.Unanswerable++
			if len(passages) == 0 {
				quiet++
			} else {
				res.Misses = append(res.Misses, Miss{q.Line, q.Q, "no answer", preview(passages[0])})
			}
			continue
		}
		res.Answerable++
		rank := 0
		for i, p := range passages {
			if MatchesGold(p, q.Gold) {
				rank = i + 1
				break
			}
		}
		if rank > 0 {
			rr += 1 / float64(rank)
		}
		switch {
		case rank == 1:
			hitsAt1++
		case len(passages) == 0:
			silent++
			got := "nothing"
			if explain != nil {
				got += " (" + explain(q.Q) + ")"
			}
			res.Misses = append(res.Misses, Miss{q.Line, q.Q, q.Gold[0], got})
		default:
			res.Misses = append(res.Misses, Miss{q.Line, q.Q, q.Gold[0], preview(passages[0])})
		}
	}
	if res.Answerable > 0 {
		res.RecallAt1 = float64(hitsAt1) / float64(res.Answerable)
		res.MRRAt3 = rr / float64(res.Answerable)
		res.FalseSilence = float64(silent) / float64(res.Answerable)
	}
	if res.Unanswerable > 0 {
		res.NoAnswerAccuracy = float64(quiet) / float64(res.Unanswerable)
	}
	if answered := res.Answerable - silent + res.Unanswerable - quiet; answered > 0 {
		res.AnswerPrecision = float64(hitsAt1) / float64(answered)
	}
	if len(times) > 0 {
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		res.MedianAnswerTime = times[len(times)/2]
	}
	return res, nil
}

// MatchesGold reports whether a passage's text is one a question's gold
// substrings identify.
func MatchesGold(text string, gold []string) bool {
	for _, g := range gold {
		if strings.Contains(text, g) {
			return true
		}
	}
	return false
}

// preview shortens a passage for a one-line report.
func preview(s string) string {
	r := []rune(s)
	if len(r) > 90 {
		return string(r[:89]) + "…"
	}
	return s
}
