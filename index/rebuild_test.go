package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"gutskin/corpus"
)

// switchable is an Options.Load whose library the test can change between
// builds, and that can be made to wait inside Load until released.
type switchable struct {
	fsys    atomic.Pointer[fs.FS]
	block   atomic.Bool
	entered chan struct{}
	release chan struct{}
	loads   atomic.Int32
}

func newSwitchable(fsys fs.FS) *switchable {
	s := &switchable{entered: make(chan struct{}, 1), release: make(chan struct{})}
	s.set(fsys)
	return s
}

func (s *switchable) set(fsys fs.FS) { s.fsys.Store(&fsys) }

func (s *switchable) load(ctx context.Context) (*corpus.Library, error) {
	s.loads.Add(1)
	if s.block.Load() {
		s.entered <- struct{}{}
		select {
		case <-s.release:
		case <-time.After(20 * time.Second):
			return nil, errors.New("test never released the blocked load")
		}
	}
	return corpus.Load(*s.fsys.Load())
}

// indexDirs runs a test once in memory and once on disk.
var indexDirs = []struct {
	name string
	dir  func(t *testing.T) string
}{
	{"memory", func(*testing.T) string { return "" }},
	{"disk", func(t *testing.T) string { return t.TempDir() }},
}

// quokkaLibrary is a library whose answer to "quokka" says which version
// of the library it came from.
func quokkaLibrary(version string) (fstest.MapFS, string) {
	text := "The quokka is a small wallaby of south-western Australia, and in this library it marks version " + version +
		" of a test library that is rebuilt again and again while other goroutines keep asking about quokkas."
	return mapFS(map[string]string{
		"quokka.md": article("Quokka notes", text),
		"other.md":  article("Something else", "Oats and barley are cereal grains grown in cool climates; they are eaten as porridge, baked into bread or brewed, and they hold water well when cooked slowly."),
		"third.md":  article("A third article", "Sleep, daylight and regular meals set the body clock, and a steady routine makes it easier to fall asleep at the same time every night of the week."),
	}), text
}

// Searches running while Rebuild swaps generations all succeed and each
// sees one whole library, the old or the new, never a mix or nothing.
func TestSearchDuringRebuilds(t *testing.T) {
	for _, d := range indexDirs {
		t.Run(d.name, func(t *testing.T) {
			libA, textA := quokkaLibrary("alpha")
			libB, textB := quokkaLibrary("beta")
			src := newSwitchable(libA)
			dir := d.dir(t)
			ix, _ := openIndex(t, Options{Dir: dir, Load: src.load, Grace: noGrace})
			const q = "tell me about the quokka"
			if hits := mustSearch(t, ix, q, 1); len(hits) != 1 || hits[0].Passage.Text != textA {
				t.Fatalf("before rebuilding: %v", hitIDs(hits))
			}

			var (
				stop          atomic.Bool
				rebuilding    atomic.Bool
				searches      atomic.Int64
				duringRebuild atomic.Int64
				mu            sync.Mutex
				problems      []string
				wg            sync.WaitGroup
			)
			report := func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				if len(problems) < 10 {
					problems = append(problems, fmt.Sprintf(format, args...))
				}
			}
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !stop.Load() {
						during := rebuilding.Load()
						var hits []corpus.Hit
						var err error
						if g%2 == 0 {
							hits, err = ix.Search(context.Background(), q, 1)
						} else {
							var ans corpus.Answer
							ans, err = ix.Answer(context.Background(), q, 1)
							hits = ans.Hits
						}
						searches.Add(1)
						if during {
							duringRebuild.Add(1)
						}
						switch {
						case err != nil:
							report("search error: %v", err)
						case len(hits) != 1:
							report("search returned %d hits", len(hits))
						case hits[0].Passage.Text != textA && hits[0].Passage.Text != textB:
							report("search returned %q", hits[0].Passage.Text)
						case hits[0].Passage.Slug != "quokka" || len(hits[0].Passage.Citations) != 1:
							report("search returned an inconsistent passage %+v", hits[0].Passage)
						}
					}
				}()
			}
			for i := range 6 {
				want := textA
				if i%2 == 0 {
					src.set(libB)
					want = textB
				} else {
					src.set(libA)
				}
				rebuilding.Store(true)
				_, err := ix.Rebuild(context.Background())
				rebuilding.Store(false)
				if err != nil {
					stop.Store(true)
					wg.Wait()
					t.Fatalf("rebuild %d: %v", i, err)
				}
				if hits := mustSearch(t, ix, q, 1); len(hits) != 1 || hits[0].Passage.Text != want {
					t.Errorf("right after rebuild %d: got %v", i, hitIDs(hits))
				}
			}
			stop.Store(true)
			wg.Wait()
			for _, p := range problems {
				t.Error(p)
			}
			if duringRebuild.Load() == 0 {
				t.Errorf("no search ran during a rebuild (%d searches in all)", searches.Load())
			}
			t.Logf("%d searches, %d during rebuilds", searches.Load(), duringRebuild.Load())
			if dir != "" {
				gens := genDirs(t, dir)
				if cur := currentGen(t, dir); len(gens) != 1 || gens[0] != cur {
					t.Errorf("after rebuilds the directory holds %v, CURRENT names %q", gens, cur)
				}
			}
		})
	}
}

