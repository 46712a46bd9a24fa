package baseline

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gutskin/internal/quality"
)

// questionSets are the tuning sets and the held-back sets of both rounds of
// writing, scored in one run.
var questionSets = []string{
	"../../testdata/questions.jsonl",
	"../../testdata/questions-heldout.jsonl",
	"../../testdata/questions-2.jsonl",
	"../../testdata/questions-2-heldout.jsonl",
}

// system is one of the compared question-answering systems.
type system struct {
	name  string
	build time.Duration
	quality.Answerer
	close func() error
}

var (
	setupOnce sync.Once
	systems   []*system
	setupErr  error
)

// all builds the three systems once for the whole test binary, side by side.
func all(t testing.TB) []*system {
	t.Helper()
	setupOnce.Do(func() { systems, setupErr = buildSystems(context.Background()) })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return systems
}

func buildSystems(ctx context.Context) ([]*system, error) {
	texts, err := passageTexts()
	if err != nil {
		return nil, err
	}
	builders := []struct {
		name string
		open func() (quality.Answerer, func() error, error)
	}{
		{"gutskin", func() (quality.Answerer, func() error, error) {
			g, err := newGutskin(ctx)
			if err != nil {
				return nil, nil, err
			}
			return g, g.Close, nil
		}},
		{"Bleve, plain", func() (quality.Answerer, func() error, error) {
			b, err := newPlainBleve(texts)
			if err != nil {
				return nil, nil, err
			}
			return b, b.Close, nil
		}},
		{"SQLite FTS5 bm25", func() (quality.Answerer, func() error, error) {
			s, err := newSQLiteFTS5(texts)
			if err != nil {
				return nil, nil, err
			}
			return s, s.Close, nil
		}},
	}
	out := make([]*system, len(builders))
	errs := make([]error, len(builders))
	var wg sync.WaitGroup
	for i, b := range builders {
		wg.Go(func() {
			start := time.Now()
			a, closeFn, err := b.open()
			if err != nil {
				errs[i] = err
				return
			}
			out[i] = &system{name: b.name, build: time.Since(start), Answerer: a, close: closeFn}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("build %s: %w", builders[i].name, err)
		}
	}
	return out, nil
}

func closeAll(ss []*system) {
	for _, s := range ss {
		if s != nil {
			s.close() //nolint:errcheck // in-memory indexes; nothing to lose
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	closeAll(systems)
	os.Exit(code)
}

// TestCompare scores the three systems on both question sets, reports a
// Markdown table, and fails unless gutskin leads both baselines on every
// quality column of both sets.
func TestCompare(t *testing.T) {
	ctx := context.Background()
	sets := make([][]quality.Question, len(questionSets))
	for i, path := range questionSets {
		qs, err := quality.ReadQuestions(path)
		if err != nil {
			t.Fatal(err)
		}
		sets[i] = qs
	}
	ss := all(t)
	for _, s := range ss {
		t.Logf("%s built in %s", s.name, s.build.Round(time.Millisecond))
	}

	var b strings.Builder
	b.WriteString("| system | set | Recall@1 | MRR@3 | no-answer accuracy | median answer time |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	var notes []string
	results := map[string]map[string]quality.Result{} // system → set → result
	for _, s := range ss {
		results[s.name] = map[string]quality.Result{}
		for i, path := range questionSets {
			res, err := quality.Evaluate(ctx, s, sets[i], nil)
			if err != nil {
				t.Fatalf("%s on %s: %v", s.name, path, err)
			}
			if res.Answerable == 0 || res.Unanswerable == 0 {
				t.Fatalf("%s: want both answerable and off-topic questions, got %d and %d", path, res.Answerable, res.Unanswerable)
			}
			for _, v := range []float64{res.RecallAt1, res.MRRAt3, res.NoAnswerAccuracy, res.FalseSilence} {
				if v < 0 || v > 1 {
					t.Errorf("%s on %s: figure %v out of [0, 1]", s.name, path, v)
				}
			}
			results[s.name][path] = res
			if res.MRRAt3 < res.RecallAt1 {
				t.Errorf("%s on %s: MRR@3 %.3f below Recall@1 %.3f", s.name, path, res.MRRAt3, res.RecallAt1)
			}
			fmt.Fprintf(&b, "| %s | %s | %.3f | %.3f | %.3f | %.2f ms |\n",
				s.name, filepath.Base(path), res.RecallAt1, res.MRRAt3, res.NoAnswerAccuracy,
				float64(res.MedianAnswerTime)/float64(time.Millisecond))
			notes = append(notes, fmt.Sprintf("%s on %s: %d answerable, %d off-topic, false silence %.3f, %d misses",
				s.name, filepath.Base(path), res.Answerable, res.Unanswerable, res.FalseSilence, len(res.Misses)))
		}
	}
	for _, path := range questionSets {
		g := results[ss[0].name][path]
		for _, s := range ss[1:] {
			r := results[s.name][path]
			for _, col := range []struct {
				name      string
				ours, its float64
			}{
				{"Recall@1", g.RecallAt1, r.RecallAt1},
				{"MRR@3", g.MRRAt3, r.MRRAt3},
				{"no-answer accuracy", g.NoAnswerAccuracy, r.NoAnswerAccuracy},
			} {
				if col.ours <= col.its {
					t.Errorf("%s on %s: %s %.3f does not lead %s's %.3f", ss[0].name, filepath.Base(path), col.name, col.ours, s.name, col.its)
				}
			}
		}
	}
	race := "off"
	if raceEnabled {
		race = "on (answer times are inflated)"
	}
	fmt.Fprintf(&b, "\nMeasured by `go test -run Compare -v ./internal/baseline/` (BASELINE_OUT=file also writes it); race detector %s.\n", race)
	table := b.String()
	t.Log("\n" + table)
	for _, n := range notes {
		t.Log(n)
	}
	if out := os.Getenv("BASELINE_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			t.Fatalf("write BASELINE_OUT: %v", err)
		}
	}
}

// TestKefir checks that every system finds the obvious answer.
func TestKefir(t *testing.T) {
	for _, s := range all(t) {
		got, err := s.Answer(context.Background(), "does kefir help acne?", 3)
		if err != nil {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		if len(got) == 0 || !strings.Contains(strings.ToLower(got[0]), "kefir") {
			t.Errorf("%s: want a kefir passage first, got %q", s.name, got)
		}
	}
}

// hostile are questions that are query syntax in FTS5 or Bleve's query
// string language, or otherwise odd.
var hostile = []string{
	``, ` `, `"x`, `"`, `""`, `kefir:`, `text:kefir`, `{text}: kefir`, `p:kefir`,
	`*`, `kefir*`, `^`, `^kefir`, `-`, `-kefir`, `+`, `~`, `kefir~5`, `kefir^abc`,
	`NEAR(`, `NEAR(kefir acne, 2)`, `kefir NEAR/2 acne`, `AND`, `OR`, `NOT`,
	`OR OR`, `NOT kefir`, `kefir AND`, `(`, `)`, `()`, `kefir)`, `'`,
	`'; DROP TABLE p; --`, `\`, `\"`, "\x00", "kefir\x00acne", "\xff\xfe", "🦠🥛",
	"kefir 🥛 acne?", "e\u0301", "\u0301", "酸奶 痤疮", "ｋｅｆｉｒ", "ﬁber",
	strings.Repeat("kefir ", 500), strings.Repeat("a", 10000),
}

func TestFTSQueryShape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"does kefir help acne?", `"does" OR "kefir" OR "help" OR "acne"`},
		{`"x`, `"x"`},
		{`kefir:`, `"kefir"`},
		{`*`, ``},
		{`NEAR(`, `"NEAR"`},
		{`-`, ``},
		{`^`, ``},
		{``, ``},
		{"🦠🥛", ``},
		{"Kefir kefir KEFIR", `"Kefir"`},
		{"don't", `"don" OR "t"`},
		{"vitamin D3, 1000 IU", `"vitamin" OR "D3" OR "1000" OR "IU"`},
	}
	for _, tt := range tests {
		if got := ftsQuery(tt.in); got != tt.want {
			t.Errorf("ftsQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if n := strings.Count(ftsQuery(strings.Repeat("w", 1)+" "+manyWords(200)), " OR ") + 1; n != maxFTSTerms {
		t.Errorf("a long question gives %d terms, want %d", n, maxFTSTerms)
	}
}

func manyWords(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "w%d ", i)
	}
	return b.String()
}

// TestHostile checks that no system fails on hostile input.
func TestHostile(t *testing.T) {
	ctx := context.Background()
	for _, s := range all(t) {
		for _, q := range hostile {
			if _, err := s.Answer(ctx, q, 3); err != nil {
				t.Errorf("%s: %q: %v", s.name, q, err)
			}
		}
	}
}

// ftsShape is what ftsQuery may produce: quoted words joined by OR.
var ftsShape = regexp.MustCompile(`^("[^"]+"( OR "[^"]+")*)?$`)

func FuzzFTSQuery(f *testing.F) {
	for _, q := range hostile {
		f.Add(q)
	}
	fts, err := newSQLiteFTS5([]string{
		"Kefir is a fermented milk drink.",
		"Acne is common in teenagers; NEAR and OR are ordinary words here.",
		"Fibre feeds gut bacteria.",
	})
	if err != nil {
		f.Fatal(err)
	}
	defer fts.Close()
	f.Fuzz(func(t *testing.T, question string) {
		q := ftsQuery(question)
		if !ftsShape.MatchString(q) {
			t.Fatalf("ftsQuery(%q) = %s: not quoted words joined by OR", question, q)
		}
		if _, err := fts.Answer(context.Background(), question, 3); err != nil {
			t.Fatalf("%q: %v", question, err)
		}
	})
}

// TestNotShipped checks that neither baseline reaches the gutskin binary:
// modernc.org/sqlite is for this comparison only.
func TestNotShipped(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goCmd, "list", "-deps", "gutskin").Output()
	if err != nil {
		t.Fatalf("go list -deps gutskin: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "modernc.org/") || pkg == "gutskin/internal/baseline" {
			t.Errorf("the gutskin binary depends on %s", pkg)
		}
	}
}
