package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gutskin/index"
)

func TestThrottle(t *testing.T) {
	var got []index.Progress
	report := throttle(time.Hour, func(p index.Progress) { got = append(got, p) })
	for i := 1; i <= 5; i++ {
		report(index.Progress{PassagesDone: i})
	}
	report(index.Progress{PassagesDone: 6, Done: true})
	if len(got) != 2 || got[0].PassagesDone != 1 || !got[1].Done {
		t.Errorf("reports %+v, want the first and the last", got)
	}
}

func TestTerminalProgress(t *testing.T) {
	var b bytes.Buffer
	report := terminalProgress(&b)
	report(index.Progress{Articles: 10, Passages: 100, ArticlesDone: 2, PassagesDone: 25, Elapsed: 5 * time.Second})
	line := b.String()
	for _, want := range []string{"\r", "2/10 articles", "25/100 passages", "5 passages/s", "15s left"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "\n") {
		t.Errorf("a progress line ends its line: %q", line)
	}
	b.Reset()
	report(index.Progress{Articles: 10, Passages: 100, ArticlesDone: 10, PassagesDone: 100, Elapsed: 20 * time.Second, Done: true})
	if got := b.String(); !strings.HasSuffix(got, "indexed 10 articles, 100 passages in 20s\n") {
		t.Errorf("last line %q", got)
	}
}

func TestLogProgress(t *testing.T) {
	var b bytes.Buffer
	report := logProgress(slog.New(slog.NewJSONHandler(&b, nil)))
	report(index.Progress{Articles: 10, Passages: 100, ArticlesDone: 2, PassagesDone: 25, Elapsed: 5 * time.Second})
	report(index.Progress{Articles: 10, Passages: 100, ArticlesDone: 3, PassagesDone: 30, Elapsed: 6 * time.Second})
	report(index.Progress{Articles: 10, Passages: 100, ArticlesDone: 10, PassagesDone: 100, Elapsed: 20 * time.Second, Done: true})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want one a second and the last: %q", len(lines), lines)
	}
	for _, want := range []string{`"msg":"rebuild progress"`, `"passages":25`, `"passages_total":100`, `"rate":5`, `"left_s":15`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %s lacks %s", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], `"done":true`) {
		t.Errorf("last log line %s", lines[1])
	}
}
