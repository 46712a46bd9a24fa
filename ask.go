package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"gutskin/index"
)

// maxQuestionLine bounds one line of standard input; a longer line is
// answered from its first part rather than failing the whole run.
const maxQuestionLine = 64 << 10

func runAsk(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return exitCode(ask(ctx, args, stdin, stdout, stderr), stderr)
}

func ask(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lib := addLibraryFlags(fs)
	top := fs.Int("top", 1, "how many answers to show")
	asJSON := fs.Bool("json", false, "print one JSON object per question")
	words, err := parseInterspersed(fs, args)
	if err != nil {
		return usagef("ask: %w", err)
	}
	if *top < 1 || *top > 10 {
		return usagef("ask: --top %d: want 1 to 10", *top)
	}
	ix, info, err := lib.openFor(ctx, index.ReuseAny, stderr, nil)
	if err != nil {
		return err
	}
	defer ix.Close()
	if !info.Rebuilt {
		fmt.Fprintf(stderr, "gutskin: opened the existing index in %s (run `gutskin index` to rebuild it)\n", indexDir(*lib.index))
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	answer := func(q string) error {
		ans, err := ix.Answer(ctx, q, *top)
		if err != nil {
			return err
		}
		if *asJSON {
			b, err := json.Marshal(toJSON(ans))
			if err != nil {
				return fmt.Errorf("encode answer: %w", err)
			}
			out.Write(b)
			out.WriteByte('\n')
		} else {
			writeText(out, ans, isTerminal(stdout))
		}
		return out.Flush()
	}
	if len(words) > 0 {
		return answer(strings.Join(words, " "))
	}
	first := true
	return eachLine(stdin, func(line string) error {
		q := strings.TrimSpace(line)
		if q == "" {
			return nil
		}
		if !*asJSON && !first {
			fmt.Fprintln(out)
		}
		first = false
		return answer(q)
	})
}

// eachLine calls fn with each line of r, without its line ending. A line
// longer than maxQuestionLine is cut there (at a UTF-8 boundary) and the
// rest of it is dropped.
func eachLine(r io.Reader, fn func(string) error) error {
	br := bufio.NewReaderSize(r, maxQuestionLine)
	for {
		line, more, err := br.ReadLine()
		if len(line) > 0 || (err == nil && !more) {
			text := string(line)
			if more {
				text = strings.ToValidUTF8(text, "") // drops a rune the cut split
			}
			if ferr := fn(text); ferr != nil {
				return ferr
			}
		}
		for more && err == nil {
			_, more, err = br.ReadLine() // the rest of an over-long line
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read questions: %w", err)
		}
	}
}

func runIndex(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitCode(buildIndex(ctx, args, stdout, stderr), stderr)
}

func buildIndex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lib := addLibraryFlags(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return usagef("index: %w", err)
	}
	if len(rest) > 0 {
		return usagef("index: unexpected argument %q", rest[0])
	}
	var progress func(index.Progress)
	if !*asJSON && isTerminal(stderr) {
		progress = terminalProgress(stderr)
	}
	ix, info, err := lib.openFor(ctx, index.ReuseNever, stderr, progress)
	if ix != nil {
		defer ix.Close()
	}
	if err != nil && progress != nil {
		fmt.Fprint(stderr, "\r\033[K") // the error line replaces a half-drawn progress line
	}
	var ue usageError
	if errors.As(err, &ue) {
		// Nothing was attempted (a bad setting, a missing --corpus folder,
		// a locked directory): there is no report to print.
		return err
	}
	if *asJSON {
		b, jerr := json.Marshal(info.Report)
		if jerr != nil {
			return fmt.Errorf("encode report: %w", jerr)
		}
		fmt.Fprintln(stdout, string(b))
	} else {
		writeReport(stdout, info.Report)
	}
	return err
}
