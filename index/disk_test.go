package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"gutskin/corpus"
)

// countingLoad counts how often a library is loaded.
func countingLoad(n *atomic.Int32, load func(context.Context) (*corpus.Library, error)) func(context.Context) (*corpus.Library, error) {
	return func(ctx context.Context) (*corpus.Library, error) {
		n.Add(1)
		return load(ctx)
	}
}

// mustNotLoad is a Load for opens that must not build.
func mustNotLoad(t *testing.T) func(context.Context) (*corpus.Library, error) {
	return func(context.Context) (*corpus.Library, error) {
		t.Error("the library was loaded; the index on disk should have been opened as it is")
		return nil, errors.New("must not load")
	}
}

// answersQuokka asserts the index answers "quokka" from the given
// version of quokkaLibrary.
func answersQuokka(t *testing.T, ix *Index, version string) {
	t.Helper()
	_, want := quokkaLibrary(version)
	hits := mustSearch(t, ix, "what is a quokka", 1)
	if len(hits) != 1 || hits[0].Passage.Text != want {
		t.Fatalf("quokka: got %v, want the passage of version %s", hitIDs(hits), version)
	}
}

// buildOnDisk builds quokkaLibrary(version) in dir and closes it.
func buildOnDisk(t *testing.T, dir, version string) string {
	t.Helper()
	lib, _ := quokkaLibrary(version)
	ix, info, err := Open(context.Background(), Options{Dir: dir, Load: loader(lib), Reuse: ReuseNever})
	if err != nil {
		t.Fatalf("build %s: %v", dir, err)
	}
	if !info.Rebuilt {
		t.Fatal("ReuseNever did not rebuild")
	}
	answersQuokka(t, ix, version)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	return currentGen(t, dir)
}

func TestReopenWithoutRebuilding(t *testing.T) {
	dir := t.TempDir()
	var loads atomic.Int32
	lib, _ := quokkaLibrary("alpha")
	ix, info := openIndex(t, Options{Dir: dir, Load: countingLoad(&loads, loader(lib))})
	if !info.Rebuilt || loads.Load() != 1 {
		t.Fatalf("first open of an empty directory: rebuilt %v after %d loads", info.Rebuilt, loads.Load())
	}
	stats, articles := ix.Stats(), ix.Articles()
	gen := currentGen(t, dir)
	ix.Close()

	ix, info = openIndex(t, Options{Dir: dir, Load: mustNotLoad(t), Reuse: ReuseAny})
	if info.Rebuilt || info.SetAside != "" {
		t.Fatalf("reopen: %+v", info)
	}
	answersQuokka(t, ix, "alpha")
	if got := ix.Stats(); got.Articles != stats.Articles || got.Passages != stats.Passages || !got.BuiltAt.Equal(stats.BuiltAt) {
		t.Errorf("stats after reopening %+v, before %+v", got, stats)
	}
	if got := ix.Articles(); !slices.Equal(got, articles) {
		t.Errorf("articles after reopening %+v, before %+v", got, articles)
	}
	if got := currentGen(t, dir); got != gen {
		t.Errorf("CURRENT changed from %s to %s", gen, got)
	}
}

