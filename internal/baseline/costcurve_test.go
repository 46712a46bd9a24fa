package baseline

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"gutskin/corpus"
	"gutskin/index"
	"gutskin/internal/synthetic"
)

// The cost curve: gutskin and plain Bleve on generated libraries of growing
// size, each phase in a process of its own so that its peak memory is its
// own. Run it with
//
//	go test -run '^$' -bench CostCurve -benchtime 1x -timeout 60m ./internal/baseline/
//
// COSTCURVE_SIZES sets the sizes (default 1000,10000,100000) and
// COSTCURVE_OUT a file to write the Markdown table to.

const (
	costSeed      = 7
	costQuestions = 300
)

// phase is what one child process measured.
type phase struct {
	Passages     int     `json:"passages"`
	LoadSeconds  float64 `json:"load_seconds"`
	IndexSeconds float64 `json:"index_seconds"`
	OpenFirstMS  float64 `json:"open_first_ms"`
	MeanMS       float64 `json:"mean_ms"`
	P50MS        float64 `json:"p50_ms"`
	P99MS        float64 `json:"p99_ms"`
	Answered     int     `json:"answered"`
	PeakMB       float64 `json:"-"` // from the child's rusage
	// AnonPeakMB is the most memory of the process's own, sampled: PeakMB
	// also counts the pages of the index files mapped in, which the
	// kernel drops when memory is short.
	AnonPeakMB float64 `json:"anon_peak_mb"`

	// A question after another while the index rebuilds.
	DuringPerSecond float64 `json:"during_per_second"`
	DuringP99MS     float64 `json:"during_p99_ms"`
	DuringFailures  int     `json:"during_failures"`
}

func BenchmarkCostCurve(b *testing.B) {
	sizes := []int{1000, 10000, 100000}
	if s := os.Getenv("COSTCURVE_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				b.Fatalf("COSTCURVE_SIZES: %q is not a size", f)
			}
			sizes = append(sizes, n)
		}
	}
	var t strings.Builder
	t.WriteString("| passages | system | rebuild, passages/s (load + index) | peak memory, rebuild (anonymous) | open + first question | question mean / p50 / p99 | peak memory, asking (anonymous) | index on disk | during a rebuild: questions/s, p99, failures |\n")
	t.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for b.Loop() {
		for _, n := range sizes {
			dir := b.TempDir()
			lib := filepath.Join(dir, "library")
			if err := synthetic.Write(lib, costSeed, n); err != nil {
				b.Fatal(err)
			}
			for _, system := range []string{"gutskin", "plain Bleve"} {
				idx := filepath.Join(dir, strings.ReplaceAll(system, " ", "-"))
				built := child(b, "build", system, lib, idx)
				asked := child(b, "ask", system, lib, idx)
				size, err := dirSize(idx)
				if err != nil {
					b.Fatal(err)
				}
				during := "—"
				if system == "gutskin" {
					r := child(b, "rebuild", system, lib, idx)
					during = fmt.Sprintf("%.0f, %.1f ms, %d", r.DuringPerSecond, r.DuringP99MS, r.DuringFailures)
				}
				rate := float64(built.Passages) / (built.LoadSeconds + built.IndexSeconds)
				fmt.Fprintf(&t, "| %d | %s | %.0f (%.1f s + %.1f s) | %.0f MB (%.0f MB) | %.0f ms | %.2f / %.2f / %.2f ms | %.0f MB (%.0f MB) | %.0f MB | %s |\n",
					built.Passages, system, rate, built.LoadSeconds, built.IndexSeconds, built.PeakMB, built.AnonPeakMB,
					asked.OpenFirstMS, asked.MeanMS, asked.P50MS, asked.P99MS, asked.PeakMB, asked.AnonPeakMB, float64(size)/(1<<20), during)
			}
		}
	}
	b.Log("\n" + t.String())
	if out := os.Getenv("COSTCURVE_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(t.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// child runs one phase in a new process of this test binary and returns
// what it measured, with its peak resident memory.
func child(b *testing.B, what, system, lib, idx string) phase {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCostCurvePhase$", "-test.count=1")
	cmd.Env = append(os.Environ(), "COSTCURVE_PHASE="+what, "COSTCURVE_SYSTEM="+system, "COSTCURVE_LIBRARY="+lib, "COSTCURVE_INDEX="+idx)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s %s: %v", what, system, err)
	}
	var p phase
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "COSTCURVE "); ok {
			if err := json.Unmarshal([]byte(rest), &p); err != nil {
				b.Fatalf("%s %s: %v", what, system, err)
			}
		}
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.PeakMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return p
}

