// Package index owns Bleve: it builds a search index from the article
// library, answers questions from it, and rebuilds it atomically while
// answers keep coming from the previous one. No other package imports bleve.
package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"

	"gutskin/corpus"
)

// Errors a caller can act on.
var (
	// ErrBusy means a rebuild is already running in this process.
	ErrBusy = errors.New("a rebuild is already running")
	// ErrLocked means another process holds the index directory's writer
	// lock: it is building, setting aside or removing a generation. Open and
	// Rebuild wait for it as long as their context allows; when the context
	// ends first, their error wraps both ErrLocked and the context's error.
	ErrLocked = errors.New("index directory is locked by another writer")
	// ErrEmptyLibrary means the library loaded no article; the index in
	// service is kept.
	ErrEmptyLibrary = errors.New("the library loaded no articles; the current index is kept")
	// ErrClosed means the index was closed.
	ErrClosed = errors.New("index is closed")
)

// Reuse says when Open may serve an index it finds on disk instead of
// building a new one.
type Reuse int

const (
	// ReuseAny opens any finished index as it is, whatever the library says.
	ReuseAny Reuse = iota
	// ReuseIfCurrent opens a finished index only when it was built from the
	// same library files and the same version of gutskin's search setup.
	// When it was not and another process is building, the stale index is
	// served until that process publishes; that build is followed, and not
	// repeated when it is of the same library.
	ReuseIfCurrent
	// ReuseNever always rebuilds, waiting for the writer lock while another
	// process holds it.
	ReuseNever
)

// Options configure Open.
type Options struct {
	// Dir is the index directory; empty keeps the index in memory.
	Dir string
	// Load reads the article library. It is called for every build.
	Load func(ctx context.Context) (*corpus.Library, error)
	// Reuse decides whether an index found in Dir is opened as it is.
	Reuse Reuse
	// Logger receives warnings; nil discards them.
	Logger *slog.Logger
	// Progress, when set, is told how a rebuild is going (see Progress).
	// It is called from the rebuilding goroutine and must not block long.
	Progress func(Progress)
	// Grace is how long a generation CURRENT no longer names stays on disk
	// after any process last served it or it was replaced, so that no
	// replica loses the files it answers from. Zero means DefaultGrace.
	// Leases are refreshed every Grace/12, at most every 10 s; tests set it
	// tiny to see generations removed at once.
	Grace time.Duration
	// Poll is how often an open index reads CURRENT, to serve what another
	// process published. Zero means DefaultPoll.
	Poll time.Duration
}

// OpenInfo says how Open obtained the index it returned.
type OpenInfo struct {
	// Rebuilt is false when an existing index was opened as it was.
	Rebuilt bool
	// Report describes the build, when there was one.
	Report corpus.Report
	// SetAside is where a corrupt index was moved, if one was.
	SetAside string
}

// Stats summarise the index in service.
type Stats struct {
	Articles int
	Passages int
	BuiltAt  time.Time
}

// Index answers questions from the article library. It is safe for
// concurrent use; Rebuild swaps in a new generation while searches continue
// on the old one. On disk, many processes may open one directory: each
// follows CURRENT to the generation any of them published last.
type Index struct {
	opts  Options
	log   *slog.Logger
	store store
	grace time.Duration
	poll  time.Duration
	// previous are the articles of the index found on disk when Open was
	// told not to reuse it, so the first rebuild's report says what changed.
	previous []articleMeta

	mu     sync.RWMutex
	gen    *generation
	closed bool // set by Close; a closed index stays closed

	rebuilding sync.Mutex

	// switching makes reading CURRENT and serving what it names one step,
	// for the watcher and for a rebuild publishing its own generation, so
	// that neither opens the generation the other is putting in service.
	switching sync.Mutex
	// failed and failedAt are the generation the watcher last could not
	// open, and when; pointerErr the last error reading CURRENT, reported
	// once. Guarded by switching.
	failed     string
	failedAt   time.Time
	pointerErr string
	// cleanAt is when generations this process replaced may have served
	// their grace period (Unix nanoseconds; 0: none wait).
	cleanAt atomic.Int64
	// stop ends the watcher, which closes watched when it returns; both
	// nil in memory.
	stop    context.CancelFunc
	watched chan struct{}
}