func TestReuseIfCurrent(t *testing.T) {
	libDir, dir := t.TempDir(), t.TempDir()
	copyDir(t, fixtureDir, libDir)
	var loads atomic.Int32
	load := countingLoad(&loads, loader(os.DirFS(libDir)))
	open := func(reuse Reuse) (*Index, OpenInfo) {
		t.Helper()
		ix, info, err := Open(context.Background(), Options{Dir: dir, Load: load, Reuse: reuse, Grace: noGrace})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix, info
	}
	steps := []struct {
		name    string
		change  func()
		reuse   Reuse
		rebuilt bool
	}{
		{"empty directory", nil, ReuseIfCurrent, true},
		{"nothing changed", nil, ReuseIfCurrent, false},
		{"file touched, content the same", func() {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(filepath.Join(libDir, "kefir.md"), later, later); err != nil {
				t.Fatal(err)
			}
		}, ReuseIfCurrent, false},
		{"file edited", func() {
			path := filepath.Join(libDir, "kefir.md")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(string(b), "## References", "## Keeping grains\n\nSome people keep their kefir grains in a wombat-shaped jar on the kitchen shelf, feeding them fresh milk every day so that they stay lively for years.\n\n## References", 1)
			writeFile(t, path, edited)
		}, ReuseIfCurrent, true},
		{"nothing changed since the rebuild", nil, ReuseIfCurrent, false},
		{"file added, but any index will do", func() {
			if err := os.WriteFile(filepath.Join(libDir, "new.md"), []byte(article("New", para("newts"))), 0o644); err != nil {
				t.Fatal(err)
			}
		}, ReuseAny, false},
		{"file added", nil, ReuseIfCurrent, true},
		{"file removed", func() {
			if err := os.Remove(filepath.Join(libDir, "new.md")); err != nil {
				t.Fatal(err)
			}
		}, ReuseIfCurrent, true},
		{"never reuse", nil, ReuseNever, true},
	}
	for _, s := range steps {
		if s.change != nil {
			s.change()
		}
		before := loads.Load()
		ix, info := open(s.reuse)
		if info.Rebuilt != s.rebuilt {
			t.Errorf("%s: rebuilt = %v, want %v", s.name, info.Rebuilt, s.rebuilt)
		}
		if s.reuse == ReuseAny && loads.Load() != before {
			t.Errorf("%s: ReuseAny loaded the library", s.name)
		}
		switch s.name {
		case "file edited":
			if info.Report.Articles.Changed != 1 || info.Report.Articles.Total != 5 {
				t.Errorf("%s: report %+v", s.name, info.Report.Articles)
			}
			fallthrough
		case "nothing changed since the rebuild":
			cands := candidatesFor(t, ix, "wombat")
			if len(cands) == 0 || cands[0].Passage.Slug != "kefir" {
				t.Errorf("%s: the edit is not searchable", s.name)
			}
		case "file added":
			if info.Report.Articles.Added != 1 || info.Report.Articles.Total != 6 {
				t.Errorf("%s: report %+v", s.name, info.Report.Articles)
			}
		}
		if gens := genDirs(t, dir); len(gens) != 1 {
			t.Errorf("%s: generations on disk %v", s.name, gens)
		}
		ix.Close()
	}
}

// Two Index values opening one directory, as `serve` and `ask --index` do,
// both answer; a third that rebuilds the directory meanwhile does not
// disturb them, and they follow what it publishes.
func TestTwoReadersShareADirectory(t *testing.T) {
	dir := t.TempDir()
	buildOnDisk(t, dir, "alpha")
	a, infoA := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
	b, infoB := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
	if infoA.Rebuilt || infoB.Rebuilt {
		t.Fatalf("readers rebuilt: %+v %+v", infoA, infoB)
	}
	answersQuokka(t, a, "alpha")
	answersQuokka(t, b, "alpha")

	libB, _ := quokkaLibrary("beta")
	w, info := openIndex(t, Options{Dir: dir, Load: loader(libB), Reuse: ReuseNever})
	if !info.Rebuilt {
		t.Fatal("writer did not rebuild")
	}
	answersQuokka(t, w, "beta")
	// The readers follow CURRENT to the new generation.
	followsQuokka(t, a, "beta")
	followsQuokka(t, b, "beta")
	// A new reader gets the new one.
	c, _ := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
	answersQuokka(t, c, "beta")
	for _, ix := range []*Index{a, b, c, w} {
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	}
}

// holdLock takes DIR/LOCK the way another gutskin process would, until the
// returned function is called.
func holdLock(t *testing.T, dir string) func() {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	var once atomic.Bool
	release := func() {
		if once.CompareAndSwap(false, true) {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
		}
	}
	t.Cleanup(release)
	return release
}

