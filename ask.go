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
		return usagef("ask: %v", err)
	}
	if *top < 1 || *top > 10 {
		return usagef("ask: --top %d: want 1 to 10", *top)
	}
	ix, info, err := lib.openFor(ctx, index.ReuseAny, stderr)
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
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 4096), maxQuestionLine)
	first := true
	for sc.Scan() {
		q := strings.TrimSpace(sc.Text())
		if q == "" {
			continue
		}
		if !*asJSON && !first {
			fmt.Fprintln(out)
		}
		first = false
		if err := answer(q); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return usagef("ask: a line of standard input is longer than %d bytes", maxQuestionLine)
		}
		return fmt.Errorf("read questions: %w", err)
	}
	return nil
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
		return usagef("index: %v", err)
	}
	if len(rest) > 0 {
		return usagef("index: unexpected argument %q", rest[0])
	}
	ix, info, err := lib.openFor(ctx, index.ReuseNever, stderr)
	if ix != nil {
		defer ix.Close()
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
