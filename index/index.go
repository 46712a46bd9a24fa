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
	// ErrLocked means another process is building in the index directory.
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
	ReuseIfCurrent
	// ReuseNever always rebuilds.
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
// on the old one.
type Index struct {
	opts  Options
	log   *slog.Logger
	store store
	// previous are the articles of the index found on disk when Open was
	// told not to reuse it, so the first rebuild's report says what changed.
	previous []articleMeta

	mu     sync.RWMutex
	gen    *generation
	closed bool // set by Close; a closed index stays closed

	rebuilding sync.Mutex
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
func Open(ctx context.Context, opts Options) (*Index, OpenInfo, error) {
	if opts.Load == nil {
		return nil, OpenInfo{}, errors.New("index: Options.Load is required")
	}
	ix := &Index{opts: opts, log: opts.Logger, store: store{opts.Dir}}
	if ix.log == nil {
		ix.log = slog.New(slog.DiscardHandler)
	}
	var info OpenInfo
	var loaded *corpus.Library
	// The report is printed as JSON even when Open fails or builds nothing:
	// its lists are empty, never null.
	info.Report.Skipped, info.Report.Warnings = []corpus.Problem{}, []string{}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, info, fmt.Errorf("create index directory: %w", err)
		}
		name, gen, aside, err := ix.openStored(opts.Reuse != ReuseNever)
		if info.SetAside = aside; err != nil {
			return nil, info, err
		}
		if name != "" && gen == nil {
			// Not opened, but the report compares against what it held.
			ix.previous = readArticles(filepath.Join(opts.Dir, name))
		}
		if gen != nil {
			reuse := opts.Reuse == ReuseAny
			if !reuse {
				if loaded, err = opts.Load(ctx); err != nil {
					gen.close()
					return nil, info, fmt.Errorf("load library: %w", err)
				}
				reuse = Fingerprint(loaded) == gen.meta.Fingerprint
			}
			ix.gen = gen
			if reuse {
				ix.cleanLeftovers(name)
				return ix, info, nil
			}
		}
	}
	report, err := ix.rebuild(ctx, loaded) // a library loaded to compare is not loaded twice
	info.Rebuilt, info.Report = true, report
	if err != nil && ix.gen != nil {
		// The stale index still answers better than none.
		ix.log.Warn("rebuild failed; serving the index found on disk", "dir", opts.Dir, "err", err)
		info.Rebuilt = false
		return ix, info, nil
	}
	if err != nil {
		ix.Close()
		return nil, info, err
	}
	return ix, info, nil
}

// openAttempts bounds how often Open follows CURRENT to a newer generation
// when the one it read was replaced before it could be opened.
const openAttempts = 3

// testHookPointerRead, when a test sets it, runs right after Open reads
// CURRENT: the moment another process's rebuild can make what was read stale.
var testHookPointerRead func(name string)

// openStored returns the name of the generation CURRENT names and, when
// open is set, that generation opened. A damaged pointer or a generation
// that will not open is set aside (where to is returned), and the name is
// empty so that Open rebuilds. Setting aside happens only under the writer
// lock and only if CURRENT still holds what failed: when another process
// has published a generation meanwhile, that one is opened instead.
func (ix *Index) openStored(open bool) (string, *generation, string, error) {
	for attempt := 1; ; attempt++ {
		name, err := ix.store.current()
		if testHookPointerRead != nil {
			testHookPointerRead(name)
		}
		// what failed, why, and where it went if it was set aside
		var what, aside string
		var failed error
		switch {
		case errors.Is(err, errBadPointer):
			what, failed = "index pointer", err
			aside, err = ix.store.setAsidePointer()
		case err != nil:
			return "", nil, "", err
		case name == "" || !open:
			return name, nil, "", nil
		default:
			gen, openErr := openGeneration(filepath.Join(ix.opts.Dir, name))
			if openErr == nil {
				return name, gen, "", nil
			}
			what, failed = "index "+name, openErr
			aside, err = ix.store.setAside(name)
		}
		switch {
		case err == nil:
			ix.log.Warn(what+" is unusable; set it aside, rebuilding", "dir", ix.opts.Dir, "set_aside", aside, "err", failed)
			return "", nil, aside, nil
		case errors.Is(err, errMoved) && attempt < openAttempts:
			ix.log.Debug(what+" was replaced by another process while opening; opening the new one", "dir", ix.opts.Dir, "err", failed)
		case errors.Is(err, errMoved):
			return "", nil, "", fmt.Errorf("open index in %s: replaced by other processes %d times while opening, last: %w", ix.opts.Dir, openAttempts, failed)
		case errors.Is(err, ErrLocked):
			// The lock holder is building and will publish a generation
			// that replaces this one; a rebuild here would fail on the lock
			// too. Leave everything as it is, to be retried later.
			return "", nil, "", fmt.Errorf("%s will not open (%w), and is kept while another process builds: %w", what, failed, err)
		default:
			return "", nil, "", fmt.Errorf("%s will not open (%w), and setting it aside failed: %w", what, failed, err)
		}
	}
}