func TestWriterLock(t *testing.T) {
	libB, _ := quokkaLibrary("beta")
	t.Run("empty directory", func(t *testing.T) {
		dir := t.TempDir()
		release := holdLock(t, dir)
		// Open waits for the holder to publish, as long as its context
		// allows.
		ix, _, err := Open(shortCtx(t), Options{Dir: dir, Load: loader(libB)})
		if ix != nil {
			ix.Close()
		}
		if !errors.Is(err, ErrLocked) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Open with the writer lock held: err = %v, want ErrLocked and the deadline", err)
		}
		if gens := genDirs(t, dir); len(gens) != 0 {
			t.Errorf("generations %v", gens)
		}
		release()
		openIndex(t, Options{Dir: dir, Load: loader(libB)})
	})
	t.Run("existing index", func(t *testing.T) {
		dir := t.TempDir()
		gen := buildOnDisk(t, dir, "alpha")
		leftover := filepath.Join(dir, "gen-19990101T000000.000000000Z")
		if err := os.Mkdir(leftover, 0o755); err != nil {
			t.Fatal(err)
		}
		release := holdLock(t, dir)

		// Readers need no writer lock. With the lock held, the leftover may
		// be another process's build in progress: it is kept.
		ix, info := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
		if info.Rebuilt {
			t.Fatal("rebuilt")
		}
		answersQuokka(t, ix, "alpha")
		if _, err := os.Stat(leftover); err != nil {
			t.Errorf("a build directory was removed while another writer held the lock: %v", err)
		}

		ix.opts.Load = loader(libB)
		if _, err := ix.Rebuild(shortCtx(t)); !errors.Is(err, ErrLocked) {
			t.Errorf("Rebuild with the writer lock held: err = %v, want ErrLocked", err)
		}
		answersQuokka(t, ix, "alpha")
		if got := currentGen(t, dir); got != gen {
			t.Errorf("CURRENT changed from %s to %s", gen, got)
		}

		// A stale index that cannot be rebuilt still serves.
		stale, info := openIndex(t, Options{Dir: dir, Load: loader(libB), Reuse: ReuseIfCurrent})
		if info.Rebuilt {
			t.Error("ReuseIfCurrent rebuilt with the writer lock held")
		}
		answersQuokka(t, stale, "alpha")

		if ix, _, err := Open(shortCtx(t), Options{Dir: dir, Load: loader(libB), Reuse: ReuseNever}); !errors.Is(err, ErrLocked) {
			if ix != nil {
				ix.Close()
			}
			t.Errorf("Open(ReuseNever) with the writer lock held: err = %v, want ErrLocked", err)
		}

		release()
		if _, err := ix.Rebuild(context.Background()); err != nil {
			t.Fatalf("Rebuild after the lock was released: %v", err)
		}
		answersQuokka(t, ix, "beta")
		if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("leftover still there after a rebuild: %v", err)
		}
	})
}