// generation is one built index with what it was built from.
type generation struct {
	bidx  bleve.Index
	meta  meta
	vocab *vocabulary
	terms *questionTerms
	asked *askedQuestions
	// arts is what the generation knows of its articles.
	arts *articleStore
	// ranks keeps the decoded rank records of passages questions weighed.
	ranks rankCache
	// findAlone is findAlone, but for tests of the other way to find.
	findAlone int
	dir       string // the generation's directory; "" in memory
	// users counts searches in flight, so a replaced generation is closed
	// only after they finish.
	users sync.WaitGroup
	// lease marks the generation as served by this process; nil in memory
	// or on a volume this process cannot write.
	lease *lease
}

// meta records what built a generation.
type meta struct {
	Schema      string    `json:"schema"`
	Fingerprint string    `json:"fingerprint"`
	BuiltAt     time.Time `json:"built_at"`
	// Articles and Passages count what the generation holds (its passages
	// once each); what it knows of each article is in its articleStore.
	Articles int `json:"articles"`
	Passages int `json:"passages"`
}

type articleMeta struct {
	Slug string `json:"slug"`
	corpus.ArticleInfo
	// Hash changes when anything shown or searched of the article changes.
	Hash     string   `json:"hash"`
	Sections []string `json:"sections"`
	Passages []string `json:"passages"`
	// References is the article's reference list, so that an index opened
	// from disk can show an article's sources beside a passage that cites
	// none of its own.
	References []corpus.Reference `json:"references"`
}

// Fingerprint identifies a library together with the search setup that
// indexes it, so a stored index can be checked against both.
func Fingerprint(lib *corpus.Library) string {
	sum := sha256.Sum256([]byte(lib.Fingerprint + "\x00" + dataVersion()))
	return hex.EncodeToString(sum[:])
}

// Open returns a ready index: one found in opts.Dir when opts.Reuse allows,
// else a new one built from opts.Load. A corrupt index on disk is set aside
// and rebuilt.
//
// Other processes may share opts.Dir. A finished generation is opened
// read-only and served even while another process holds the writer lock.
// With none yet (or only a corrupt one) and another process building, Open
// waits for what it publishes, as long as ctx allows. The index then
// follows CURRENT until it is closed (see Options.Poll).
func Open(ctx context.Context, opts Options) (*Index, OpenInfo, error) {
	if opts.Load == nil {
		return nil, OpenInfo{}, errors.New("index: Options.Load is required")
	}
	ix := &Index{opts: opts, log: opts.Logger, store: store{opts.Dir}, grace: opts.Grace, poll: opts.Poll}
	if ix.log == nil {
		ix.log = slog.New(slog.DiscardHandler)
	}
	if ix.grace <= 0 {
		ix.grace = DefaultGrace
	}
	if ix.poll <= 0 {
		ix.poll = DefaultPoll
	}
	var info OpenInfo
	// The report is printed as JSON even when Open fails or builds nothing:
	// its lists are empty, never null.
	info.Report = emptyReport()
	var err error
	if opts.Dir == "" {
		info.Rebuilt = true
		info.Report, _, err = ix.rebuildLocked(ctx, nil, "")
	} else if err = os.MkdirAll(opts.Dir, 0o755); err != nil {
		err = fmt.Errorf("create index directory: %w", err)
	} else {
		err = ix.openDir(ctx, &info)
	}
	if err != nil {
		ix.Close()
		return nil, info, err
	}
	if opts.Dir != "" {
		wctx, stop := context.WithCancel(context.Background())
		ix.stop, ix.watched = stop, make(chan struct{})
		go ix.watch(wctx)
	}
	return ix, info, nil
}

// emptyReport is a report with lists, never nulls, for JSON.
func emptyReport() corpus.Report {
	return corpus.Report{Skipped: []corpus.Problem{}, Warnings: []string{}}
}

// openAttempts bounds how often Open follows CURRENT to a newer generation
// when the one it read was replaced before it could be opened.
const openAttempts = 3

// testHookPointerRead, when a test sets it, runs right after Open reads
// CURRENT: the moment another process's rebuild can make what was read stale.
var testHookPointerRead func(name string)

