package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/joho/godotenv"

	"gutskin/corpus"
	"gutskin/index"
	"gutskin/internal/library"
)

// usageError is a problem with how gutskin was invoked or configured; it
// exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func (e usageError) Unwrap() error { return e.err }

// usagef formats a usageError; %w wraps as in fmt.Errorf.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// loadDotEnv reads .env into the environment without overriding variables
// already set, so flags beat the environment and the environment beats .env.
func loadDotEnv() error {
	err := godotenv.Load()
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return usagef(".env cannot be read: %v", pe.Err) // permissions, a folder named .env
	}
	// godotenv's message quotes the file, which holds the bot token: say
	// what to fix without repeating any of it.
	return usagef(".env cannot be read: check that every line is VAR=value, with quotes closed")
}

// newLogger builds the process logger from LOG_LEVEL and LOG_FORMAT.
func newLogger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	switch v := strings.ToLower(strings.TrimSpace(os.Getenv("LOG_LEVEL"))); v {
	case "", "info":
		level = slog.LevelInfo
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return nil, usagef("LOG_LEVEL=%q: want debug, info, warn or error", v)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch v := strings.ToLower(strings.TrimSpace(os.Getenv("LOG_FORMAT"))); v {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, usagef("LOG_FORMAT=%q: want json or text", v)
	}
}

// librarySource picks the article library: --corpus when given (it must
// exist), else CORPUS_DIR when it names a folder with files in it, else the
// embedded default library. It is resolved on every load, so a moderator who
// fills an empty CORPUS_DIR is picked up by the next rebuild.
func librarySource(flagDir string, logger *slog.Logger) (func(context.Context) (*corpus.Library, error), error) {
	if flagDir != "" {
		if err := checkCorpusFlag(flagDir); err != nil {
			return nil, err
		}
		return func(context.Context) (*corpus.Library, error) { return corpus.Load(os.DirFS(flagDir)) }, nil
	}
	return func(context.Context) (*corpus.Library, error) {
		if dir := corpusDir(logger); dir != "" {
			return corpus.Load(os.DirFS(dir))
		}
		return corpus.Load(corpus.Default())
	}, nil
}

// checkCorpusFlag refuses a --corpus that names no folder.
func checkCorpusFlag(dir string) error {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return usagef("--corpus %s: no such folder", dir)
	}
	return nil
}

// corpusDir is CORPUS_DIR when it names a folder with files in it, else ""
// for the embedded library, with a warning when CORPUS_DIR is set.
func corpusDir(logger *slog.Logger) string {
	dir := strings.TrimSpace(os.Getenv("CORPUS_DIR"))
	if dir == "" {
		return ""
	}
	entries, err := os.ReadDir(dir)
	switch {
	case err != nil:
		logger.Warn("CORPUS_DIR is not a readable folder; using the embedded library", "dir", dir, "err", err)
	case !library.HasVisible(entries):
		logger.Warn("CORPUS_DIR is empty; using the embedded library", "dir", dir)
	default:
		return dir
	}
	return ""
}

// indexDir is --index, else INDEX_DIR; empty means in memory.
func indexDir(flagDir string) string {
	if flagDir != "" {
		return flagDir
	}
	return strings.TrimSpace(os.Getenv("INDEX_DIR"))
}

// openEngine opens or builds the index the commands answer from, and logs
// how it got it.
func openEngine(ctx context.Context, corpusFlag, indexFlag string, reuse index.Reuse, logger *slog.Logger, progress func(index.Progress)) (*index.Index, index.OpenInfo, error) {
	load, err := librarySource(corpusFlag, logger)
	if err != nil {
		return nil, index.OpenInfo{}, err
	}
	dir := indexDir(indexFlag)
	ix, info, err := index.Open(ctx, index.Options{Dir: dir, Load: load, Reuse: reuse, Logger: logger, Progress: progress})
	if err != nil {
		if errors.Is(err, index.ErrLocked) {
			return nil, info, usagef("index directory %s is locked by another writer (is `gutskin index` running?)", dir)
		}
		return nil, info, err
	}
	if info.SetAside != "" {
		logger.Warn("corrupt index set aside and rebuilt", "moved_to", info.SetAside)
	}
	for _, p := range info.Report.Skipped {
		logger.Warn("skipped file", "file", p.File, "line", p.Line, "reason", p.Reason)
	}
	for _, w := range info.Report.Warnings {
		logger.Warn("library warning", "warning", w)
	}
	stats := ix.Stats()
	if dir == "" {
		logger.Debug("index built in memory", "articles", stats.Articles, "passages", stats.Passages)
	} else {
		logger.Info("index opened", "dir", dir, "rebuilt", info.Rebuilt, "articles", stats.Articles, "passages", stats.Passages)
	}
	return ix, info, nil
}

// libraryFlags are the --corpus and --index flags that ask, index and eval
// share.
type libraryFlags struct{ corpus, index *string }

func addLibraryFlags(fs *flag.FlagSet) libraryFlags {
	return libraryFlags{
		corpus: fs.String("corpus", "", "folder of articles (default: CORPUS_DIR, else the embedded library)"),
		index:  fs.String("index", "", "index directory (default: INDEX_DIR, else in memory)"),
	}
}

// openFor reads .env, builds the logger and opens the index, as every
// command that answers questions starts; progress, when set, is told how a
// rebuild goes.
func (f libraryFlags) openFor(ctx context.Context, reuse index.Reuse, stderr io.Writer, progress func(index.Progress)) (*index.Index, index.OpenInfo, error) {
	if err := loadDotEnv(); err != nil {
		return nil, index.OpenInfo{}, err
	}
	logger, err := newLogger(stderr)
	if err != nil {
		return nil, index.OpenInfo{}, err
	}
	return openEngine(ctx, *f.corpus, *f.index, reuse, logger, progress)
}

// parseInterspersed parses flags that may come before or after positional
// arguments ("ask 'q' --json"). "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// exitCode maps an error to the process exit status and prints it as one
// line.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stderr, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "gutskin: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitRuntime
}