// corruptions damage a finished generation the ways a disk, a crash or a
// careless hand can.
var corruptions = []struct {
	name string
	// damage changes the generation directory gen of index directory dir.
	damage func(t *testing.T, dir, gen string)
	// kept names a file that must survive in the set-aside directory.
	kept string
}{
	{"meta.json garbage", func(t *testing.T, _, gen string) {
		writeFile(t, filepath.Join(gen, metaFile), "{not json at all")
	}, metaFile},
	{"meta.json empty", func(t *testing.T, _, gen string) {
		writeFile(t, filepath.Join(gen, metaFile), "")
	}, metaFile},
	{"meta.json missing", func(t *testing.T, _, gen string) {
		if err := os.Remove(filepath.Join(gen, metaFile)); err != nil {
			t.Fatal(err)
		}
	}, bleveDir},
	{"meta.json of another schema", func(t *testing.T, _, gen string) {
		writeFile(t, filepath.Join(gen, metaFile), `{"schema": "gutskin-index-0"}`)
	}, metaFile},
	{"segments truncated to half", func(t *testing.T, _, gen string) {
		forEachFile(t, filepath.Join(gen, bleveDir), ".zap", func(path string, size int64) {
			if err := os.Truncate(path, size/2); err != nil {
				t.Fatal(err)
			}
		})
	}, metaFile},
	{"segments truncated to nothing", func(t *testing.T, _, gen string) {
		forEachFile(t, filepath.Join(gen, bleveDir), ".zap", func(path string, _ int64) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		})
	}, metaFile},
	{"segments missing", func(t *testing.T, _, gen string) {
		forEachFile(t, filepath.Join(gen, bleveDir), ".zap", func(path string, _ int64) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		})
	}, metaFile},
	{"bolt file garbage", func(t *testing.T, _, gen string) {
		forEachFile(t, filepath.Join(gen, bleveDir), ".bolt", func(path string, size int64) {
			writeFile(t, path, strings.Repeat("garbage!", int(size/8)))
		})
	}, metaFile},
	{"bolt file truncated", func(t *testing.T, _, gen string) {
		forEachFile(t, filepath.Join(gen, bleveDir), ".bolt", func(path string, _ int64) {
			if err := os.Truncate(path, 100); err != nil {
				t.Fatal(err)
			}
		})
	}, metaFile},
	{"bleve directory missing", func(t *testing.T, _, gen string) {
		if err := os.RemoveAll(filepath.Join(gen, bleveDir)); err != nil {
			t.Fatal(err)
		}
	}, metaFile},
	{"index_meta.json garbage", func(t *testing.T, _, gen string) {
		writeFile(t, filepath.Join(gen, bleveDir, "index_meta.json"), "{{{")
	}, metaFile},
	{"CURRENT names a missing generation", func(t *testing.T, dir, gen string) {
		if err := os.RemoveAll(gen); err != nil {
			t.Fatal(err)
		}
	}, ""},
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// forEachFile calls fn for every file below root whose name ends in ext,
// and fails the test when there is none.
func forEachFile(t *testing.T, root, ext string, fn func(path string, size int64)) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ext) {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n++
		fn(path, info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no %s file below %s", ext, root)
	}
}

func TestCorruptGenerationIsSetAsideAndRebuilt(t *testing.T) {
	for _, c := range corruptions {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			old := buildOnDisk(t, dir, "alpha")
			c.damage(t, dir, filepath.Join(dir, old))
			_, statErr := os.Stat(filepath.Join(dir, old))
			gone := errors.Is(statErr, os.ErrNotExist)

			ix, info := openIndex(t, Options{Dir: dir, Load: loader(mustQuokka("beta"))})
			if !info.Rebuilt {
				t.Fatalf("not rebuilt: %+v", info)
			}
			answersQuokka(t, ix, "beta")
			switch {
			case gone:
				// Nothing is left to keep, so nothing claims to be kept.
				if info.SetAside != "" {
					t.Errorf("SetAside = %q for a generation that is gone", info.SetAside)
				}
			case !strings.HasPrefix(info.SetAside, filepath.Join(dir, "corrupt-")):
				t.Fatalf("SetAside = %q, want a corrupt-… directory in %s", info.SetAside, dir)
			}
			if !gone && !strings.HasSuffix(info.SetAside, old) {
				t.Errorf("SetAside = %q does not name the generation %s", info.SetAside, old)
			}
			if c.kept != "" {
				if _, err := os.Stat(filepath.Join(info.SetAside, c.kept)); err != nil {
					t.Errorf("the set-aside index lost %s: %v", c.kept, err)
				}
			}
			cur := currentGen(t, dir)
			if cur == old {
				t.Errorf("CURRENT still names the corrupt generation %s", old)
			}
			if gens := genDirs(t, dir); !slices.Equal(gens, []string{cur}) {
				t.Errorf("generations %v, CURRENT %s", gens, cur)
			}
			// The rebuilt index reopens as it is, and the set-aside one stays.
			aside := info.SetAside
			ix.Close()
			ix, info = openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
			if info.Rebuilt || info.SetAside != "" {
				t.Errorf("reopening the rebuilt index: %+v", info)
			}
			answersQuokka(t, ix, "beta")
			if _, err := os.Stat(aside); c.kept != "" && err != nil {
				t.Errorf("set-aside directory removed at the next open: %v", err)
			}
		})
	}
}

