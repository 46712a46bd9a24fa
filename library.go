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

	"gutskin/corpus"
	"gutskin/internal/fetch"
	"gutskin/internal/library"
)

const libraryUsage = `usage:
  gutskin library add FILE|URL [--corpus DIR] [--dry-run] [--json]
  gutskin library remove SLUG [--corpus DIR]
  gutskin library restore SLUG [--corpus DIR]
  gutskin library list [--corpus DIR] [--json]
`

// runLibrary changes the article folder as /library does in Discord. It
// writes files only; the bot picks them up at its next rebuild.
func runLibrary(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitCode(libraryCommand(ctx, args, stdout, stderr), stderr)
}

func libraryCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, libraryUsage)
		return usagef("library: want add, remove, restore or list")
	}
	sub := args[0]
	fs := flag.NewFlagSet("library "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, libraryUsage); fs.PrintDefaults() }
	corpusFlag := fs.String("corpus", "", "the library folder (default: CORPUS_DIR)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	dryRun := false
	if sub == "add" {
		fs.BoolVar(&dryRun, "dry-run", false, "print the preview and write nothing")
	}
	switch sub {
	case "add", "remove", "restore", "list":
	case "-h", "--help", "help":
		fmt.Fprint(stdout, libraryUsage)
		return nil
	default:
		fmt.Fprint(stderr, libraryUsage)
		return usagef("library: unknown subcommand %q (want add, remove, restore or list)", sub)
	}
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("library %s: %v", sub, err)
	}
	want := 1
	if sub == "list" {
		want = 0
	}
	if len(pos) != want {
		what := map[string]string{"add": "one FILE or URL", "remove": "one SLUG", "restore": "one SLUG", "list": "no argument"}[sub]
		return usagef("library %s: want %s, got %d", sub, what, len(pos))
	}
	if *asJSON && (sub == "remove" || sub == "restore") {
		return usagef("library %s: --json is for add and list", sub)
	}
	if err := loadDotEnv(); err != nil {
		return err
	}
	allowPrivate, err := fetchAllowPrivate()
	if err != nil {
		return err
	}
	folder := libraryFolder(*corpusFlag, allowPrivate)
	if folder == nil {
		return usagef("no library folder: pass --corpus DIR or set CORPUS_DIR (the built-in library is read-only; the first add seeds a new folder with it)")
	}
	switch sub {
	case "list":
		l, err := folder.List()
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(l)
		}
		printListing(stdout, l)
		return nil
	case "remove":
		e, err := folder.Remove(ctx, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Removed %q (%s); it is kept in %s. Rebuild with `gutskin index` or /reindex.\n", e.Title, e.File, folder.RemovedDir())
		return nil
	case "restore":
		e, err := folder.Restore(ctx, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Restored %q as %s. Rebuild with `gutskin index` or /reindex.\n", e.Title, e.File)
		return nil
	}
	return libraryAdd(ctx, folder, pos[0], dryRun, *asJSON, stdout)
}

// libraryFolder is the folder moderators change: --corpus, else
// CORPUS_DIR; nil when neither is set, since the built-in library is
// read-only. The folder may not exist yet: the first add creates it.
func libraryFolder(flagDir string, allowPrivate bool) *library.Folder {
	dir := flagDir
	if dir == "" {
		dir = strings.TrimSpace(os.Getenv("CORPUS_DIR"))
	}
	if dir == "" {
		return nil
	}
	return library.New(library.Options{Dir: dir, Seed: corpus.Default(), Fetch: fetch.New(fetch.Options{AllowPrivate: allowPrivate})})
}

// fetchAllowPrivate reads FETCH_ALLOW_PRIVATE: off unless "true".
func fetchAllowPrivate() (bool, error) {
	v := strings.TrimSpace(os.Getenv("FETCH_ALLOW_PRIVATE"))
	if v == "" {
		return false, nil
	}
	allow, err := strconv.ParseBool(v)
	if err != nil {
		return false, usagef("FETCH_ALLOW_PRIVATE=%q: want true or false", v)
	}
	return allow, nil
}

