package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"gutskin/corpus"
)

// Replicas are Index values on one directory. The writer lock is a flock,
// which two opens of the lock file conflict on even in one process, so
// Index values in one test process stand for replicas; TestReplicaProcesses
// checks the same with separate processes.

// noGrace makes a writer remove a replaced generation as soon as no lease
// holds it, as one process alone on its directory may: the tests that
// check what is left on disk right after a rebuild use it.
const noGrace = time.Nanosecond

// followWithin is how soon a replica serves what another published: the
// issue promises 2 s.
const followWithin = 2 * time.Second

// eventually polls cond until it holds or within passes, and says how long
// it took.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// servesQuokka says whether ix answers "quokka" from the given version of
// quokkaLibrary.
func servesQuokka(t testing.TB, ix *Index, version string) bool {
	t.Helper()
	_, want := quokkaLibrary(version)
	hits := mustSearch(t, ix, "what is a quokka", 1)
	return len(hits) == 1 && hits[0].Passage.Text == want
}

// followsQuokka waits until ix answers from version, at most followWithin.
func followsQuokka(t testing.TB, ix *Index, version string) time.Duration {
	t.Helper()
	return eventually(t, followWithin, "serve quokka version "+version, func() bool { return servesQuokka(t, ix, version) })
}

// shortCtx is a context that ends soon, for calls that would wait for a
// writer lock the test holds.
func shortCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

// quokkaWith is quokkaLibrary(version) with one more article for each
// topic.
func quokkaWith(version string, topics ...string) fstest.MapFS {
	lib, _ := quokkaLibrary(version)
	for i, topic := range topics {
		lib[fmt.Sprintf("extra%d.md", i)] = &fstest.MapFile{Data: []byte(article("About "+topic, para(topic)))}
	}
	return lib
}

// leases lists the lease files in the generations of an index directory.
func leases(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	for _, g := range genDirs(t, dir) {
		for _, l := range entryNames(t, filepath.Join(dir, g), func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), leasePrefix) }) {
			out = append(out, g+"/"+l)
		}
	}
	return out
}

// A rebuild on any replica reaches the others within 2 s, whichever
// replica it was: the one that built first or one that only followed.
func TestReplicasFollowEachOther(t *testing.T) {
	dir := t.TempDir()
	// Replicas share the library folder as they share the index folder.
	src := newSwitchable(mustQuokka("alpha"))
	first, info := openIndex(t, Options{Dir: dir, Load: src.load, Reuse: ReuseIfCurrent})
	if !info.Rebuilt {
		t.Fatalf("first replica on an empty directory: %+v, want a build", info)
	}
	// The second opens what the first built, as `serve` does, without
	// "locked" and without building.
	second, info := openIndex(t, Options{Dir: dir, Load: src.load, Reuse: ReuseIfCurrent})
	if info.Rebuilt {
		t.Fatalf("second replica rebuilt: %+v", info)
	}
	replicas := []*Index{first, second}
	steps := []struct {
		name      string
		rebuilder int
		library   fstest.MapFS
		version   string
		articles  int
	}{
		{"the writer adds an article", 0, quokkaWith("beta", "wombats"), "beta", 4},
		{"the follower adds another", 1, quokkaWith("gamma", "wombats", "numbats"), "gamma", 5},
		{"the first again, removing both", 0, quokkaWith("delta"), "delta", 3},
	}
	for _, s := range steps {
		src.set(s.library)
		report, err := replicas[s.rebuilder].Rebuild(context.Background())
		if err != nil {
			t.Fatalf("%s: rebuild: %v", s.name, err)
		}
		published := time.Now()
		if report.Articles.Total != s.articles {
			t.Errorf("%s: report counts %d articles, want %d", s.name, report.Articles.Total, s.articles)
		}
		gen := currentGen(t, dir)
		for i, ix := range replicas {
			took := followsQuokka(t, ix, s.version)
			if got := ix.Stats().Articles; got != s.articles {
				t.Errorf("%s: replica %d serves %d articles, want %d", s.name, i, got, s.articles)
			}
			if got := ix.Generation(); got != gen {
				t.Errorf("%s: replica %d serves %s, CURRENT names %s", s.name, i, got, gen)
			}
			if i != s.rebuilder {
				t.Logf("%s: replica %d served it %v after it was published", s.name, i, took.Round(time.Millisecond))
			}
		}
		if time.Since(published) > followWithin {
			t.Errorf("%s: the replicas took %v to follow", s.name, time.Since(published))
		}
	}
	for _, ix := range replicas {
		ix.Close()
	}
	if l := leases(t, dir); len(l) != 0 {
		t.Errorf("leases left after every replica closed: %v", l)
	}
}

