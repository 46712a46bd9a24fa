// Package quality measures how well a question-answering system answers a
// question set: Recall@1, MRR@3, no-answer accuracy, false silence and
// answer precision. The `gutskin eval` command and the baseline comparison
// both use it, so every system is scored the same way.
package quality

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"
	"time"

	"gutskin/corpus"
)

// Question is one line of a question set: a question with what identifies
// acceptable passages, or marked as having no answer.
type Question struct {
	Q string `json:"q"`
	// Gold identifies the passages that answer the question: each is a
	// substring of the passage's text, or "id:" and the passage's ID (for
	// libraries whose text may not be copied into a question file).
	Gold []string `json:"gold"`
	None bool     `json:"none"`
	// Line is the question's line in its file.
	Line int `json:"-"`
}

// Set is a question file: its questions and what they are asked of.
type Set struct {
	// Path is the file the set was read from.
	Path string
	// Library is what the questions are asked of; nil means whatever
	// library the evaluation is given.
	Library *Library
	// HeldBack marks a set that is only ever read as figures: reports
	// never show its questions or what came back for them.
	HeldBack  bool
	Questions []Question
}

// ErrNoFolder means a set names a library folder that is not there, as the
// seed posts beside the repository are not on a bare clone.
var ErrNoFolder = errors.New("not a folder")

// LibraryOrBuiltin returns the library the set names, or the built-in one.
func (s Set) LibraryOrBuiltin() Library {
	if s.Library != nil {
		return *s.Library
	}
	return Library{Builtin: true}
}

// Library names the articles a set's questions are asked of, in the set
// file's first line: {"library": {"builtin": true, "folders": ["dir"]}}.
type Library struct {
	// Builtin includes the library embedded in gutskin.
	Builtin bool `json:"builtin"`
	// Folders are folders of articles; in a set file they are relative to
	// the file's folder, after ReadSet absolute.
	Folders []string `json:"folders"`
}

// Name describes the library for a report: "built-in", folder names, or
// both joined with "+".
func (l Library) Name() string {
	var parts []string
	if l.Builtin {
		parts = append(parts, "built-in")
	}
	for _, f := range l.Folders {
		parts = append(parts, filepath.Base(f))
	}
	if len(parts) == 0 {
		return "(empty)"
	}
	return strings.Join(parts, "+")
}

