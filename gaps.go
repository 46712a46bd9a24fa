package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"gutskin/index"
	"gutskin/internal/gaps"
)

const gapsUsage = `usage: gutskin gaps [--data DIR] [--days N] [--json]
       gutskin gaps --erase [--data DIR]
`

// runGaps prints what /gaps shows, or erases everything recorded.
func runGaps(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitCode(gapsCommand(ctx, args, stdout, stderr), stderr)
}

func gapsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("gaps", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, gapsUsage); flags.PrintDefaults() }
	dataFlag := flags.String("data", "", "the data folder (default: DATA_DIR)")
	days := flags.Int("days", 30, "how many days back")
	asJSON := flags.Bool("json", false, "print the report as one JSON object")
	erase := flags.Bool("erase", false, "delete everything recorded, and the key of its hashes")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("gaps: %v", err)
	}
	if flags.NArg() > 0 {
		return usagef("gaps: unexpected argument %q", flags.Arg(0))
	}
	if *days < 1 || *days > 3650 {
		return usagef("gaps: --days %d: want 1 to 3650", *days)
	}
	if err := loadDotEnv(); err != nil {
		return err
	}
	retention, err := retentionDays()
	if err != nil {
		return err
	}
	dir, src := *dataFlag, "--data"
	if dir == "" {
		dir, src = strings.TrimSpace(os.Getenv("DATA_DIR")), "DATA_DIR"
	}
	databaseURL := strings.TrimSpace(os.Getenv("DATABASE_URL"))
	if *dataFlag != "" {
		databaseURL = "" // --data names the bbolt store
	}
	if databaseURL != "" {
		store, err := gaps.OpenPostgres(ctx, databaseURL, gaps.Options{Retention: retention})
		if err != nil {
			return fmt.Errorf("DATABASE_URL: %w", err)
		}
		defer store.Close()
		if *erase {
			if err := store.Erase(ctx); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "Erased every recorded question and vote in PostgreSQL (DATABASE_URL).")
			return nil
		}
		return printReport(ctx, store, *days, *asJSON, stdout)
	}
	if dir == "" {
		return usagef("gaps: no data folder: pass --data DIR, or set DATA_DIR or DATABASE_URL")
	}
	if *erase {
		if err := gaps.Erase(dir); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Erased every recorded question and vote in %s.\n", dir)
		return nil
	}
	if info, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) || err == nil && !info.IsDir() {
		return usagef("gaps: %s=%s: no such folder", src, dir)
	} else if err != nil {
		return fmt.Errorf("gaps: %s=%s: %w", src, dir, err)
	}
	store, err := gaps.OpenReadOnly(gaps.Options{Dir: dir, Retention: retention})
	if err != nil {
		return err
	}
	defer store.Close()
	return printReport(ctx, store, *days, *asJSON, stdout)
}

// printReport prints what /gaps shows for the last days days.
func printReport(ctx context.Context, store gapsStore, days int, asJSON bool, stdout io.Writer) error {
	terms, err := index.TermsOf()
	if err != nil {
		return err
	}
	rep, err := store.Report(ctx, days, terms)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	printGaps(stdout, rep)
	return nil
}

// retentionDays reads RETENTION_DAYS: how long records are kept (default
// 90 days).
func retentionDays() (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv("RETENTION_DAYS"))
	if v == "" {
		return gaps.DefaultRetention, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 36500 {
		return 0, usagef("RETENTION_DAYS=%q: want a whole number of days from 1 to 36500", v)
	}
	return time.Duration(n) * 24 * time.Hour, nil
}

func printGaps(w io.Writer, rep gaps.Report) {
	fmt.Fprintf(w, "Last %d days: %d questions", rep.Days, rep.Questions)
	if rep.Questions > 0 {
		fmt.Fprintf(w, ", %d answered (%.0f%%)", rep.Answered, 100*rep.AnsweredRate)
	}
	fmt.Fprintln(w, ".")
	fmt.Fprintln(w, "\nUnanswered, most asked first:")
	if len(rep.Gaps) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, g := range rep.Gaps {
		fmt.Fprintf(w, "  %4d  %s\n", g.Count, g.Example)
	}
	fmt.Fprintln(w, "\nPassages rated 👎 most:")
	if len(rep.Downvoted) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, d := range rep.Downvoted {
		fmt.Fprintf(w, "  %4d 👎 %4d 👍  %s (%s)\n", d.Down, d.Up, d.Article, d.PassageID)
		if d.Example != "" {
			fmt.Fprintf(w, "              asked: %s\n", d.Example)
		}
	}
}