// Replicas started at once, on an empty or a full directory, open without
// "locked", build at most once between them, and serve one generation.
func TestReplicasStartTogether(t *testing.T) {
	cases := []struct {
		name string
		// onDisk is the library version built before the replicas start;
		// "" for an empty directory.
		onDisk string
		reuse  Reuse
		builds int
	}{
		{"empty directory", "", ReuseAny, 1},
		{"empty directory, reuse if current", "", ReuseIfCurrent, 1},
		{"full directory", "alpha", ReuseAny, 0},
		{"full directory, library changed", "alpha", ReuseIfCurrent, 1},
	}
	const replicas = 3
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.onDisk != "" {
				buildOnDisk(t, dir, c.onDisk)
			}
			// A slow library keeps the first build going while the others
			// start.
			load := func(ctx context.Context) (*corpus.Library, error) {
				time.Sleep(200 * time.Millisecond)
				return corpus.Load(mustQuokka("beta"))
			}
			start := make(chan struct{})
			var wg sync.WaitGroup
			ixs := make([]*Index, replicas)
			infos := make([]OpenInfo, replicas)
			errs := make([]error, replicas)
			for i := range replicas {
				wg.Go(func() {
					<-start
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					ixs[i], infos[i], errs[i] = Open(ctx, Options{Dir: dir, Load: load, Reuse: c.reuse})
				})
			}
			close(start)
			wg.Wait()
			builds := 0
			for i := range replicas {
				if errs[i] != nil {
					t.Fatalf("replica %d: %v", i, errs[i])
				}
				t.Cleanup(func() { ixs[i].Close() })
				if infos[i].Rebuilt {
					builds++
				}
			}
			if builds != c.builds {
				t.Errorf("%d replicas built, want %d", builds, c.builds)
			}
			// The default grace keeps every generation: a second build
			// would show.
			want := c.builds
			if c.onDisk != "" {
				want++
			}
			if gens := genDirs(t, dir); len(gens) != want {
				t.Errorf("generations %v, want %d", gens, want)
			}
			version := c.onDisk
			if c.builds > 0 {
				version = "beta"
			}
			gen := currentGen(t, dir)
			for i, ix := range ixs {
				// One that found the old library stale while another built
				// serves the old one until it follows.
				followsQuokka(t, ix, version)
				if got := ix.Generation(); got != gen {
					t.Errorf("replica %d serves %s, CURRENT names %s", i, got, gen)
				}
			}
		})
	}
}

// doneWatch is a context that says when Done is first asked for: Rebuild
// asks only once it waits for the writer lock.
type doneWatch struct {
	context.Context
	once   sync.Once
	called chan struct{}
}

func (c *doneWatch) Done() <-chan struct{} {
	c.once.Do(func() { close(c.called) })
	return c.Context.Done()
}

// Two replicas asked to rebuild at once take turns on the writer lock; the
// second finds the library it loaded already published, builds nothing,
// and reports that nothing changed.
func TestConcurrentRebuildsBuildOnce(t *testing.T) {
	dir := t.TempDir()
	src := newSwitchable(mustQuokka("alpha"))
	a, _ := openIndex(t, Options{Dir: dir, Load: src.load})
	b, _ := openIndex(t, Options{Dir: dir, Load: src.load})
	before := genDirs(t, dir)
	src.set(quokkaWith("beta", "wombats"))

	// a holds the lock, its load held up; b waits for the lock meanwhile.
	src.block.Store(true)
	type result struct {
		report corpus.Report
		err    error
	}
	first, second := make(chan result, 1), make(chan result, 1)
	go func() {
		r, err := a.Rebuild(context.Background())
		first <- result{r, err}
	}()
	select {
	case <-src.entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the first rebuild never reached Load")
	}
	src.block.Store(false)
	waiting := &doneWatch{Context: context.Background(), called: make(chan struct{})}
	go func() {
		r, err := b.Rebuild(waiting)
		second <- result{r, err}
	}()
	select {
	case <-waiting.called:
	case r := <-second:
		t.Fatalf("the second rebuild did not wait for the lock: %+v", r)
	case <-time.After(20 * time.Second):
		t.Fatal("the second rebuild never waited for the lock")
	}
	close(src.release)
	ra, rb := <-first, <-second
	if ra.err != nil || rb.err != nil {
		t.Fatalf("rebuilds: %v, %v", ra.err, rb.err)
	}
	if got := countsOf(ra.report); got != (counts{1, 0, 1, 4, 2, 1, 4}) {
		t.Errorf("first report %+v, want one article added and the quokka's changed", got)
	}
	if got := countsOf(rb.report); got != (counts{0, 0, 0, 4, 0, 0, 4}) {
		t.Errorf("second report %+v, want nothing changed", got)
	}
	checkReportJSON(t, rb.report)
	if gens := genDirs(t, dir); len(gens) != len(before)+1 {
		t.Errorf("generations %v after two rebuilds from %v, want one more", gens, before)
	}
	if a.Generation() != b.Generation() || b.Generation() != currentGen(t, dir) {
		t.Errorf("serving %s and %s, CURRENT names %s", a.Generation(), b.Generation(), currentGen(t, dir))
	}
	answersQuokka(t, b, "beta")
}