// TestCostCurvePhase is one phase of BenchmarkCostCurve, run in a process
// of its own; it does nothing otherwise.
func TestCostCurvePhase(t *testing.T) {
	what := os.Getenv("COSTCURVE_PHASE")
	if what == "" {
		t.Skip("a phase of BenchmarkCostCurve")
	}
	system, lib, idx := os.Getenv("COSTCURVE_SYSTEM"), os.Getenv("COSTCURVE_LIBRARY"), os.Getenv("COSTCURVE_INDEX")
	anonPeak := watchAnonymousMemory(t.Context())
	var p phase
	var err error
	switch {
	case what == "build" && system == "gutskin":
		p, err = buildGutskin(lib, idx)
	case what == "build":
		p, err = buildPlain(lib, idx)
	case what == "rebuild":
		p, err = askDuringRebuild(lib, idx)
	case system == "gutskin":
		p, err = askGutskin(idx)
	default:
		p, err = askPlain(idx)
	}
	if err != nil {
		t.Fatal(err)
	}
	p.AnonPeakMB = anonPeak()
	b, _ := json.Marshal(p)
	fmt.Println("COSTCURVE " + string(b))
}

// load reads the library at lib, timed.
func load(lib string) (*corpus.Library, phase, error) {
	start := time.Now()
	loaded, err := corpus.Load(os.DirFS(lib))
	return loaded, phase{LoadSeconds: time.Since(start).Seconds()}, err
}

func buildGutskin(lib, idx string) (phase, error) {
	loaded, p, err := load(lib)
	if err != nil {
		return p, err
	}
	p.Passages = len(loaded.Passages())
	start := time.Now()
	ix, _, err := index.Open(context.Background(), index.Options{Dir: idx, Reuse: index.ReuseNever,
		Load: func(context.Context) (*corpus.Library, error) { return loaded, nil }})
	if err != nil {
		return p, err
	}
	p.IndexSeconds = time.Since(start).Seconds()
	return p, ix.Close()
}

// buildPlain indexes the same passages the plain way: the default mapping
// with the English analyzer, batches of 1,000, on disk.
func buildPlain(lib, idx string) (phase, error) {
	loaded, p, err := load(lib)
	if err != nil {
		return p, err
	}
	start := time.Now()
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = en.AnalyzerName
	bidx, err := bleve.NewUsing(idx, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return p, err
	}
	batch := bidx.NewBatch()
	for _, ps := range loaded.Passages() {
		if err := batch.Index(ps.ID, map[string]string{"text": ps.Text}); err != nil {
			return p, err
		}
		p.Passages++
		if batch.Size() == 1000 {
			if err := bidx.Batch(batch); err != nil {
				return p, err
			}
			batch.Reset()
		}
	}
	if err := bidx.Batch(batch); err != nil {
		return p, err
	}
	p.IndexSeconds = time.Since(start).Seconds()
	return p, bidx.Close()
}

func askGutskin(idx string) (phase, error) {
	ctx := context.Background()
	questions := synthetic.Questions(costSeed, costQuestions)
	start := time.Now()
	ix, _, err := index.Open(ctx, index.Options{Dir: idx, Reuse: index.ReuseAny,
		Load: func(context.Context) (*corpus.Library, error) {
			return nil, fmt.Errorf("the index should open as it is")
		}})
	if err != nil {
		return phase{}, err
	}
	defer ix.Close()
	return ask(start, func(q string) (bool, error) {
		a, err := ix.Answer(ctx, q, 3)
		return len(a.Hits) > 0, err
	}, questions)
}