// openDir puts in service the generation CURRENT names in the index
// directory, or builds one, as opts.Reuse says. A damaged pointer or a
// generation that will not open is set aside and rebuilt, but only under
// the writer lock and only if CURRENT still holds what failed: when another
// process published a generation meanwhile, that one is opened instead.
// While another process holds the lock and there is nothing to serve, it
// waits for that process to publish, or to leave the lock, as long as ctx
// allows.
func (ix *Index) openDir(ctx context.Context, info *OpenInfo) error {
	moved := 0
	// broken is a generation that would not open, and why: it is kept
	// while another process holds the lock, and not opened again.
	var broken string
	var brokenErr error
	for {
		name, err := ix.store.current()
		if testHookPointerRead != nil {
			testHookPointerRead(name)
		}
		bad := errors.Is(err, errBadPointer)
		switch {
		case err != nil && !bad:
			return err
		case name == "" || name == broken:
		case ix.opts.Reuse == ReuseNever:
			return ix.openRebuilt(ctx, info, name)
		default:
			gen, err := ix.openServed(name)
			switch {
			case err == nil:
				return ix.openFound(ctx, info, name, gen)
			case errors.Is(err, errMoved):
				if moved++; moved >= openAttempts {
					return fmt.Errorf("open index in %s: replaced by other processes %d times while opening", ix.opts.Dir, openAttempts)
				}
				ix.log.Debug("index "+name+" was replaced by another process while opening; opening the new one", "dir", ix.opts.Dir)
				continue
			}
			broken, brokenErr = name, err
		}

		// Nothing to serve: CURRENT is missing, damaged, or names a
		// generation that will not open. Only the writer mends that.
		lock, err := ix.store.lockIfStill(func(now string, err error) bool {
			if bad {
				return errors.Is(err, errBadPointer)
			}
			return err == nil && now == name
		})
		switch {
		case errors.Is(err, errMoved):
			continue // another process published: open that
		case errors.Is(err, ErrLocked):
			// The holder is building, and will publish what to open; a
			// build here would wait for the lock anyway.
			if werr := sleep(ctx, waitEvery); werr != nil {
				if brokenErr != nil {
					return fmt.Errorf("index %s will not open (%w), and is kept while another process builds: %w; gave up waiting: %w", broken, brokenErr, err, werr)
				}
				return fmt.Errorf("open index: waiting for another process to build it: %w; gave up waiting: %w", err, werr)
			}
			continue
		case err != nil:
			return err
		}
		err = ix.openRepaired(ctx, info, name, bad, brokenErr)
		lock.unlock()
		return err
	}
}

// openRepaired sets aside a damaged pointer (bad) or the generation name
// that failed with why, if any, and builds a new generation. The caller
// holds the writer lock and has checked CURRENT still holds what failed.
func (ix *Index) openRepaired(ctx context.Context, info *OpenInfo, name string, bad bool, why error) error {
	var err error
	switch {
	case bad:
		if info.SetAside, err = ix.store.setAsidePointerLocked(); err != nil {
			return fmt.Errorf("index pointer is damaged, and setting it aside failed: %w", err)
		}
		ix.log.Warn("index pointer is unusable; set it aside, rebuilding", "dir", ix.opts.Dir, "set_aside", info.SetAside)
	case name != "":
		// Not opened, but the report compares against what it held.
		ix.previous = readArticles(filepath.Join(ix.opts.Dir, name))
		if info.SetAside, err = ix.store.setAsideLocked(name); err != nil {
			return fmt.Errorf("index %s will not open (%w), and setting it aside failed: %w", name, why, err)
		}
		ix.log.Warn("index "+name+" is unusable; set it aside, rebuilding", "dir", ix.opts.Dir, "set_aside", info.SetAside, "err", why)
	}
	info.Report, info.Rebuilt, err = ix.rebuildLocked(ctx, nil, "")
	return err
}

// openRebuilt builds a new generation although CURRENT names name
// (ReuseNever), waiting for the writer lock as long as ctx allows.
func (ix *Index) openRebuilt(ctx context.Context, info *OpenInfo, name string) error {
	// Not opened, but the report compares against what it held.
	ix.previous = readArticles(filepath.Join(ix.opts.Dir, name))
	lock, err := ix.store.waitWriter(ctx, waitEvery)
	if err != nil {
		return err
	}
	defer lock.unlock()
	info.Report, info.Rebuilt, err = ix.rebuildLocked(ctx, nil, name)
	return err
}