// removeUnserved keeps what any process may serve, and removes the rest.
func TestRemoveUnserved(t *testing.T) {
	const grace = time.Minute
	now := time.Now()
	old := now.Add(-2 * grace)
	cases := []struct {
		name string
		// meta says whether the generation is finished.
		meta bool
		// changed is when its directory last changed; lease, when set,
		// when a lease in it was last refreshed.
		changed, lease time.Time
		// current makes CURRENT name it.
		current bool
		// pointer, when set, is written to CURRENT instead.
		pointer string
		removed bool
		// next is when it may go, if kept for its grace period.
		next time.Time
	}{
		{name: "replaced long ago, served by none", meta: true, changed: old, removed: true},
		{name: "replaced within the grace period", meta: true, changed: now, next: now.Add(grace)},
		{name: "served: a fresh lease", meta: true, changed: old, lease: now.Add(-time.Second), next: now.Add(grace - time.Second)},
		{name: "a dead process's stale lease", meta: true, changed: old, lease: old, removed: true},
		{name: "an interrupted build, just left", changed: now, removed: true},
		{name: "current, however old", meta: true, changed: old, current: true},
		{name: "damaged pointer: nothing is removed", meta: true, changed: old, pointer: "../etc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			const cur, name = "gen-20260101T000000.000000000Z", "gen-20250101T000000.000000000Z"
			if !c.current {
				if err := os.Mkdir(filepath.Join(dir, cur), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(dir, cur, metaFile), "{}")
			}
			gen := filepath.Join(dir, name)
			if err := os.Mkdir(gen, 0o755); err != nil {
				t.Fatal(err)
			}
			if c.meta {
				writeFile(t, filepath.Join(gen, metaFile), "{}")
			}
			if !c.lease.IsZero() {
				l := filepath.Join(gen, leasePrefix+"1-abc")
				writeFile(t, l, "host test pid 1\n")
				if err := os.Chtimes(l, c.lease, c.lease); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chtimes(gen, c.changed, c.changed); err != nil {
				t.Fatal(err)
			}
			pointer := cur
			switch {
			case c.pointer != "":
				pointer = c.pointer
			case c.current:
				pointer = name
			}
			writeFile(t, filepath.Join(dir, pointerFile), pointer+"\n")

			removed, next, err := store{dir}.removeUnserved(now, grace)
			if (err != nil) != (c.pointer != "") {
				t.Errorf("err = %v", err)
			}
			_, statErr := os.Stat(gen)
			if gone := errors.Is(statErr, os.ErrNotExist); gone != c.removed {
				t.Errorf("removed = %v, want %v (%v)", gone, c.removed, removed)
			}
			if c.removed && !slices.Equal(removed, []string{name}) {
				t.Errorf("reported removed %v, want [%s]", removed, name)
			}
			if !next.Equal(c.next) {
				t.Errorf("next = %v, want %v", next, c.next)
			}
		})
	}
}

// testGrace is short for a test, and still twelve lease refreshes long:
// a replica has to stall most of it to lose its lease.
const testGrace = 800 * time.Millisecond

// The writer keeps a generation a follower still serves, however long, and
// removes it a grace period after the follower moved on.
func TestWriterKeepsWhatFollowersServe(t *testing.T) {
	dir := t.TempDir()
	writer, _ := openIndex(t, Options{Dir: dir, Load: loader(mustQuokka("alpha")), Grace: testGrace})
	old := writer.Generation()
	// The follower does not poll: it moves on when the test says.
	follower, _ := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t), Poll: time.Hour, Grace: testGrace})
	writer.opts.Load = loader(mustQuokka("beta"))
	if _, err := writer.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, old)); err != nil {
		t.Fatalf("the generation a follower serves was removed at the rebuild: %v", err)
	}
	// A replica starting now cleans up at Open, and keeps it too.
	openIndex(t, Options{Dir: dir, Load: mustNotLoad(t), Grace: testGrace})

	// The writer tries again when the grace period seen at the rebuild
	// is over; the lease holds.
	time.Sleep(testGrace * 3 / 2)
	if _, err := os.Stat(filepath.Join(dir, old)); err != nil {
		t.Fatalf("the generation a follower serves was removed after %v: %v", testGrace*3/2, err)
	}
	answersQuokka(t, follower, "alpha")

	follower.follow()
	answersQuokka(t, follower, "beta")
	took := eventually(t, testGrace+5*time.Second, "remove the generation nobody serves", func() bool {
		_, err := os.Stat(filepath.Join(dir, old))
		return errors.Is(err, os.ErrNotExist)
	})
	// A file clock may lag the wall clock a little.
	if took < testGrace-100*time.Millisecond {
		t.Errorf("removed %v after the follower moved on, before the grace period of %v", took, testGrace)
	}
	t.Logf("removed %v after the follower moved on", took.Round(time.Millisecond))
	if gens := genDirs(t, dir); !slices.Equal(gens, []string{currentGen(t, dir)}) {
		t.Errorf("generations %v", gens)
	}
}