// cleanLeftovers removes generations of interrupted builds when no other
// process is building.
func (ix *Index) cleanLeftovers(keep string) {
	lock, err := ix.store.lockWriter()
	if err != nil {
		return // another process is building; its directory is not a leftover
	}
	defer lock.unlock()
	if cur, err := ix.store.current(); err != nil || cur != keep {
		// Another process published a generation since keep was opened,
		// and removed what it replaced: keep is no longer what to keep.
		return
	}
	if removed, err := ix.store.removeLeftovers(keep); err != nil {
		ix.log.Warn("could not remove leftover index", "err", err)
	} else if len(removed) > 0 {
		ix.log.Info("removed leftovers of an interrupted index build", "count", len(removed))
	}
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

func (g *generation) close() {
	g.users.Wait()
	g.closeFiles()
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
func (ix *Index) Rebuild(ctx context.Context) (corpus.Report, error) {
	return ix.rebuild(ctx, nil)
}

// rebuild is Rebuild from lib, or from a fresh load when lib is nil.
func (ix *Index) rebuild(ctx context.Context, lib *corpus.Library) (report corpus.Report, err error) {
	start := time.Now()
	defer func() { report.DurationMS = time.Since(start).Milliseconds() }()
	report.Skipped, report.Warnings = []corpus.Problem{}, []string{}
	if !ix.rebuilding.TryLock() {
		return report, ErrBusy
	}
	defer ix.rebuilding.Unlock()
	ix.mu.RLock()
	closed := ix.closed
	ix.mu.RUnlock()
	if closed {
		return report, ErrClosed
	}

	if lib == nil {
		if lib, err = ix.opts.Load(ctx); err != nil {
			return report, fmt.Errorf("load library: %w", err)
		}
	}
	report.Skipped = append(report.Skipped, lib.Skipped...)
	for _, w := range lib.Warnings {
		report.Warnings = append(report.Warnings, w.String())
	}
	old := ix.previous
	if inService, aerr := ix.acquire(); aerr == nil {
		old, err = inService.arts.list()
		inService.users.Done()
		if err != nil {
			return report, err
		}
	}
	if len(lib.Articles) == 0 {
		// Nothing is swapped in, so nothing is counted as added or removed.
		report.Warnings = append(report.Warnings, ErrEmptyLibrary.Error())
		return report, ErrEmptyLibrary
	}
	// Each article is described once: the report compares the
	// descriptions and the generation stores them.
	articles := make([]articleMeta, 0, len(lib.Articles))
	for _, a := range lib.Articles {
		articles = append(articles, describe(a))
	}
	diff(&report, old, articles)
	if err := ctx.Err(); err != nil {
		return report, err
	}
	gen, err := ix.build(ctx, lib, articles, report.Passages.Total)
	if err != nil {
		return report, err
	}
	if err := ix.swap(gen); err != nil {
		return report, err
	}
	return report, nil
}

// build writes a complete generation of lib, whose articles are described
// by articles and hold passages distinct passages, and, on disk, publishes
// it.
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

	// The folder may have been deleted since Open ("always safe"): the
	// lock file lives in it.
	if err := os.MkdirAll(ix.opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index directory: %w", err)
	}
	lock, err := ix.store.lockWriter()
	if err != nil {
		return nil, err
	}
	defer lock.unlock()
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
	gen, err := openGeneration(dir)
	if err != nil {
		return fail(err)
	}
	if err := ix.store.publish(name); err != nil {
		gen.close()
		return fail(err)
	}
	if _, err := ix.store.removeLeftovers(name); err != nil {
		ix.log.Warn("could not remove an old index generation", "err", err)
	}
	return gen, nil
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
// searches using it finish. An index closed while gen was being built stays
// closed: gen is closed instead (on disk it stays, finished and published).
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
		if old.dir != "" && old.dir != gen.dir {
			_ = os.RemoveAll(old.dir)
		}
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

// Close releases the index. Searches in flight finish first.
func (ix *Index) Close() error {
	ix.mu.Lock()
	gen := ix.gen
	ix.gen = nil
	ix.closed = true
	ix.mu.Unlock()
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