func mustQuokka(version string) fstest.MapFS {
	lib, _ := quokkaLibrary(version)
	return lib
}

func TestLeftoversRemovedAtOpen(t *testing.T) {
	dir := t.TempDir()
	gen := buildOnDisk(t, dir, "alpha")
	leftovers := []string{"gen-19990101T000000.000000000Z", "gen-29990101T000000.000000000Z"}
	for _, l := range leftovers {
		if err := os.MkdirAll(filepath.Join(dir, l, bleveDir, "store"), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, l, bleveDir, "store", "000000000001.zap"), "half a segment")
	}
	writeFile(t, filepath.Join(dir, pointerFile+".tmp"), "gen-29990101T000000.000000000Z")
	kept := filepath.Join(dir, "corrupt-20200101T000000Z-gen-20200101T000000.000000000Z")
	if err := os.Mkdir(kept, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "notes.txt"), "a moderator's file")

	ix, info := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
	if info.Rebuilt {
		t.Fatal("rebuilt")
	}
	answersQuokka(t, ix, "alpha")
	if gens := genDirs(t, dir); !slices.Equal(gens, []string{gen}) {
		t.Errorf("generations after open: %v, want [%s]", gens, gen)
	}
	for _, p := range []string{kept, filepath.Join(dir, "notes.txt")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, pointerFile+".tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CURRENT.tmp left: %v", err)
	}
}

// Two passages with one ID (a paragraph repeated word for word in one
// article, should the loader ever keep both) are indexed once; the index
// on disk still opens and is not mistaken for a damaged one.
func TestRepeatedPassageIDOnDisk(t *testing.T) {
	lib := syntheticLibrary(40)
	a := &lib.Articles[0]
	a.Passages = append(a.Passages, a.Passages[0])
	dir := t.TempDir()
	ix, info := openIndex(t, Options{Dir: dir, Load: libraryLoad(lib)})
	if info.Report.Passages.Total != 40 {
		t.Errorf("report counts %d passages, want 40 distinct", info.Report.Passages.Total)
	}
	ix.Close()
	ix, info = openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
	if info.Rebuilt || info.SetAside != "" {
		t.Fatalf("reopen: %+v", info)
	}
	if cands := candidatesFor(t, ix, "kefir"); len(cands) == 0 {
		t.Error("the reopened index finds nothing")
	}
}

// Open's report is JSON with lists, never nulls, also when it built
// nothing: reusing an index, or failing before any build.
func TestOpenReportWithoutBuild(t *testing.T) {
	dir := t.TempDir()
	buildOnDisk(t, dir, "alpha")
	_, info := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
	checkReportJSON(t, info.Report)

	// A damaged pointer is set aside like a damaged generation, and the
	// index rebuilt.
	bad := t.TempDir()
	writeFile(t, filepath.Join(bad, pointerFile), "../../etc\n")
	ix, info, err := Open(context.Background(), Options{Dir: bad, Load: loader(mustQuokka("alpha"))})
	if err != nil {
		t.Fatalf("Open with a damaged CURRENT: %v", err)
	}
	defer ix.Close()
	if !info.Rebuilt || info.SetAside == "" {
		t.Fatalf("want the pointer set aside and a rebuild: %+v", info)
	}
	if b, err := os.ReadFile(info.SetAside); err != nil || string(b) != "../../etc\n" {
		t.Errorf("the damaged pointer was not kept at %s: %q, %v", info.SetAside, b, err)
	}
	if cur := currentGen(t, bad); !strings.HasPrefix(cur, genPrefix) {
		t.Errorf("CURRENT after the rebuild names %q", cur)
	}
	checkReportJSON(t, info.Report)
}

