package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"

	"gutskin/index"
	"gutskin/internal/quality"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitCode(evalCommand(ctx, args, stdout, stderr), stderr)
}

func evalCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lib := addLibraryFlags(fs)
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return usagef("eval: %w", err)
	}
	if len(files) == 0 {
		return usagef("eval: name a question file (JSON lines of {\"q\": ..., \"gold\": [...]} or {\"q\": ..., \"none\": true})")
	}
	sets := make([][]quality.Question, len(files))
	for i, file := range files {
		if sets[i], err = quality.ReadQuestions(file); err != nil {
			return usagef("eval: %w", err)
		}
	}
	ix, _, err := lib.openFor(ctx, index.ReuseAny, stderr)
	if err != nil {
		return err
	}
	defer ix.Close()
	for i, file := range files {
		res, err := evaluate(ctx, ix, sets[i])
		if err != nil {
			return fmt.Errorf("eval: %s: %w", file, err)
		}
		reach, err := candidateRecall(ctx, ix, sets[i])
		if err != nil {
			return fmt.Errorf("eval: %s: %w", file, err)
		}
		if *asJSON {
			b, err := json.Marshal(struct {
				File string `json:"file"`
				quality.Result
				CandidateRecall float64 `json:"candidate_recall"`
			}{file, res, reach})
			if err != nil {
				return fmt.Errorf("encode result: %w", err)
			}
			fmt.Fprintln(stdout, string(b))
			continue
		}
		writeEval(stdout, file, res, reach)
	}
	return nil
}

// evaluate scores the index on a question set; a silent answer is explained
// by the best passage that fell below the answer rule.
func evaluate(ctx context.Context, ix *index.Index, questions []quality.Question) (quality.Result, error) {
	return quality.Evaluate(ctx, searchAnswerer{ix}, questions, func(q string) string {
		cands, err := ix.Candidates(ctx, q)
		if err != nil || len(cands) == 0 {
			return "no candidate"
		}
		return fmt.Sprintf("best candidate, confidence %.2f: %.80s…", cands[0].Confidence, cands[0].Passage.Text)
	})
}

// candidateRecall is the share of answerable questions whose gold passage
// is among the candidates the answer rule weighs for the whole message,
// whether it answers or not. Set against Recall@1, it tells a miss the
// search never found from one that ordering or the answer rule lost.
func candidateRecall(ctx context.Context, ix *index.Index, questions []quality.Question) (float64, error) {
	var answerable, found int
	for _, q := range questions {
		if q.None {
			continue
		}
		answerable++
		cands, err := ix.Candidates(ctx, q.Q)
		if err != nil {
			return 0, fmt.Errorf("line %d: %w", q.Line, err)
		}
		if slices.ContainsFunc(cands, func(c index.Candidate) bool { return quality.MatchesGold(c.Passage.Text, q.Gold) }) {
			found++
		}
	}
	if answerable == 0 {
		return 0, nil
	}
	return float64(found) / float64(answerable), nil
}

// searchAnswerer answers with the index's confident passages.
type searchAnswerer struct{ ix *index.Index }

func (s searchAnswerer) Answer(ctx context.Context, q string, k int) ([]string, error) {
	hits, err := s.ix.Search(ctx, q, k)
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Passage.Text
	}
	return out, err
}

func writeEval(w io.Writer, file string, r quality.Result, candidateRecall float64) {
	fmt.Fprintf(w, "%s: %d answerable, %d unanswerable\n", file, r.Answerable, r.Unanswerable)
	fmt.Fprintf(w, "  Recall@1           %.3f\n", r.RecallAt1)
	fmt.Fprintf(w, "  MRR@3              %.3f\n", r.MRRAt3)
	fmt.Fprintf(w, "  no-answer accuracy %.3f\n", r.NoAnswerAccuracy)
	fmt.Fprintf(w, "  false silence      %.3f\n", r.FalseSilence)
	fmt.Fprintf(w, "  answer precision   %.3f\n", r.AnswerPrecision)
	fmt.Fprintf(w, "  candidate recall   %.3f\n", candidateRecall)
	fmt.Fprintf(w, "  median answer time %s\n", r.MedianAnswerTime)
	if len(r.Misses) > 0 {
		fmt.Fprintf(w, "  misses (%d):\n", len(r.Misses))
		for _, m := range r.Misses {
			fmt.Fprintf(w, "    line %d: %q\n      want: %s\n      got:  %s\n", m.Line, m.Question, m.Want, m.Got)
		}
	}
}