// FS gathers the library's articles into one file system, the folders'
// files beside the built-in ones as if copied into one folder. Two files of
// the same name are an error: one would hide the other.
func (l Library) FS() (fs.FS, error) {
	out := fstest.MapFS{}
	from := map[string]string{} // file name → where it came from
	add := func(fsys fs.FS, src string) error {
		return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("read library %s: %w", src, err)
			}
			if d.IsDir() {
				return nil
			}
			if first, dup := from[name]; dup {
				return fmt.Errorf("library %s: %s is both in %s and in %s", l.Name(), name, first, src)
			}
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return fmt.Errorf("read library %s: %w", src, err)
			}
			out[name] = &fstest.MapFile{Data: data}
			from[name] = src
			return nil
		})
	}
	if l.Builtin {
		if err := add(corpus.Default(), "built-in"); err != nil {
			return nil, err
		}
	}
	for _, f := range l.Folders {
		if err := add(os.DirFS(f), f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// only returns a file system holding just the named file of fsys.
func only(fsys fs.FS, name string) (fs.FS, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read article: %w", err)
	}
	return fstest.MapFS{name: &fstest.MapFile{Data: data}}, nil
}

// EachArticle calls score for every article of the library in fsys that
// answers a question of the set, with a file system holding that article
// alone and the questions it is scored on: those whose answer it holds, and
// every question with no answer at all.
func EachArticle(fsys fs.FS, questions []Question, score func(file string, alone fs.FS, qs []Question) error) error {
	lib, err := corpus.Load(fsys)
	if err != nil {
		return fmt.Errorf("load library: %w", err)
	}
	for _, a := range lib.Articles {
		var qs []Question
		answers := false
		for _, q := range questions {
			if q.None || slices.ContainsFunc(a.Passages, func(p corpus.Passage) bool {
				return MatchesGold(PassageOf(p), q.Gold)
			}) {
				qs = append(qs, q)
				answers = answers || !q.None
			}
		}
		if !answers {
			continue
		}
		alone, err := only(fsys, a.File)
		if err != nil {
			return err
		}
		if err := score(a.File, alone, qs); err != nil {
			return fmt.Errorf("%s alone: %w", a.File, err)
		}
	}
	return nil
}

// Passage is one answer a system gives: its ID, when it has one, and text.
type Passage struct {
	ID, Text string
}

// PassageOf is what scoring needs of a library's passage.
func PassageOf(p corpus.Passage) Passage { return Passage{ID: p.ID, Text: p.Text} }

// Answerer answers a question with passages, best first; none means no
// answer.
type Answerer interface {
	Answer(ctx context.Context, question string, k int) (passages []Passage, err error)
}

// AnswerFunc adapts a function to Answerer.
type AnswerFunc func(ctx context.Context, question string, k int) ([]Passage, error)

// Answer calls f.
func (f AnswerFunc) Answer(ctx context.Context, q string, k int) ([]Passage, error) {
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

	// What the figures are computed from, so results can be combined.
	hits, silent, quiet int
	reciprocal          float64
	times               []time.Duration
}

// Combine pools results of several evaluations into one, as if their
// questions had been one set; misses are not kept.
func Combine(results ...Result) Result {
	out := Result{Misses: []Miss{}}
	for _, r := range results {
		out.Answerable += r.Answerable
		out.Unanswerable += r.Unanswerable
		out.hits += r.hits
		out.silent += r.silent
		out.quiet += r.quiet
		out.reciprocal += r.reciprocal
		out.times = append(out.times, r.times...)
	}
	out.figures()
	return out
}

// figures computes the rates from the counts.
func (res *Result) figures() {
	if res.Answerable > 0 {
		res.RecallAt1 = float64(res.hits) / float64(res.Answerable)
		res.MRRAt3 = res.reciprocal / float64(res.Answerable)
		res.FalseSilence = float64(res.silent) / float64(res.Answerable)
	}
	if res.Unanswerable > 0 {
		res.NoAnswerAccuracy = float64(res.quiet) / float64(res.Unanswerable)
	}
	if answered := res.Answerable - res.silent + res.Unanswerable - res.quiet; answered > 0 {
		res.AnswerPrecision = float64(res.hits) / float64(answered)
	}
	if len(res.times) > 0 {
		times := slices.Clone(res.times)
		slices.Sort(times)
		res.MedianAnswerTime = times[len(times)/2]
	}
}

// Miss is a question whose best answer was wrong or missing.
type Miss struct {
	Line     int    `json:"line"`
	Question string `json:"question"`
	Want     string `json:"want"`
	Got      string `json:"got"`
}

// setHeader is the optional first line of a set file.
type setHeader struct {
	Library  *Library `json:"library"`
	HeldBack bool     `json:"held_back"`
}

// ReadSet reads a question set of JSON lines, naming the line of any bad
// entry. Its first line may say what library the questions are asked of
// and whether the set is held back.
func ReadSet(path string) (Set, error) {
	set := Set{Path: path}
	f, err := os.Open(path)
	if err != nil {
		return set, fmt.Errorf("read question set: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	header := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		raw := []byte(line)
		if isHeader(raw) {
			if len(set.Questions) > 0 || header {
				return set, fmt.Errorf("%s:%d: a \"library\" or \"held_back\" line must come first, once", path, n)
			}
			header = true
			if err := readHeader(&set, raw); err != nil {
				return set, fmt.Errorf("%s:%d: %w", path, n, err)
			}
			continue
		}
		var q Question
		if err := json.Unmarshal(raw, &q); err != nil {
			return set, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if strings.TrimSpace(q.Q) == "" || q.None == (len(q.Gold) > 0) {
			return set, fmt.Errorf("%s:%d: want a non-empty \"q\" and either \"gold\" or \"none\": true", path, n)
		}
		q.Line = n
		set.Questions = append(set.Questions, q)
	}
	if err := sc.Err(); err != nil {
		return set, fmt.Errorf("read %s: %w", path, err)
	}
	return set, nil
}

// isHeader reports whether a line is a set header rather than a question.
func isHeader(line []byte) bool {
	var keys map[string]json.RawMessage
	if json.Unmarshal(line, &keys) != nil {
		return false
	}
	_, q := keys["q"]
	_, lib := keys["library"]
	_, held := keys["held_back"]
	return !q && (lib || held)
}

// readHeader reads a set's header line into set, resolving the library's
// folders against the set file's folder.
func readHeader(set *Set, line []byte) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var h setHeader
	if err := dec.Decode(&h); err != nil {
		return err
	}
	if h.Library != nil {
		if !h.Library.Builtin && len(h.Library.Folders) == 0 {
			return fmt.Errorf("\"library\" names no articles: want \"builtin\": true or \"folders\"")
		}
		for i, f := range h.Library.Folders {
			if !filepath.IsAbs(f) {
				f = filepath.Join(filepath.Dir(set.Path), f)
			}
			switch st, err := os.Stat(f); {
			case errors.Is(err, fs.ErrNotExist), err == nil && !st.IsDir():
				return fmt.Errorf("library folder %s: %w", f, ErrNoFolder)
			case err != nil:
				return fmt.Errorf("library folder: %w", err)
			}
			h.Library.Folders[i] = f
		}
	}
	set.Library, set.HeldBack = h.Library, h.HeldBack
	return nil
}

// Evaluate answers every question with up to three passages and scores the
// answers. explain, when not nil, describes what a silent answer came close
// to.
func Evaluate(ctx context.Context, a Answerer, questions []Question, explain func(question string) string) (Result, error) {
	res := Result{Misses: []Miss{}}
	for _, q := range questions {
		start := time.Now()
		passages, err := a.Answer(ctx, q.Q, 3)
		res.times = append(res.times, time.Since(start))
		if err != nil {
			return res, fmt.Errorf("line %d: %w", q.Line, err)
		}
		if q.None {
			res.Unanswerable++
			if len(passages) == 0 {
				res.quiet++
			} else {
				res.Misses = append(res.Misses, Miss{q.Line, q.Q, "no answer", preview(passages[0].Text)})
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
			res.reciprocal += 1 / float64(rank)
		}
		switch {
		case rank == 1:
			res.hits++
		case len(passages) == 0:
			res.silent++
			got := "nothing"
			if explain != nil {
				got += " (" + explain(q.Q) + ")"
			}
			res.Misses = append(res.Misses, Miss{q.Line, q.Q, q.Gold[0], got})
		default:
			res.Misses = append(res.Misses, Miss{q.Line, q.Q, q.Gold[0], preview(passages[0].Text)})
		}
	}
	res.figures()
	return res, nil
}

// MatchesGold reports whether a passage is one a question's gold entries
// identify: by ID for an "id:" entry, else by a substring of its text.
func MatchesGold(p Passage, gold []string) bool {
	for _, g := range gold {
		if id, ok := strings.CutPrefix(g, "id:"); ok {
			if p.ID != "" && p.ID == id {
				return true
			}
			continue
		}
		if strings.Contains(p.Text, g) {
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
