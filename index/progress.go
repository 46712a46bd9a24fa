package index

import (
	"sync"
	"time"
)

// Progress says how far a rebuild has come. Options.Progress receives it
// after each batch of passages goes into the index, and once when the
// index is merged and done.
type Progress struct {
	// Articles and Passages are what the rebuild indexes in all.
	Articles, Passages int
	// ArticlesDone is the articles read so far, PassagesDone the passages
	// in the index.
	ArticlesDone, PassagesDone int
	// Elapsed is the time since indexing began.
	Elapsed time.Duration
	// Done is set on the last report, once the index is complete.
	Done bool
}

// Rate is passages indexed a second so far; 0 before any.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.PassagesDone) / p.Elapsed.Seconds()
}

// Left estimates the time to index the remaining passages at the rate so
// far; 0 when unknown or done.
func (p Progress) Left() time.Duration {
	r := p.Rate()
	if r == 0 || p.Done {
		return 0
	}
	return time.Duration(float64(p.Passages-p.PassagesDone) / r * float64(time.Second))
}

// progressTracker counts a rebuild's progress and reports it. Articles
// are read and passages indexed on different goroutines.
type progressTracker struct {
	report func(Progress)
	start  time.Time

	mu sync.Mutex
	p  Progress
}

func (ix *Index) progress(articles, passages int) *progressTracker {
	return &progressTracker{report: ix.opts.Progress, p: Progress{Articles: articles, Passages: passages}, start: time.Now()}
}

// read counts articles read into batches.
func (t *progressTracker) read(n int) {
	t.mu.Lock()
	t.p.ArticlesDone += n
	t.mu.Unlock()
}

// indexed counts passages put into the index, and reports.
func (t *progressTracker) indexed(n int) {
	t.mu.Lock()
	t.p.PassagesDone += n
	t.mu.Unlock()
	t.send()
}

// done reports the finished index.
func (t *progressTracker) done() {
	t.mu.Lock()
	t.p.Done = true
	t.mu.Unlock()
	t.send()
}

// send reports a copy, so that a slow report never holds up the counting.
func (t *progressTracker) send() {
	if t.report == nil {
		return
	}
	t.mu.Lock()
	t.p.Elapsed = time.Since(t.start)
	p := t.p
	t.mu.Unlock()
	t.report(p)
}
