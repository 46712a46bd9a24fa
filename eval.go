package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"gutskin/corpus"
	"gutskin/index"
	"gutskin/internal/quality"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitCode(evalCommand(ctx, args, stdout, stderr), stderr)
}

// evalRow is one line of eval's report: one set scored on one library. Its
// JSON is what `eval --json` prints, one row per line.
type evalRow struct {
	Library string `json:"library"`
	File    string `json:"file"`
	// Article is set on a row that scores one article alone; "all" on the
	// row that pools every article of the library alone.
	Article  string `json:"article,omitempty"`
	HeldBack bool   `json:"held_back"`
	quality.Result
	CandidateRecall float64 `json:"candidate_recall"`

	reach int // answerable questions whose gold is a candidate, for pooling
}

// setReach sets the row's candidate recall from reach.
func (r *evalRow) setReach(reach int) {
	r.reach = reach
	if r.Answerable > 0 {
		r.CandidateRecall = float64(reach) / float64(r.Answerable)
	}
}

func evalCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lib := addLibraryFlags(fs)
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	eachArticle := fs.Bool("each-article", false, "also score each article of a set's library alone")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return usagef("eval: %w", err)
	}
	if len(files) == 0 {
		return usagef("eval: name a question file (JSON lines of {\"q\": ..., \"gold\": [...]} or {\"q\": ..., \"none\": true})")
	}
	if *lib.corpus != "" {
		if err := checkCorpusFlag(*lib.corpus); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
	}
	// CORPUS_DIR and INDEX_DIR may come from .env, as for ask.
	if err := loadDotEnv(); err != nil {
		return err
	}
	logger, err := newLogger(stderr)
	if err != nil {
		return err
	}
	sets := make([]quality.Set, len(files))
	for i, file := range files {
		if sets[i], err = quality.ReadSet(file); err != nil {
			return usagef("eval: %w", err)
		}
		if sets[i].Library != nil && *lib.corpus != "" {
			return usagef("eval: %s names its library in its first line; leave out --corpus", file)
		}
	}
	e := &evaluator{flags: lib, stderr: stderr, log: logger, indexes: map[string]*index.Index{}}
	defer e.close()
	var rows []evalRow
	for _, set := range sets {
		got, err := e.scoreSet(ctx, set, *eachArticle)
		if err != nil {
			return fmt.Errorf("eval: %s: %w", set.Path, err)
		}
		rows = append(rows, got...)
	}
	if *asJSON {
		for _, r := range rows {
			if r.HeldBack {
				r.Misses = []quality.Miss{} // read only as figures
			}
			b, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("encode result: %w", err)
			}
			fmt.Fprintln(stdout, string(b))
		}
		return nil
	}
	writeEval(stdout, rows)
	return nil
}

// evaluator opens each library a run needs once.
type evaluator struct {
	flags   libraryFlags
	stderr  io.Writer
	log     *slog.Logger
	indexes map[string]*index.Index // by what the library is made of; "" is an index on disk
}

func (e *evaluator) close() {
	for _, ix := range e.indexes {
		ix.Close()
	}
}

// library resolves what a set is scored on: the library its first line
// names, else --corpus, else the index --index or INDEX_DIR names (lib is
// then nil and name says which), else CORPUS_DIR when it holds articles,
// else the built-in library.
func (e *evaluator) library(set quality.Set) (lib *quality.Library, name string) {
	if set.Library != nil {
		return set.Library, set.Library.Name()
	}
	if *e.flags.corpus != "" {
		l := quality.Library{Folders: []string{*e.flags.corpus}}
		return &l, l.Name()
	}
	if dir := indexDir(*e.flags.index); dir != "" {
		return nil, "index " + dir
	}
	if dir := corpusDir(e.log); dir != "" {
		l := quality.Library{Folders: []string{dir}}
		return &l, l.Name()
	}
	return &quality.Library{Builtin: true}, "built-in"
}

// engine returns an index of lib, built in memory, or the index on disk
// the flags name when lib is nil.
func (e *evaluator) engine(ctx context.Context, lib *quality.Library) (*index.Index, error) {
	key := ""
	if lib != nil {
		key = fmt.Sprint(lib.Builtin, lib.Folders)
	}
	if ix, ok := e.indexes[key]; ok {
		return ix, nil
	}
	var ix *index.Index
	var err error
	if lib == nil {
		ix, _, err = e.flags.openFor(ctx, index.ReuseAny, e.stderr, nil)
	} else {
		fsys, ferr := lib.FS()
		if ferr != nil {
			return nil, ferr
		}
		ix, err = openMemory(ctx, fsys)
		if errors.Is(err, index.ErrEmptyLibrary) {
			return nil, usagef("library %s holds no article", lib.Name())
		}
	}
	if err != nil {
		return nil, err
	}
	e.indexes[key] = ix
	return ix, nil
}

