package index

import "time"

// Progress says how far a rebuild has come. Options.Progress receives it
// after each batch of passages goes into the index, and once when the
// index is merged and done.
type Progress struct {
	// Articles and Passages are what the rebuild indexes in all.
	Articles, Passages int
	// ArticlesDone and PassagesDone are what is in the index so far.
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

// progressTracker counts a rebuild's progress and reports it.
type progressTracker struct {
	report func(Progress)
	p      Progress
	start  time.Time
}

func (ix *Index) progress(articles, passages int) *progressTracker {
	return &progressTracker{report: ix.opts.Progress, p: Progress{Articles: articles, Passages: passages}, start: time.Now()}
}

// read counts articles whose passages are all in the index.
func (t *progressTracker) read(n int) { t.p.ArticlesDone += n }

// indexed counts passages put into the index, and reports.
func (t *progressTracker) indexed(n int) {
	t.p.PassagesDone += n
	t.send()
}

// done reports the finished index.
func (t *progressTracker) done() {
	t.p.Done = true
	t.send()
}

func (t *progressTracker) send() {
	if t.report != nil {
		t.p.Elapsed = time.Since(t.start)
		t.report(t.p)
	}
}