// openFound serves gen, the generation name found on disk, and rebuilds it
// when opts.Reuse says it is stale and no other process holds the writer
// lock. A stale index still answers better than none: it is served when
// the rebuild fails, and when another process is building, whose
// generation it will follow.
func (ix *Index) openFound(ctx context.Context, info *OpenInfo, name string, gen *generation) error {
	ix.gen = gen
	if ix.opts.Reuse == ReuseAny {
		ix.cleanAtOpen()
		return nil
	}
	lib, err := ix.opts.Load(ctx)
	if err != nil {
		return fmt.Errorf("load library: %w", err)
	}
	if Fingerprint(lib) == gen.meta.Fingerprint {
		ix.cleanAtOpen()
		return nil
	}
	// A writer that only removes old generations holds the lock for
	// moments, and would leave the stale index stale; one that builds
	// holds it longer, and will publish what to follow.
	brief, cancel := context.WithTimeout(ctx, staleLockWait)
	lock, err := ix.store.waitWriter(brief, waitEvery)
	cancel()
	if err != nil {
		info.Report = libraryReport(lib)
		ix.log.Warn("the index is stale, and another process is writing; serving the index found on disk, and following what it publishes", "dir", ix.opts.Dir, "err", err)
		return nil
	}
	defer lock.unlock()
	var built bool
	info.Report, built, err = ix.rebuildLocked(ctx, lib, name) // a library loaded to compare is not loaded twice
	info.Rebuilt = built
	if err != nil {
		ix.log.Warn("rebuild failed; serving the index found on disk", "dir", ix.opts.Dir, "err", err)
		info.Rebuilt = false
	}
	return nil
}

// staleLockWait is how long Open, having found a stale index, waits for
// the writer lock before it serves the stale one: long enough for another
// process to finish removing old generations, short next to a build.
const staleLockWait = 3 * waitEvery

// cleanAtOpen removes generations nobody serves, such as those of
// interrupted builds, when no other process holds the writer lock. What
// must wait for its grace period is left to the processes that publish:
// one that only opened keeps to following.
func (ix *Index) cleanAtOpen() {
	lock, err := ix.store.lockWriter()
	if err != nil {
		return // another process is writing; its build is not a leftover
	}
	defer lock.unlock()
	ix.cleanUnserved(false)
}

func openGeneration(dir string) (*generation, error) {
	m, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	if m.Schema != schemaVersion {
		return nil, fmt.Errorf("index schema %q, want %q", m.Schema, schemaVersion)
	}
	if err := registerAnalyzer(); err != nil {
		return nil, fmt.Errorf("register analyzer: %w", err)
	}
	bidx, err := bleve.OpenUsing(filepath.Join(dir, bleveDir), map[string]interface{}{"read_only": true, "bolt_timeout": "1s"})
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	data, err := readAnswerData(dir)
	if err != nil {
		bidx.Close()
		return nil, err
	}
	arts, err := openArticles(dir)
	if err != nil {
		bidx.Close()
		return nil, err
	}
	gen := &generation{bidx: bidx, meta: m, arts: arts, dir: dir}
	if err := gen.prepare(data); err != nil {
		gen.closeFiles()
		return nil, err
	}
	docs, err := bidx.DocCount()
	if err != nil {
		gen.closeFiles()
		return nil, fmt.Errorf("count indexed passages: %w", err)
	}
	// Bleve opens an index whose segment files are damaged by skipping
	// them, with only a log line: the index then answers nothing. A
	// generation must hold every passage its metadata counts.
	if docs != uint64(m.Passages) || data.Docs != docs {
		gen.closeFiles()
		return nil, fmt.Errorf("index %s holds %d passages, its metadata counts %d and its answer data %d", dir, docs, m.Passages, data.Docs)
	}
	return gen, nil
}

// prepare sets up what searching needs besides Bleve, from data.
func (g *generation) prepare(data answerData) error {
	g.findAlone = findAlone
	g.vocab = &vocabulary{docFreq: data.DocFreq, docs: data.Docs, spelling: data.Spelling}
	a := g.bidx.Mapping().AnalyzerNamed(analyzerName)
	if a == nil {
		return fmt.Errorf("analyzer %s is not registered", analyzerName)
	}
	g.terms = newQuestionTerms(a)
	var err error
	if g.asked, err = newAskedQuestions(a, g.vocab, data); err != nil {
		return fmt.Errorf("listed questions: %w", err)
	}
	return nil
}

// close retires the generation once the searches using it finish, and
// releases its lease.
func (g *generation) close() {
	g.users.Wait()
	g.closeFiles()
	g.lease.release()
}