// libraryAdd previews an article from a file or a URL and, unless dryRun,
// writes it.
func libraryAdd(ctx context.Context, folder *library.Folder, arg string, dryRun, asJSON bool, stdout io.Writer) error {
	var src library.Source
	if strings.Contains(arg, "://") {
		src.URL = arg
	} else {
		info, err := os.Stat(arg)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return usagef("library add %s: no such file", arg)
		case err != nil:
			return fmt.Errorf("library add: %w", err)
		case info.IsDir():
			return usagef("library add %s: a folder, not a file", arg)
		case info.Size() > library.MaxAttachment:
			return fmt.Errorf("%s cannot be added: it is %.1f MiB; at most 1 MiB", arg, float64(info.Size())/(1<<20))
		}
		data, err := os.ReadFile(arg)
		if err != nil {
			return fmt.Errorf("library add: %w", err)
		}
		src.Name, src.Data = arg, data
	}
	p, err := folder.Preview(ctx, src)
	if err != nil {
		return err
	}
	var added *library.Added
	if !dryRun {
		a, err := folder.Add(ctx, p)
		if err != nil {
			return err
		}
		added = &a
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(struct {
			library.Preview
			DryRun bool           `json:"dry_run"`
			Added  *library.Added `json:"added"`
		}{p, dryRun, added})
	}
	printPreview(stdout, p)
	switch {
	case dryRun:
		fmt.Fprintln(stdout, "\nDry run: nothing was written.")
	default:
		fmt.Fprintf(stdout, "\nWrote %s.", added.File)
		if added.Replaced != "" {
			fmt.Fprintf(stdout, " The previous version is kept as %s in %s.", added.Replaced, folder.RemovedDir())
		}
		if added.Seeded > 0 {
			fmt.Fprintf(stdout, " The new folder was seeded with %d built-in articles.", added.Seeded)
		}
		fmt.Fprintln(stdout, " Rebuild with `gutskin index` or /reindex.")
	}
	return nil
}

func printPreview(w io.Writer, p library.Preview) {
	fmt.Fprintf(w, "Preview: %s\n", p.Title)
	fmt.Fprintf(w, "  from:       %s\n", p.Origin)
	if p.SourceURL != "" {
		fmt.Fprintf(w, "  source:     %s\n", p.SourceURL)
	}
	kind := "new"
	if p.Update != nil {
		kind = "updates " + p.Update.File
	}
	fmt.Fprintf(w, "  file:       %s (%s)\n", p.File, kind)
	fmt.Fprintf(w, "  passages:   %d\n", p.Passages)
	fmt.Fprintf(w, "  references: %d\n", len(p.References))
	for _, r := range p.References {
		label := r.Label
		if label == "" {
			label = "•"
		} else {
			label = "[" + label + "]"
		}
		fmt.Fprintf(w, "    %s %s\n", label, r.Text)
	}
	if p.Update != nil {
		fmt.Fprintln(w, "  changes:")
		for _, c := range p.Update.Changes {
			fmt.Fprintf(w, "    - %s\n", c)
		}
	}
	if len(p.Unresolved) > 0 {
		fmt.Fprintln(w, "  markers that cite nothing:")
		for _, u := range p.Unresolved {
			fmt.Fprintf(w, "    %s\n", u)
		}
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w, "  warnings:")
		for _, u := range p.Warnings {
			fmt.Fprintf(w, "    %s\n", u)
		}
	}
	if p.Seeds > 0 {
		fmt.Fprintf(w, "  the library folder is new: adding copies the %d built-in articles into it first\n", p.Seeds)
	}
	for i, ps := range p.First {
		fmt.Fprintf(w, "\nPassage %d", i+1)
		if len(ps.Section) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(ps.Section, " › "))
		}
		fmt.Fprintf(w, ":\n  %s\n", ps.Text)
	}
}

func printListing(w io.Writer, l library.Listing) {
	if !l.Seeded {
		fmt.Fprintf(w, "%s is empty or missing: the bot answers from the built-in library, and the first add seeds the folder with it.\n", l.Dir)
	}
	fmt.Fprintf(w, "%d article(s) in %s\n", len(l.Articles), l.Dir)
	for _, e := range l.Articles {
		fmt.Fprintf(w, "  %-40s %s (%d passages)\n", e.Slug, e.Title, e.Passages)
	}
	if len(l.Removed) > 0 {
		fmt.Fprintf(w, "%d removed (gutskin library restore SLUG):\n", len(l.Removed))
		for _, e := range l.Removed {
			fmt.Fprintf(w, "  %-40s %s (removed %s)\n", e.Slug, e.Title, e.RemovedAt)
		}
	}
	for _, s := range l.Skipped {
		fmt.Fprintf(w, "skipped: %s\n", s)
	}
}