// openMemory builds an in-memory index of a library.
func openMemory(ctx context.Context, fsys fs.FS) (*index.Index, error) {
	ix, _, err := index.Open(ctx, index.Options{Load: func(context.Context) (*corpus.Library, error) { return corpus.Load(fsys) }})
	return ix, err
}

// scoreSet scores a set on its library and, with each, on every article of
// that library alone.
func (e *evaluator) scoreSet(ctx context.Context, set quality.Set, each bool) ([]evalRow, error) {
	lib, name := e.library(set)
	if each && lib == nil {
		return nil, usagef("--each-article scores the articles of a library, and %s names none: give --corpus, or leave out --index and INDEX_DIR", set.Path)
	}
	ix, err := e.engine(ctx, lib)
	if err != nil {
		return nil, err
	}
	row, err := scoreOn(ctx, ix, set.Questions)
	if err != nil {
		return nil, err
	}
	row.Library, row.File, row.HeldBack = name, set.Path, set.HeldBack
	rows := []evalRow{row}
	if !each {
		return rows, nil
	}
	fsys, err := lib.FS()
	if err != nil {
		return nil, err
	}
	var pooled []evalRow
	err = quality.EachArticle(fsys, set.Questions, func(file string, alone fs.FS, qs []quality.Question) error {
		aix, err := openMemory(ctx, alone)
		if err != nil {
			return err
		}
		defer aix.Close()
		r, err := scoreOn(ctx, aix, qs)
		if err != nil {
			return err
		}
		r.Library, r.File, r.Article, r.HeldBack = name, set.Path, file, set.HeldBack
		pooled = append(pooled, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows = append(rows, pooled...)
	if len(pooled) > 0 {
		rows = append(rows, pool(pooled))
	}
	return rows, nil
}

// pool combines the rows of every article alone into one.
func pool(rows []evalRow) evalRow {
	results := make([]quality.Result, len(rows))
	reach := 0
	for i, r := range rows {
		results[i] = r.Result
		reach += r.reach
	}
	out := evalRow{Library: rows[0].Library, File: rows[0].File, Article: "all", HeldBack: rows[0].HeldBack, Result: quality.Combine(results...)}
	out.setReach(reach)
	return out
}

// scoreOn scores one index on questions.
func scoreOn(ctx context.Context, ix *index.Index, questions []quality.Question) (evalRow, error) {
	res, err := evaluate(ctx, ix, questions)
	if err != nil {
		return evalRow{}, err
	}
	reach := 0
	for _, q := range questions {
		if q.None {
			continue
		}
		cands, err := ix.Candidates(ctx, q.Q)
		if err != nil {
			return evalRow{}, fmt.Errorf("line %d: %w", q.Line, err)
		}
		if slices.ContainsFunc(cands, func(c index.Candidate) bool { return quality.MatchesGold(quality.PassageOf(c.Passage), q.Gold) }) {
			reach++
		}
	}
	row := evalRow{Result: res}
	row.setReach(reach)
	return row, nil
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

// searchAnswerer answers with the index's confident passages.
type searchAnswerer struct{ ix *index.Index }

func (s searchAnswerer) Answer(ctx context.Context, q string, k int) ([]quality.Passage, error) {
	hits, err := s.ix.Search(ctx, q, k)
	out := make([]quality.Passage, len(hits))
	for i, h := range hits {
		out[i] = quality.PassageOf(h.Passage)
	}
	return out, err
}

// writeEval prints one row per library and set, then the misses of every
// set that is not held back.
func writeEval(w io.Writer, rows []evalRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "library\tset\tanswerable\toff-topic\tRecall@1\tMRR@3\tno-answer\tfalse silence\tprecision\tcandidates\tmedian\t")
	for _, r := range rows {
		lib := r.Library
		switch r.Article {
		case "":
		case "all":
			lib += ": each article alone"
		default:
			lib += ": " + r.Article
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t\n", lib, filepath.Base(r.File),
			r.Answerable, r.Unanswerable, r.RecallAt1, r.MRRAt3, r.NoAnswerAccuracy, r.FalseSilence, r.AnswerPrecision,
			r.CandidateRecall, r.MedianAnswerTime.Round(10_000))
	}
	tw.Flush()
	for _, r := range rows {
		if r.Article != "" || len(r.Misses) == 0 {
			continue
		}
		if r.HeldBack {
			fmt.Fprintf(w, "\n%s on %s: %d misses, not shown (held back)\n", filepath.Base(r.File), r.Library, len(r.Misses))
			continue
		}
		fmt.Fprintf(w, "\n%s on %s: %d misses\n", filepath.Base(r.File), r.Library, len(r.Misses))
		for _, m := range r.Misses {
			fmt.Fprintf(w, "  line %d: %q\n    want: %s\n    got:  %s\n", m.Line, m.Question, m.Want, m.Got)
		}
	}
}
