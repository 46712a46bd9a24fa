package main

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"gutskin/index"
)

// throttle calls report with a rebuild's progress at most once every
// interval, and always with the last report.
func throttle(interval time.Duration, report func(index.Progress)) func(index.Progress) {
	var mu sync.Mutex
	var last time.Time
	return func(p index.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if !p.Done && time.Since(last) < interval {
			return
		}
		last = time.Now()
		report(p)
	}
}

// terminalProgress draws a rebuild's progress on one line of a terminal:
// articles and passages indexed, the rate and the time left.
func terminalProgress(w io.Writer) func(index.Progress) {
	return throttle(100*time.Millisecond, func(p index.Progress) {
		line := fmt.Sprintf("indexing: %d/%d articles, %d/%d passages, %.0f passages/s", p.ArticlesDone, p.Articles, p.PassagesDone, p.Passages, p.Rate())
		if left := p.Left(); left > 0 {
			line += fmt.Sprintf(", %s left", left.Round(time.Second))
		}
		end := ""
		if p.Done {
			line, end = fmt.Sprintf("indexed %d articles, %d passages in %s", p.Articles, p.Passages, p.Elapsed.Round(10*time.Millisecond)), "\n"
		}
		fmt.Fprintf(w, "\r\033[K%s%s", line, end)
	})
}

// logProgress logs a rebuild's progress once a second.
func logProgress(logger *slog.Logger) func(index.Progress) {
	return throttle(time.Second, func(p index.Progress) {
		logger.Info("rebuild progress", "articles", p.ArticlesDone, "articles_total", p.Articles,
			"passages", p.PassagesDone, "passages_total", p.Passages, "rate", int(p.Rate()),
			"left_s", int(p.Left().Seconds()), "done", p.Done)
	})
}