// closeFiles closes what the generation holds open. Read only, they have
// nothing to flush.
func (g *generation) closeFiles() {
	_ = g.bidx.Close()
	_ = g.arts.close()
}

// Rebuild loads the library and builds a new generation beside the one in
// service, then swaps it in. Searches keep using the old generation until
// the swap. On any failure, and for a library with no articles, the old
// generation stays in service and on disk.
//
// On disk, Rebuild first takes the directory's writer lock, waiting while
// another process holds it as long as ctx allows, and loads the library
// under it, so that the last build is of the latest library. When another
// process published a generation of the very same library meanwhile, that
// one is served instead and nothing is built: the report then says nothing
// changed. Every other process sharing the directory follows the new
// generation.
func (ix *Index) Rebuild(ctx context.Context) (report corpus.Report, err error) {
	start := time.Now()
	defer func() { report.DurationMS = time.Since(start).Milliseconds() }()
	report = emptyReport()
	if !ix.rebuilding.TryLock() {
		return report, ErrBusy
	}
	defer ix.rebuilding.Unlock()
	if ix.isClosed() {
		return report, ErrClosed
	}
	if ix.opts.Dir == "" {
		report, _, err = ix.rebuildLocked(ctx, nil, "")
		return report, err
	}
	since := ix.Generation()
	// The folder may have been deleted since Open ("always safe"): the
	// lock file lives in it.
	if err := os.MkdirAll(ix.opts.Dir, 0o755); err != nil {
		return report, fmt.Errorf("create index directory: %w", err)
	}
	lock, err := ix.store.waitWriter(ctx, waitEvery)
	if err != nil {
		return report, err
	}
	defer lock.unlock()
	if ix.isClosed() {
		return report, ErrClosed
	}
	report, _, err = ix.rebuildLocked(ctx, nil, since)
	return report, err
}

// isClosed says whether Close was called.
func (ix *Index) isClosed() bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.closed
}

// libraryReport is a report of what loading lib skipped and warned of.
func libraryReport(lib *corpus.Library) corpus.Report {
	report := emptyReport()
	report.Skipped = append(report.Skipped, lib.Skipped...)
	for _, w := range lib.Warnings {
		report.Warnings = append(report.Warnings, w.String())
	}
	return report
}

// rebuildLocked builds a generation from lib, or from a fresh load when lib
// is nil, and puts it in service. On disk the caller holds the writer lock,
// and since is the generation CURRENT named when the rebuild was asked
// for: if another process has published since a generation of the same
// library, that one is served instead, and built is false.
func (ix *Index) rebuildLocked(ctx context.Context, lib *corpus.Library, since string) (report corpus.Report, built bool, err error) {
	start := time.Now()
	defer func() { report.DurationMS = time.Since(start).Milliseconds() }()
	report = emptyReport()
	if lib == nil {
		if lib, err = ix.opts.Load(ctx); err != nil {
			return report, false, fmt.Errorf("load library: %w", err)
		}
	}
	report = libraryReport(lib)
	// Two replicas asked to rebuild at once take turns on the lock: the
	// second finds the first's generation, and need not build it again.
	skip := ix.opts.Dir != "" && len(lib.Articles) > 0 && ix.followPublished(since, Fingerprint(lib))
	old := ix.previous
	if inService, aerr := ix.acquire(); aerr == nil {
		old, err = inService.arts.list()
		inService.users.Done()
		if err != nil {
			return report, false, err
		}
	}
	if len(lib.Articles) == 0 {
		// Nothing is swapped in, so nothing is counted as added or removed.
		report.Warnings = append(report.Warnings, ErrEmptyLibrary.Error())
		return report, false, ErrEmptyLibrary
	}
	// Each article is described once: the report compares the
	// descriptions and the generation stores them.
	articles := make([]articleMeta, 0, len(lib.Articles))
	for _, a := range lib.Articles {
		articles = append(articles, describe(a))
	}
	diff(&report, old, articles)
	if skip {
		return report, false, nil
	}
	if err := ctx.Err(); err != nil {
		return report, false, err
	}
	gen, err := ix.build(ctx, lib, articles, report.Passages.Total)
	if err != nil {
		return report, false, err
	}
	if ix.opts.Dir == "" {
		return report, true, ix.swap(gen)
	}
	if err := ix.publish(gen); err != nil {
		return report, false, err
	}
	// The generation this one replaced is closed now, its lease released:
	// whatever no other process serves goes, now or after its grace.
	ix.cleanUnserved(true)
	return report, true, nil
}