func TestSecondRebuildIsRefused(t *testing.T) {
	for _, d := range indexDirs {
		t.Run(d.name, func(t *testing.T) {
			lib, text := quokkaLibrary("alpha")
			src := newSwitchable(lib)
			ix, _ := openIndex(t, Options{Dir: d.dir(t), Load: src.load})
			src.block.Store(true)
			first := make(chan error, 1)
			go func() {
				_, err := ix.Rebuild(context.Background())
				first <- err
			}()
			select {
			case <-src.entered:
			case <-time.After(20 * time.Second):
				t.Fatal("the first rebuild never reached Load")
			}
			src.block.Store(false)

			report, err := ix.Rebuild(context.Background())
			if !errors.Is(err, ErrBusy) {
				t.Errorf("second rebuild: err = %v, want ErrBusy", err)
			}
			checkReportJSON(t, report)
			// The index answers while the first rebuild waits.
			if hits := mustSearch(t, ix, "quokka", 1); len(hits) != 1 || hits[0].Passage.Text != text {
				t.Errorf("search while rebuilding: %v", hitIDs(hits))
			}

			close(src.release)
			select {
			case err := <-first:
				if err != nil {
					t.Fatalf("first rebuild: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the first rebuild never finished")
			}
			// Once it is done, rebuilding is allowed again.
			if _, err := ix.Rebuild(context.Background()); err != nil {
				t.Fatalf("rebuild after the first finished: %v", err)
			}
		})
	}
}

func TestEmptyLibraryKeepsTheIndex(t *testing.T) {
	bad := mapFS(map[string]string{
		"notes.pdf": "%PDF-1.4 not an article",
		"draft.md":  "---\nauthor: someone\n---\nA draft with no title in its front matter, which the loader must skip.\n",
		"blank.txt": "",
	})
	for _, d := range indexDirs {
		t.Run(d.name, func(t *testing.T) {
			dir := d.dir(t)
			lib, text := quokkaLibrary("alpha")
			src := newSwitchable(lib)
			ix, _ := openIndex(t, Options{Dir: dir, Load: src.load})
			before := ix.Stats()
			var cur string
			if dir != "" {
				cur = currentGen(t, dir)
			}
			for i, empty := range []fs.FS{bad, fstest.MapFS{}} {
				src.set(empty)
				report, err := ix.Rebuild(context.Background())
				if !errors.Is(err, ErrEmptyLibrary) {
					t.Fatalf("rebuild from an empty library: err = %v, want ErrEmptyLibrary", err)
				}
				checkReportJSON(t, report)
				if report.Articles.Total != 0 || report.Passages.Total != 0 {
					t.Errorf("report totals %+v %+v, want 0", report.Articles, report.Passages)
				}
				var files []string
				for _, p := range report.Skipped {
					files = append(files, p.File)
					if p.Reason == "" {
						t.Errorf("skipped %s without a reason", p.File)
					}
				}
				sort.Strings(files)
				want := []string{}
				if i == 0 {
					want = []string{"blank.txt", "draft.md", "notes.pdf"}
				}
				if !slices.Equal(files, want) {
					t.Errorf("skipped %v, want %v", files, want)
				}
				if hits := mustSearch(t, ix, "quokka", 1); len(hits) != 1 || hits[0].Passage.Text != text {
					t.Errorf("after the refused rebuild: %v", hitIDs(hits))
				}
				if after := ix.Stats(); after != before {
					t.Errorf("stats changed from %+v to %+v", before, after)
				}
				if dir != "" {
					if got := currentGen(t, dir); got != cur {
						t.Errorf("CURRENT changed from %s to %s", cur, got)
					}
					if gens := genDirs(t, dir); !slices.Equal(gens, []string{cur}) {
						t.Errorf("generations on disk: %v, want [%s]", gens, cur)
					}
				}
			}
		})
	}
}

func TestOpenEmptyLibraryFails(t *testing.T) {
	for _, d := range indexDirs {
		t.Run(d.name, func(t *testing.T) {
			ix, info, err := Open(context.Background(), Options{Dir: d.dir(t), Load: loader(mapFS(map[string]string{"x.doc": "hello"}))})
			if ix != nil {
				ix.Close()
			}
			if !errors.Is(err, ErrEmptyLibrary) {
				t.Fatalf("Open on an empty library: err = %v, want ErrEmptyLibrary", err)
			}
			checkReportJSON(t, info.Report)
			if len(info.Report.Skipped) != 1 || info.Report.Skipped[0].File != "x.doc" {
				t.Errorf("report skipped %+v", info.Report.Skipped)
			}
		})
	}
}

// para is a paragraph long enough to be a passage of its own.
func para(topic string) string {
	return "This paragraph is about " + topic + ". It is long enough to stand alone as a passage, because it runs past the twenty-five words the splitter asks of an answer, and it says nothing else of note."
}

// counts is the part of a report a test compares.
type counts struct {
	ArticlesAdded, ArticlesRemoved, ArticlesChanged, ArticlesTotal int
	PassagesAdded, PassagesRemoved, PassagesTotal                  int
}

func countsOf(r corpus.Report) counts {
	return counts{r.Articles.Added, r.Articles.Removed, r.Articles.Changed, r.Articles.Total,
		r.Passages.Added, r.Passages.Removed, r.Passages.Total}
}

func TestReportCounts(t *testing.T) {
	keep := article("Kept", para("rye"), para("spelt"))
	change1 := article("Changed", para("barley"), para("millet"), para("sorghum"))
	change2 := article("Changed", para("barley"), para("teff, replacing millet"), para("sorghum"))
	drop := article("Dropped", para("quinoa"), para("amaranth"))
	add := article("Added", para("buckwheat"), para("fonio"))
	libs := []struct {
		name  string
		files map[string]string
		want  counts
	}{
		{"first build counts everything as added", map[string]string{"keep.md": keep, "change.md": change1, "drop.md": drop},
			counts{3, 0, 0, 3, 7, 0, 7}},
		{"one added, one removed, one changed", map[string]string{"keep.md": keep, "change.md": change2, "add.md": add},
			counts{1, 1, 1, 3, 3, 3, 7}},
		{"nothing changed", map[string]string{"keep.md": keep, "change.md": change2, "add.md": add},
			counts{0, 0, 0, 3, 0, 0, 7}},
		{"only a title changed", map[string]string{"keep.md": strings.Replace(keep, `"Kept"`, `"Kept, retitled"`, 1), "change.md": change2, "add.md": add},
			counts{0, 0, 1, 3, 0, 0, 7}},
	}
	for _, l := range libs {
		lib, err := corpus.Load(mapFS(l.files))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(lib.Passages()); n != 7 || len(lib.Articles) != 3 {
			t.Fatalf("%s: the test library loads %d articles and %d passages, want 3 and 7", l.name, len(lib.Articles), n)
		}
	}
	for _, d := range indexDirs {
		t.Run(d.name, func(t *testing.T) {
			dir := d.dir(t)
			src := newSwitchable(mapFS(libs[0].files))
			ix, info := openIndex(t, Options{Dir: dir, Load: src.load})
			if got := countsOf(info.Report); got != libs[0].want {
				t.Errorf("%s: got %+v, want %+v", libs[0].name, got, libs[0].want)
			}
			checkReportJSON(t, info.Report)
			if dir != "" {
				// Counts compare with what the index on disk records, so
				// they survive reopening it.
				ix.Close()
				ix, _ = openIndex(t, Options{Dir: dir, Load: src.load})
			}
			for _, l := range libs[1:] {
				src.set(mapFS(l.files))
				report, err := ix.Rebuild(context.Background())
				if err != nil {
					t.Fatalf("%s: %v", l.name, err)
				}
				if got := countsOf(report); got != l.want {
					t.Errorf("%s: got %+v, want %+v", l.name, got, l.want)
				}
				checkReportJSON(t, report)
			}
			if s := ix.Stats(); s.Articles != 3 || s.Passages != 7 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

// checkReportJSON asserts a report encodes to exactly the shape of
// `gutskin index --json`, with lists and no nulls.
func checkReportJSON(t testing.TB, r corpus.Report) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	const num, str = 0.0, ""
	problem := map[string]any{"file": str, "line": num, "reason": str}
	want := map[string]any{
		"articles":    map[string]any{"added": num, "removed": num, "changed": num, "total": num},
		"passages":    map[string]any{"added": num, "removed": num, "total": num},
		"skipped":     []any{problem},
		"warnings":    []any{str},
		"duration_ms": num,
	}
	if msg := sameShape("report", got, want); msg != "" {
		t.Errorf("report JSON %s: %s", b, msg)
	}
}

// sameShape compares decoded JSON with a template: objects must have
// exactly the template's keys, arrays hold elements shaped like the
// template's one element, and scalars match the template's type.
func sameShape(path string, got, want any) string {
	if got == nil {
		return path + " is null"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s is %T, want an object", path, got)
		}
		var gk, wk []string
		for k := range g {
			gk = append(gk, k)
		}
		for k := range w {
			wk = append(wk, k)
		}
		sort.Strings(gk)
		sort.Strings(wk)
		if !slices.Equal(gk, wk) {
			return fmt.Sprintf("%s has keys %v, want %v", path, gk, wk)
		}
		for k := range w {
			if msg := sameShape(path+"."+k, g[k], w[k]); msg != "" {
				return msg
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s is %T, want an array", path, got)
		}
		for i, e := range g {
			if msg := sameShape(fmt.Sprintf("%s[%d]", path, i), e, w[0]); msg != "" {
				return msg
			}
		}
	default:
		if reflect.TypeOf(got) != reflect.TypeOf(want) {
			return fmt.Sprintf("%s is %T, want %T", path, got, want)
		}
	}
	return ""
}

func TestReportJSONWithProblems(t *testing.T) {
	lib := mapFS(map[string]string{
		"marker.md":     article("A marker with no reference", "This sentence cites a reference that the article never lists, so the loader warns about it and still loads the article for answers [9]."),
		"twin.md":       article("Twin one", para("twins")),
		"twin.markdown": article("Twin two", para("twins again")),
		"photo.png":     "\x89PNG",
	})
	_, info := openIndex(t, Options{Load: loader(lib)})
	checkReportJSON(t, info.Report)
	if len(info.Report.Skipped) != 1 || info.Report.Skipped[0].File != "photo.png" {
		t.Errorf("skipped %+v, want photo.png", info.Report.Skipped)
	}
	var marker, twin bool
	for _, w := range info.Report.Warnings {
		marker = marker || strings.HasPrefix(w, "marker.md")
		twin = twin || strings.Contains(w, "twin")
	}
	if !marker || !twin {
		t.Errorf("warnings %q: want the unresolved marker of marker.md and the duplicate slug twin", info.Report.Warnings)
	}
	b, _ := json.Marshal(info.Report)
	if !strings.Contains(string(b), `"skipped":[{"file":"photo.png","line":0,"reason":`) {
		t.Errorf("report JSON %s", b)
	}
}

// Closing the index while a rebuild runs (a bot shutting down during a
// moderator's rebuild) leaves it closed: the rebuild's generation is not
// put in service and left open.
func TestCloseDuringRebuild(t *testing.T) {
	for _, d := range indexDirs {
		t.Run(d.name, func(t *testing.T) {
			lib, _ := quokkaLibrary("alpha")
			src := newSwitchable(lib)
			ix, _, err := Open(context.Background(), Options{Dir: d.dir(t), Load: src.load})
			if err != nil {
				t.Fatal(err)
			}
			src.block.Store(true)
			done := make(chan error, 1)
			go func() {
				_, err := ix.Rebuild(context.Background())
				done <- err
			}()
			select {
			case <-src.entered:
			case <-time.After(20 * time.Second):
				t.Fatal("the rebuild never reached Load")
			}
			if err := ix.Close(); err != nil {
				t.Fatal(err)
			}
			close(src.release)
			select {
			case err := <-done:
				if !errors.Is(err, ErrClosed) {
					t.Errorf("rebuild of a closed index: err = %v, want ErrClosed", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the rebuild never finished")
			}
			if _, err := ix.Search(context.Background(), "quokka", 1); !errors.Is(err, ErrClosed) {
				t.Errorf("search after close: err = %v, want ErrClosed", err)
			}
			if _, err := ix.Rebuild(context.Background()); !errors.Is(err, ErrClosed) {
				t.Errorf("rebuild after close: err = %v, want ErrClosed", err)
			}
			if err := ix.Close(); err != nil {
				t.Errorf("second close: %v", err)
			}
		})
	}
}