// Deleting the index folder while the bot serves from it is safe (README):
// searches keep using the open generation, and the next rebuild creates
// the folder again.
func TestRebuildAfterIndexDirDeleted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	src := newSwitchable(mustQuokka("alpha"))
	ix, _ := openIndex(t, Options{Dir: dir, Load: src.load, Reuse: ReuseIfCurrent})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	answersQuokka(t, ix, "alpha")

	src.set(mustQuokka("beta"))
	if _, err := ix.Rebuild(context.Background()); err != nil {
		t.Fatalf("Rebuild after the index folder was deleted: %v", err)
	}
	answersQuokka(t, ix, "beta")
	gen := currentGen(t, dir)
	if gens := genDirs(t, dir); !slices.Equal(gens, []string{gen}) {
		t.Errorf("generations %v, CURRENT %s", gens, gen)
	}
	ix.Close()
	ix, info := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t)})
	if info.Rebuilt || info.SetAside != "" {
		t.Errorf("reopening the rebuilt index: %+v", info)
	}
	answersQuokka(t, ix, "beta")
}

// A reader (`ask --index`) that read CURRENT just before another process's
// rebuild replaced that generation and removed it follows CURRENT to the
// new one. It must not take the vanished generation for corrupt, forget
// CURRENT and rebuild from its own library over the generation the writer
// serves. Only a generation CURRENT still names once the writer lock is
// held is set aside.
func TestReaderFollowsAReplacedGeneration(t *testing.T) {
	cases := []struct {
		name string
		// lockHeld keeps the writer lock taken after the replacement, as
		// a writer still removing the old generation does.
		lockHeld bool
		// damaged makes the replacement a generation that will not open.
		damaged bool
	}{
		{"replaced", false, false},
		{"replaced, writer still holds the lock", true, false},
		{"replaced by a generation that will not open", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			old := buildOnDisk(t, dir, "alpha")
			var replacement string
			testHookPointerRead = func(name string) {
				if replacement != "" || name != old {
					return
				}
				replacement = "pending" // the writer's own Open reads CURRENT too
				w, _ := openIndex(t, Options{Dir: dir, Load: loader(mustQuokka("beta")), Reuse: ReuseNever, Grace: noGrace})
				answersQuokka(t, w, "beta")
				replacement = currentGen(t, dir)
				if c.damaged {
					writeFile(t, filepath.Join(dir, replacement, bleveDir, "index_meta.json"), "{{{")
				}
				if c.lockHeld {
					holdLock(t, dir)
				}
			}
			t.Cleanup(func() { testHookPointerRead = nil })

			load := mustNotLoad(t)
			if c.damaged {
				load = loader(mustQuokka("gamma"))
			}
			ix, info := openIndex(t, Options{Dir: dir, Load: load})
			if replacement == old || replacement == "" {
				t.Fatalf("the test did not replace %s (%q)", old, replacement)
			}
			if _, err := os.Stat(filepath.Join(dir, old)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the replaced generation %s is still there: %v", old, err)
			}
			cur := currentGen(t, dir)
			if c.damaged {
				if !info.Rebuilt || !strings.HasSuffix(info.SetAside, replacement) {
					t.Errorf("a current generation that will not open: %+v, want %s set aside and a rebuild", info, replacement)
				}
				answersQuokka(t, ix, "gamma")
				if cur == replacement {
					t.Errorf("CURRENT still names the damaged generation %s", cur)
				}
				return
			}
			if info.Rebuilt || info.SetAside != "" {
				t.Errorf("open: %+v, want the replacement opened as it is", info)
			}
			answersQuokka(t, ix, "beta")
			if cur != replacement {
				t.Errorf("CURRENT names %q, want the replacement %s", cur, replacement)
			}
			if gens := genDirs(t, dir); !slices.Equal(gens, []string{replacement}) {
				t.Errorf("generations %v, want [%s]", gens, replacement)
			}
			if aside := corruptEntries(t, dir); len(aside) != 0 {
				t.Errorf("set aside %v", aside)
			}
			// Setting aside by a stale name leaves CURRENT alone.
			if _, err := (store{dir}).setAside(old); err == nil {
				t.Error("setAside of a generation CURRENT no longer names succeeded")
			}
			if got := currentGen(t, dir); got != replacement {
				t.Errorf("setAside(%s) changed CURRENT from %s to %q", old, replacement, got)
			}
		})
	}
}