// followPublished serves the generation CURRENT names, if it is not since
// and was built from the library with the given fingerprint, and says
// whether it did. The caller holds the writer lock.
func (ix *Index) followPublished(since, fingerprint string) bool {
	cur, err := ix.store.current()
	if err != nil || cur == "" || cur == since || since == "" {
		return false
	}
	m, err := readMeta(filepath.Join(ix.opts.Dir, cur))
	if err != nil || m.Schema != schemaVersion || m.Fingerprint != fingerprint {
		return false
	}
	ix.switching.Lock()
	defer ix.switching.Unlock()
	if ix.Generation() != cur {
		gen, err := ix.openServed(cur)
		if err != nil {
			ix.log.Warn("the index another process published will not open; rebuilding", "dir", ix.opts.Dir, "generation", cur, "err", err)
			return false
		}
		if ix.swap(gen) != nil {
			return false
		}
	}
	ix.log.Info("another process published this library meanwhile; serving its index rather than building it again", "dir", ix.opts.Dir, "generation", cur)
	return true
}

// build writes a complete generation of lib, whose articles are described
// by articles and hold passages distinct passages. On disk, the caller
// holds the writer lock, and the generation is finished, opened and
// leased, but not yet published.
func (ix *Index) build(ctx context.Context, lib *corpus.Library, articles []articleMeta, passages int) (*generation, error) {
	m := meta{Schema: schemaVersion, Fingerprint: Fingerprint(lib), BuiltAt: time.Now().UTC(), Articles: len(articles), Passages: passages}
	im, err := newMapping()
	if err != nil {
		return nil, err
	}
	if ix.opts.Dir == "" {
		bidx, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
		if err != nil {
			return nil, fmt.Errorf("create index: %w", err)
		}
		// In memory there is no merger to make one segment of many, and no
		// memory to bound but the library's own: one batch it is.
		data, err := ix.fill(ctx, bidx, lib, 0)
		if err != nil {
			bidx.Close()
			return nil, err
		}
		gen := &generation{bidx: bidx, meta: m, arts: memoryArticles(articles)}
		if err := gen.prepare(data); err != nil {
			bidx.Close()
			return nil, err
		}
		return gen, nil
	}

	name := ix.store.newGeneration()
	dir := filepath.Join(ix.opts.Dir, name)
	fail := func(err error) (*generation, error) {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(fmt.Errorf("create index generation: %w", err))
	}
	bidx, err := bleve.NewUsing(filepath.Join(dir, bleveDir), im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return fail(fmt.Errorf("create index: %w", err))
	}
	data, err := ix.fill(ctx, bidx, lib, batchSize)
	if err != nil {
		bidx.Close()
		return fail(err)
	}
	if err := bidx.Close(); err != nil {
		return fail(fmt.Errorf("finish index: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := writeAnswerData(dir, data); err != nil {
		return fail(err)
	}
	if err := writeArticles(dir, articles); err != nil {
		return fail(err)
	}
	if err := writeMeta(dir, m); err != nil {
		return fail(err)
	}
	// Leased before it is published, so that no later writer removes it
	// while this process serves it.
	l, err := takeLease(dir)
	if err != nil {
		return fail(err)
	}
	gen, err := openGeneration(dir)
	if err != nil {
		l.release()
		return fail(err)
	}
	gen.lease = l
	return gen, nil
}

// publish makes gen, built by this process under the writer lock, the
// generation CURRENT names, and puts it in service. The watcher waits
// meanwhile, so it does not open gen a second time. An index closed while
// gen was built stays closed (ErrClosed): gen is closed, but stays
// published on disk, finished, for the other processes.
func (ix *Index) publish(gen *generation) error {
	ix.switching.Lock()
	defer ix.switching.Unlock()
	if err := ix.store.publish(filepath.Base(gen.dir)); err != nil {
		gen.close()
		_ = os.RemoveAll(gen.dir)
		return err
	}
	return ix.swap(gen)
}

// batchSize is how many passages go into the index at a time: memory
// during a rebuild depends on it, not on the library.
const batchSize = 1000

// errIndexerFailed stops preparing batches nobody will index.
var errIndexerFailed = errors.New("index passages: the indexer failed")

// fill indexes every passage, size at a time (0: all at once), then merges
// the index into one segment: Bleve's BM25 field-length normalisation is
// computed per segment, so one segment keeps scores the same however the
// batches fell. It returns what answering needs beyond the index.
func (ix *Index) fill(ctx context.Context, bidx bleve.Index, lib *corpus.Library, size int) (answerData, error) {
	listed, err := newListedTerms(bidx.Mapping().AnalyzerNamed(analyzerName))
	if err != nil {
		return answerData{}, err
	}
	// The typo lexicon's words are read on a core of their own meanwhile.
	type wordsRead struct {
		words map[string]string
		err   error
	}
	lexicon := make(chan wordsRead, 1)
	go func() {
		w, err := libraryWords(ctx, lib, bidx.Mapping().AnalyzerNamed(analyzerName))
		lexicon <- wordsRead{w, err}
	}()
	total := 0
	for _, a := range lib.Articles {
		total += len(a.Passages)
	}
	progress := ix.progress(len(lib.Articles), total)
	im := bidx.Mapping()

	// One batch is indexed while the next is prepared, in order, so that
	// indexing and preparing share the cores and the build stays the same
	// from one run to the next.
	full := make(chan *bleve.Batch)
	failed := make(chan struct{}) // closed when the indexer gives up
	var indexErr error
	indexed := make(chan struct{})
	go func() {
		defer close(indexed)
		for batch := range full {
			if err := bidx.Batch(batch); err != nil {
				indexErr = fmt.Errorf("index passages: %w", err)
				close(failed)
				for range full { // let the preparer finish sending
				}
				return
			}
			progress.indexed(batch.Size())
		}
	}()
	send := func(batch *bleve.Batch) error {
		if batch.Size() == 0 {
			return nil
		}
		select {
		case full <- batch:
			return nil
		case <-failed:
			return errIndexerFailed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	prepare := func() error {
		batch := bidx.NewBatch()
		for _, a := range lib.Articles {
			tags := strings.Join(a.Tags, ", ")
			for _, p := range a.Passages {
				doc, err := json.Marshal(p)
				if err != nil {
					return fmt.Errorf("encode passage %s: %w", p.ID, err)
				}
				rank, err := json.Marshal(listed.rank(p))
				if err != nil {
					return fmt.Errorf("encode passage %s: %w", p.ID, err)
				}
				d := document.NewDocument(p.ID)
				if err := im.MapDocument(d, passageDoc{
					Text: p.Text, Section: joinSection(p.Section), Title: a.Title, Tags: tags, Slug: a.Slug,
					Questions: p.Questions, Doc: string(doc), Rank: string(rank),
				}); err != nil {
					return fmt.Errorf("index passage %s of %s: %w", p.ID, a.File, err)
				}
				d.AddField(document.NewCompositeFieldWithIndexingOptions(fieldAll, false, searchedFields, nil, bindex.IndexField))
				if err := batch.IndexAdvanced(d); err != nil {
					return fmt.Errorf("index passage %s of %s: %w", p.ID, a.File, err)
				}
				if size > 0 && batch.Size() >= size {
					if err := send(batch); err != nil {
						return err
					}
					batch = bidx.NewBatch()
				}
			}
			progress.read(1)
		}
		return send(batch)
	}
	err = prepare()
	close(full)
	<-indexed
	read := <-lexicon
	switch {
	case indexErr != nil:
		return answerData{}, indexErr
	case err != nil:
		return answerData{}, err
	case read.err != nil:
		return answerData{}, fmt.Errorf("typo-repair words: %w", read.err)
	}
	if size > 0 {
		if err := forceMerge(ctx, bidx); err != nil {
			return answerData{}, err
		}
	}
	progress.done()
	return buildAnswerData(ctx, bidx, read.words, listed)
}

// forceMerge merges a scorch index into one segment.
func forceMerge(ctx context.Context, bidx bleve.Index) error {
	adv, err := bidx.Advanced()
	if err != nil {
		return fmt.Errorf("merge index: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return fmt.Errorf("merge index: a %T is not a scorch index", adv)
	}
	// ForceMerge merges the segments already persisted; the last batches
	// may still be in memory, to be written by scorch's persister. Merge
	// until one segment holds everything.
	for stalled := 0; ; {
		if err := s.ForceMerge(ctx, nil); err != nil {
			return fmt.Errorf("merge index: %w", err)
		}
		stats := s.StatsMap()
		inMemory, _ := stats["num_root_memorysegments"].(uint64)
		onDisk, _ := stats["num_root_filesegments"].(uint64)
		switch {
		case inMemory+onDisk <= 1:
			return nil
		case inMemory == 0:
			if stalled++; stalled > 3 {
				return fmt.Errorf("merge index: %d segments stay apart", onDisk)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func joinSection(s []string) string { return strings.Join(s, " > ") }

// swap puts gen in service and retires the previous generation once the
// searches using it finish; its files stay on disk, for the writer to
// remove when no process serves them. An index closed while gen was being
// opened or built stays closed: gen is closed instead.
func (ix *Index) swap(gen *generation) error {
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		gen.close()
		return ErrClosed
	}
	old := ix.gen
	ix.gen = gen
	ix.mu.Unlock()
	if old != nil {
		old.close()
	}
	return nil
}

// acquire returns the generation in service, counted as in use.
func (ix *Index) acquire() (*generation, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil {
		return nil, ErrClosed
	}
	ix.gen.users.Add(1)
	return ix.gen, nil
}

// Close releases the index: it stops following CURRENT, and lets go of the
// generation in service once the searches in flight finish.
func (ix *Index) Close() error {
	ix.mu.Lock()
	gen := ix.gen
	ix.gen = nil
	ix.closed = true
	ix.mu.Unlock()
	if ix.stop != nil {
		ix.stop()
		<-ix.watched
	}
	if gen != nil {
		gen.close()
	}
	return nil
}

// Stats describes the generation in service.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil {
		return Stats{}
	}
	return Stats{Articles: ix.gen.meta.Articles, Passages: ix.gen.meta.Passages, BuiltAt: ix.gen.meta.BuiltAt}
}

// Articles lists the library's articles, sorted by title; none when they
// cannot be read.
func (ix *Index) Articles() []corpus.ArticleInfo {
	gen, err := ix.acquire()
	if err != nil {
		return nil
	}
	defer gen.users.Done()
	list, err := gen.arts.list()
	if err != nil {
		ix.log.Warn("cannot list the library's articles", "err", err)
		return nil
	}
	out := make([]corpus.ArticleInfo, 0, len(list))
	for _, a := range list {
		out = append(out, a.ArticleInfo)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out
}

// readArticles returns the articles of the generation in genDir, or none
// when they cannot be read.
func readArticles(genDir string) []articleMeta {
	arts, err := openArticles(genDir)
	if err != nil {
		return nil
	}
	defer arts.close()
	list, _ := arts.list()
	return list
}

func describe(a corpus.Article) articleMeta {
	// Everything a member can see of the article, and the questions it
	// lists for search, goes into the hash.
	b, _ := json.Marshal(a)
	sum := sha256.Sum256(b)
	m := articleMeta{Slug: a.Slug, ArticleInfo: a.ArticleInfo, Hash: hex.EncodeToString(sum[:12]), References: a.References}
	for _, p := range a.Passages {
		m.Passages = append(m.Passages, p.ID)
		if s := joinSection(p.Section); s != "" && !slices.Contains(m.Sections, s) {
			m.Sections = append(m.Sections, s)
		}
	}
	return m
}

// diff fills the added/removed/changed counts of a report on the articles
// described by now.
func diff(r *corpus.Report, old, now []articleMeta) {
	oldArticles := map[string]string{}
	oldPassages := map[string]bool{}
	for _, a := range old {
		oldArticles[a.Slug] = a.Hash
		for _, p := range a.Passages {
			oldPassages[p] = true
		}
	}
	newPassages := map[string]bool{}
	for _, a := range now {
		if h, ok := oldArticles[a.Slug]; !ok {
			r.Articles.Added++
		} else if h != a.Hash {
			r.Articles.Changed++
		}
		delete(oldArticles, a.Slug)
		for _, p := range a.Passages {
			newPassages[p] = true
			if !oldPassages[p] {
				r.Passages.Added++
			}
		}
	}
	r.Articles.Removed = len(oldArticles)
	r.Articles.Total = len(now)
	for p := range oldPassages {
		if !newPassages[p] {
			r.Passages.Removed++
		}
	}
	r.Passages.Total = len(newPassages)
}