// A replica that only follows removes nothing, however long a generation
// has gone unserved; the next writer does.
func TestFollowersNeverRemove(t *testing.T) {
	dir := t.TempDir()
	writer, _ := openIndex(t, Options{Dir: dir, Load: loader(mustQuokka("alpha")), Grace: testGrace})
	old := writer.Generation()
	pinned, _ := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t), Poll: time.Hour, Grace: testGrace})
	writer.opts.Load = loader(mustQuokka("beta"))
	if _, err := writer.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The writer leaves before the old generation's grace is over.
	writer.Close()
	pinned.follow()
	answersQuokka(t, pinned, "beta")
	polling, _ := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t), Grace: testGrace})
	answersQuokka(t, polling, "beta")

	// Past the grace period, the followers poll and refresh their leases
	// for a while.
	time.Sleep(testGrace * 3 / 2)
	if _, err := os.Stat(filepath.Join(dir, old)); err != nil {
		t.Fatalf("a follower removed the old generation: %v", err)
	}
	// It was removable: a writer, here one cleaning up as it opens,
	// removes it.
	openIndex(t, Options{Dir: dir, Load: mustNotLoad(t), Grace: testGrace})
	if _, err := os.Stat(filepath.Join(dir, old)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the next writer kept a generation nobody served for %v: %v", testGrace*3/2, err)
	}
}

// lockedBuffer is a log destination safe for the watcher and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A follower that finds CURRENT naming a generation that will not open
// keeps serving what it has, says so once, and sets nothing aside; it
// follows the next good generation.
func TestFollowerKeepsServingPastACorruptGeneration(t *testing.T) {
	dir := t.TempDir()
	writer, _ := openIndex(t, Options{Dir: dir, Load: loader(mustQuokka("alpha"))})
	var logs lockedBuffer
	follower, _ := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	good := follower.Generation()

	// A writer publishes a generation that is damaged by the time the
	// follower reads it.
	bad := store{dir}.newGeneration()
	if err := os.Mkdir(filepath.Join(dir, bad), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, bad, metaFile), "{not json at all")
	release := holdLock(t, dir)
	if err := (store{dir}).publish(bad); err != nil {
		t.Fatal(err)
	}
	release()

	time.Sleep(3 * DefaultPoll)
	answersQuokka(t, follower, "alpha")
	if got := follower.Generation(); got != good {
		t.Errorf("follower serves %q, want %s", got, good)
	}
	if n := strings.Count(logs.String(), "will not open"); n != 1 {
		t.Errorf("the follower warned %d times, want once:\n%s", n, logs.String())
	}
	if got := currentGen(t, dir); got != bad {
		t.Errorf("CURRENT changed from %s to %s", bad, got)
	}
	if aside := corruptEntries(t, dir); len(aside) != 0 {
		t.Errorf("a follower set aside %v", aside)
	}

	// A rebuild mends it, and the follower follows.
	writer.opts.Load = loader(mustQuokka("beta"))
	if _, err := writer.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	followsQuokka(t, follower, "beta")
}

// Closing an index stops its watcher: it neither follows nor holds its
// lease after Close.
func TestCloseStopsFollowing(t *testing.T) {
	dir := t.TempDir()
	writer, _ := openIndex(t, Options{Dir: dir, Load: loader(mustQuokka("alpha"))})
	follower, _ := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
	served := follower.Generation()
	if l := leases(t, dir); len(l) != 2 {
		t.Fatalf("leases %v, want one for each of the two", l)
	}
	follower.Close()
	select {
	case <-follower.watched:
	default:
		t.Error("the watcher still runs after Close")
	}
	if l := leases(t, dir); len(l) != 1 {
		t.Errorf("leases %v after the follower closed, want the writer's", l)
	}
	writer.opts.Load = loader(mustQuokka("beta"))
	if _, err := writer.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * DefaultPoll)
	if got := follower.Generation(); got != "" {
		t.Errorf("a closed index serves %q (was %s)", got, served)
	}
	if _, err := follower.Search(context.Background(), "quokka", 1); !errors.Is(err, ErrClosed) {
		t.Errorf("search after close: %v, want ErrClosed", err)
	}
	if l := leases(t, dir); len(l) != 1 || !strings.HasPrefix(l[0], writer.Generation()+"/") {
		t.Errorf("leases %v, want only the writer's in %s", l, writer.Generation())
	}
}