// A generation that will not open is not set aside while another process
// holds the writer lock: that process may be publishing over it, and it
// will not be rebuilt now anyway. Open waits, and when its context ends
// says the directory is locked and changes nothing; once the lock is free,
// it is set aside and rebuilt.
func TestCorruptGenerationKeptWhileLocked(t *testing.T) {
	dir := t.TempDir()
	old := buildOnDisk(t, dir, "alpha")
	writeFile(t, filepath.Join(dir, old, metaFile), "{not json at all")
	release := holdLock(t, dir)

	ix, info, err := Open(shortCtx(t), Options{Dir: dir, Load: loader(mustQuokka("beta"))})
	if ix != nil {
		ix.Close()
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Open of a corrupt index with the writer lock held: err = %v, want ErrLocked", err)
	}
	if info.SetAside != "" {
		t.Errorf("SetAside = %q with the writer lock held", info.SetAside)
	}
	if got := currentGen(t, dir); got != old {
		t.Errorf("CURRENT changed from %s to %q with the writer lock held", old, got)
	}
	if gens := genDirs(t, dir); !slices.Equal(gens, []string{old}) {
		t.Errorf("generations %v, want [%s]", gens, old)
	}

	release()
	ix, info = openIndex(t, Options{Dir: dir, Load: loader(mustQuokka("beta"))})
	if !info.Rebuilt || !strings.HasSuffix(info.SetAside, old) {
		t.Errorf("once the lock is free: %+v, want %s set aside and a rebuild", info, old)
	}
	answersQuokka(t, ix, "beta")
}

// A reader that reuses the generation it opened, while another process
// publishes a newer one, does not remove the newer one as a leftover; the
// writer keeps the one the reader serves, and the reader follows.
func TestReaderKeepsANewerGeneration(t *testing.T) {
	dir := t.TempDir()
	old := buildOnDisk(t, dir, "alpha")
	var writer string
	load := func(ctx context.Context) (*corpus.Library, error) {
		// Between opening the stored generation and cleaning leftovers,
		// another process publishes a rebuild.
		if writer == "" {
			w, _ := openIndex(t, Options{Dir: dir, Load: loader(mustQuokka("beta")), Reuse: ReuseNever})
			answersQuokka(t, w, "beta")
			writer = currentGen(t, dir)
		}
		return loader(mustQuokka("alpha"))(ctx)
	}
	ix, info := openIndex(t, Options{Dir: dir, Load: load, Reuse: ReuseIfCurrent})
	if info.Rebuilt {
		t.Fatalf("open: %+v, want the stored alpha index reused", info)
	}
	if gens := genDirs(t, dir); !slices.Equal(gens, []string{old, writer}) {
		t.Errorf("generations %v, want the reader's %s and the writer's %s", gens, old, writer)
	}
	followsQuokka(t, ix, "beta")
	if got := currentGen(t, dir); got != writer {
		t.Errorf("CURRENT names %q, want %s", got, writer)
	}
}
