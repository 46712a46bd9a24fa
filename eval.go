package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"gutskin/index"
)

// evalQuestion is one line of a question set: a question with substrings
// that identify acceptable passages, or marked as having no answer.
type evalQuestion struct {
	Q    string   `json:"q"`
	Gold []string `json:"gold"`
	None bool     `json:"none"`
	line int
}

// evalResult holds the answer-quality figures of one question set.
type evalResult struct {
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	RecallAt1    float64 `json:"recall_at_1"`
	MRRAt3       float64 `json:"mrr_at_3"`
	// NoAnswerAccuracy is the share of unanswerable questions answered with
	// nothing.
	NoAnswerAccuracy float64 `json:"no_answer_accuracy"`
	// FalseSilence is the share of answerable questions answered with
	// nothing.
	FalseSilence float64    `json:"false_silence"`
	Misses       []evalMiss `json:"misses"`
}

// evalMiss is a question whose best answer was wrong or missing.
type evalMiss struct {
	Line     int    `json:"line"`
	Question string `json:"question"`
	Want     string `json:"want"`
	Got      string `json:"got"`
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitCode(evalCommand(ctx, args, stdout, stderr), stderr)
}

func evalCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	corpusDir := fs.String("corpus", "", "folder of articles (default: CORPUS_DIR, else the embedded library)")
	indexFlag := fs.String("index", "", "index directory (default: INDEX_DIR, else in memory)")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return usagef("eval: %v", err)
	}
	if len(files) == 0 {
		return usagef("eval: name a question file (JSON lines of {\"q\": ..., \"gold\": [...]} or {\"q\": ..., \"none\": true})")
	}
	if err := loadDotEnv(); err != nil {
		return err
	}
	logger, err := newLogger(stderr)
	if err != nil {
		return err
	}
	ix, _, err := openEngine(ctx, *corpusDir, *indexFlag, index.ReuseAny, logger)
	if err != nil {
		return err
	}
	defer ix.Close()
	for _, file := range files {
		questions, err := readQuestions(file)
		if err != nil {
			return err
		}
		res, err := evaluate(ctx, ix, questions)
		if err != nil {
			return err
		}
		if *asJSON {
			b, _ := json.Marshal(struct {
				File string `json:"file"`
				evalResult
			}{file, res})
			fmt.Fprintln(stdout, string(b))
			continue
		}
		writeEval(stdout, file, res)
	}
	return nil
}

// readQuestions reads a question set, naming the line of any bad entry.
func readQuestions(path string) ([]evalQuestion, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("eval: %v", err)
	}
	defer f.Close()
	var out []evalQuestion
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		var q evalQuestion
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, usagef("eval: %s:%d: %v", path, n, err)
		}
		if strings.TrimSpace(q.Q) == "" || q.None == (len(q.Gold) > 0) {
			return nil, usagef("eval: %s:%d: want a non-empty \"q\" and either \"gold\" or \"none\": true", path, n)
		}
		q.line = n
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: read %s: %w", path, err)
	}
	return out, nil
}


// evaluate answers every question and scores the answers.
func evaluate(ctx context.Context, ix *index.Index, questions []evalQuestion) (evalResult, error) {
	var res evalResult
	res.Misses = []evalMiss{}
	var hitsAt1, silent, quiet int
	var rr float64
	for _, q := range questions {
		hits, err := ix.Search(ctx, q.Q, 3)
		if err != nil {
			return res, fmt.Errorf("eval: line %d: %w", q.line, err)
		}
		if q.None {
			res.Unanswerable++
			if len(hits) == 0 {
				quiet++
			} else {
				res.Misses = append(res.Misses, evalMiss{q.line, q.Q, "no answer", preview(hits[0].Passage.Text)})
			}
			continue
		}
		res.Answerable++
		rank := 0
		for i, h := range hits {
			if matchesGold(h.Passage.Text, q.Gold) {
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
		case len(hits) == 0:
			silent++
			got := "nothing"
			if cands, err := ix.Candidates(ctx, q.Q); err == nil && len(cands) > 0 {
				got = fmt.Sprintf("nothing (best candidate, coverage %.2f: %s)", cands[0].Coverage, preview(cands[0].Passage.Text))
			}
			res.Misses = append(res.Misses, evalMiss{q.line, q.Q, q.Gold[0], got})
		default:
			res.Misses = append(res.Misses, evalMiss{q.line, q.Q, q.Gold[0], preview(hits[0].Passage.Text)})
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
	sort.SliceStable(res.Misses, func(i, j int) bool { return res.Misses[i].Line < res.Misses[j].Line })
	return res, nil
}

func matchesGold(text string, gold []string) bool {
	for _, g := range gold {
		if strings.Contains(text, g) {
			return true
		}
	}
	return false
}

func preview(s string) string {
	r := []rune(s)
	if len(r) > 90 {
		return string(r[:89]) + "…"
	}
	return s
}

func writeEval(w io.Writer, file string, r evalResult) {
	fmt.Fprintf(w, "%s: %d answerable, %d unanswerable\n", file, r.Answerable, r.Unanswerable)
	fmt.Fprintf(w, "  Recall@1           %.3f\n", r.RecallAt1)
	fmt.Fprintf(w, "  MRR@3              %.3f\n", r.MRRAt3)
	fmt.Fprintf(w, "  no-answer accuracy %.3f\n", r.NoAnswerAccuracy)
	fmt.Fprintf(w, "  false silence      %.3f\n", r.FalseSilence)
	if len(r.Misses) > 0 {
		fmt.Fprintf(w, "  misses (%d):\n", len(r.Misses))
		for _, m := range r.Misses {
			fmt.Fprintf(w, "    line %d: %q\n      want: %s\n      got:  %s\n", m.Line, m.Question, m.Want, m.Got)
		}
	}
}