// askDuringRebuild rebuilds the index at idx from the library at lib, as
// /reindex does, while asking one question after another of it.
func askDuringRebuild(lib, idx string) (phase, error) {
	ctx := context.Background()
	questions := synthetic.Questions(costSeed, costQuestions)
	ix, _, err := index.Open(ctx, index.Options{Dir: idx, Reuse: index.ReuseAny,
		Load: func(context.Context) (*corpus.Library, error) { return corpus.Load(os.DirFS(lib)) }})
	if err != nil {
		return phase{}, err
	}
	defer ix.Close()
	// The library does not change, so neither may any answer.
	before := make([]string, len(questions))
	for i, q := range questions {
		if before[i], err = firstID(ctx, ix, q); err != nil {
			return phase{}, err
		}
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := ix.Rebuild(ctx)
		done <- err
	}()
	var p phase
	var times []time.Duration
	for i := 0; ; i++ {
		select {
		case err := <-done:
			if err != nil {
				return p, fmt.Errorf("rebuild: %w", err)
			}
			if len(times) == 0 {
				return p, fmt.Errorf("the rebuild finished before a question was asked")
			}
			p.DuringPerSecond = float64(len(times)) / time.Since(start).Seconds()
			slices.Sort(times)
			p.DuringP99MS = ms(times[len(times)*99/100])
			return p, nil
		default:
		}
		s := time.Now()
		id, err := firstID(ctx, ix, questions[i%len(questions)])
		times = append(times, time.Since(s))
		if err != nil || id != before[i%len(questions)] {
			p.DuringFailures++
		}
	}
}

// firstID is the passage that answers question first, if any.
func firstID(ctx context.Context, ix *index.Index, question string) (string, error) {
	a, err := ix.Answer(ctx, question, 3)
	if err != nil || len(a.Hits) == 0 {
		return "", err
	}
	return a.Hits[0].Passage.ID, nil
}

func askPlain(idx string) (phase, error) {
	ctx := context.Background()
	questions := synthetic.Questions(costSeed, costQuestions)
	start := time.Now()
	bidx, err := bleve.OpenUsing(idx, map[string]interface{}{"read_only": true})
	if err != nil {
		return phase{}, err
	}
	defer bidx.Close()
	return ask(start, func(q string) (bool, error) {
		res, err := bidx.SearchInContext(ctx, bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q), 3, 0, false))
		return err == nil && len(res.Hits) > 0, err
	}, questions)
}

// ask times the first question from start (the open), then every question.
func ask(start time.Time, answer func(string) (bool, error), questions []string) (phase, error) {
	var p phase
	if _, err := answer(questions[0]); err != nil {
		return p, err
	}
	p.OpenFirstMS = ms(time.Since(start))
	var times []time.Duration
	var total time.Duration
	for _, q := range questions {
		s := time.Now()
		answered, err := answer(q)
		if err != nil {
			return p, err
		}
		d := time.Since(s)
		times, total = append(times, d), total+d
		if answered {
			p.Answered++
		}
	}
	slices.Sort(times)
	p.MeanMS = ms(total / time.Duration(len(times)))
	p.P50MS = ms(times[len(times)/2])
	p.P99MS = ms(times[len(times)*99/100])
	return p, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// dirSize is the bytes of the files below dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		n += info.Size()
		return err
	})
	return n, err
}

// watchAnonymousMemory samples the process's anonymous resident memory
// (RssAnon in /proc/self/status) every 10 ms until ctx ends; the function
// it returns gives the most seen so far, in MB, and 0 where /proc is not.
func watchAnonymousMemory(ctx context.Context) func() float64 {
	var peak atomic.Int64
	sample := func() {
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "RssAnon:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err == nil && kb > peak.Load() {
					peak.Store(kb)
				}
			}
		}
	}
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	return func() float64 {
		sample()
		return float64(peak.Load()) / 1024
	}
}
