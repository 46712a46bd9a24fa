package index

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"gutskin/corpus"
	"gutskin/index/rule"
	"gutskin/internal/synthetic"
)

// A rebuild reports its progress after every batch and once when done,
// counting up to the library's articles and passages.
func TestRebuildProgress(t *testing.T) {
	lib, err := corpus.Load(synthetic.FS(3, 2*batchSize+500))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []Progress
	openIndex(t, Options{Dir: t.TempDir(), Load: libraryLoad(lib), Progress: func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p)
	}})
	passages := len(lib.Passages())
	if len(got) != 4 {
		t.Fatalf("%d reports, want one a batch (3) and one when done: %+v", len(got), got)
	}
	for i, p := range got {
		if p.Articles != len(lib.Articles) || p.Passages != passages {
			t.Errorf("report %d counts %d articles and %d passages in all, want %d and %d", i, p.Articles, p.Passages, len(lib.Articles), passages)
		}
		if i > 0 && (p.PassagesDone < got[i-1].PassagesDone || p.Elapsed < got[i-1].Elapsed) {
			t.Errorf("report %d goes back: %+v after %+v", i, p, got[i-1])
		}
		if p.Done != (i == len(got)-1) {
			t.Errorf("report %d: done %v", i, p.Done)
		}
	}
	last := got[len(got)-1]
	if last.PassagesDone != passages || last.ArticlesDone != len(lib.Articles) || last.Left() != 0 || last.Rate() <= 0 {
		t.Errorf("last report %+v, want every article and passage, a rate, nothing left", last)
	}
	if got[0].PassagesDone != batchSize || got[0].Left() <= 0 {
		t.Errorf("first report %+v, want one batch and time left", got[0])
	}
}

// An index built on disk in batches, then merged, scores as one built in
// memory in a single batch: scores do not depend on how the batches fell.
// (Which passages tie at the search's cut-off, and the order of passages
// that tie, fall by the index's internal numbering, so scores are compared
// passage by passage.)
func TestBatchedBuildScoresAsOneBatch(t *testing.T) {
	lib, err := corpus.Load(synthetic.FS(5, 2*batchSize))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	disk, _ := openIndex(t, Options{Dir: dir, Load: libraryLoad(lib)})
	mem, _ := openIndex(t, Options{Load: libraryLoad(lib)})
	if n := segmentsOf(t, disk); n != 1 {
		t.Fatalf("the index on disk holds %d segments, want 1", n)
	}
	ctx := context.Background()
	read := func(ix *Index, q string) map[string][2]float64 {
		gen, err := ix.acquire()
		if err != nil {
			t.Fatal(err)
		}
		defer gen.users.Done()
		r, found, err := gen.read(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][2]float64{}
		for _, s := range rule.Score(r) {
			out[found[s.Candidate].id] = [2]float64{r.Candidates[s.Candidate].Relevance, s.Confidence}
		}
		return out
	}
	for _, q := range synthetic.Questions(5, 60) {
		got, want := read(disk, q), read(mem, q)
		shared := 0
		for id, w := range want {
			g, ok := got[id]
			if !ok {
				continue
			}
			shared++
			if !near(g[0], w[0]) || !near(g[1], w[1]) {
				t.Errorf("%q: passage %s scores %v on disk, %v in memory", q, id, g, w)
			}
		}
		if shared < len(want)*9/10 {
			t.Errorf("%q: %d of %d candidates in both", q, shared, len(want))
		}
	}
}

func near(x, y float64) bool { return math.Abs(x-y) <= 1e-9*max(math.Abs(x), math.Abs(y)) }

// Finding candidates in one field first, as a library of more than
// findAlone passages does, answers the question sets as searching every
// field does.
func TestFindingFirstAnswersAlike(t *testing.T) {
	whole := defaultIndex(t)
	first, _ := openIndex(t, Options{Load: loader(corpus.Default())})
	gen, err := first.acquire()
	if err != nil {
		t.Fatal(err)
	}
	gen.findAlone = 0 // find in one field first, whatever the size
	gen.users.Done()
	ctx := context.Background()
	differ, n := 0, 0
	for _, file := range []string{"../testdata/questions.jsonl", "../testdata/questions-2.jsonl"} {
		for _, q := range readQuestionTexts(t, file) {
			want, err := whole.Search(ctx, q, 1)
			if err != nil {
				t.Fatal(err)
			}
			got, err := first.Search(ctx, q, 1)
			if err != nil {
				t.Fatal(err)
			}
			n++
			// The same first answer, or one that ties with it.
			if len(got) != len(want) || len(got) > 0 && got[0].Passage.ID != want[0].Passage.ID && !near(got[0].Score, want[0].Score) {
				differ++
				t.Logf("%q: found first %s, searched whole %s", q, topSlug(got), topSlug(want))
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d questions answered otherwise when found first", differ, n)
	}
}

// A rebuild's memory depends on its batches, not on the library: building
// a generated library on disk keeps the heap well under what the library
// took in one batch (over 1 GB for 20,000 passages before batching).
func TestRebuildMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 6,000-passage library")
	}
	lib, err := corpus.Load(synthetic.FS(9, 6*batchSize))
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var top uint64
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			top = max(top, ms.HeapInuse)
			select {
			case <-stop:
				peak <- top
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	openIndex(t, Options{Dir: t.TempDir(), Load: libraryLoad(lib)})
	close(stop)
	grew := (<-peak - base.HeapInuse) >> 20
	t.Logf("the heap grew by %d MB while building %d passages (the library itself holds %d MB)", grew, len(lib.Passages()), base.HeapInuse>>20)
	if grew > 200 {
		t.Errorf("the heap grew by %d MB while building; batches of %d should keep it far lower", grew, batchSize)
	}
	if !slices.ContainsFunc(lib.Articles, func(a corpus.Article) bool { return len(a.Passages) > 0 }) {
		t.Fatal("the generated library is empty")
	}
}

// readQuestionTexts returns the questions of a question set file.
func readQuestionTexts(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		var q struct {
			Q string `json:"q"`
		}
		if json.Unmarshal([]byte(line), &q) == nil && q.Q != "" {
			out = append(out, q.Q)
		}
	}
	return out
}

// segmentsOf counts the segments of the generation in service.
func segmentsOf(t *testing.T, ix *Index) uint64 {
	t.Helper()
	gen, err := ix.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer gen.users.Done()
	adv, err := gen.bidx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	stats := adv.(*scorch.Scorch).StatsMap()
	mem, _ := stats["num_root_memorysegments"].(uint64)
	files, _ := stats["num_root_filesegments"].(uint64)
	return mem + files
}
