// Command gutskin answers questions about the gut–skin axis from a library
// of cited articles, on the command line or as a Discord bot.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses are a contract with operators and scripts.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: gutskin <command> [flags]

commands:
  ask [--corpus DIR] [--index DIR] [--top N] [--json] [QUESTION ...]
  index [--corpus DIR] [--index DIR] [--json]
  eval [--corpus DIR] [--index DIR] [--json] [--each-article] FILE ...
  library add FILE|URL [--corpus DIR] [--dry-run] [--json]
  library remove SLUG | restore SLUG [--corpus DIR]
  library list [--corpus DIR] [--json]
  gaps [--data DIR] [--days N] [--json] | gaps --erase [--data DIR]
  serve      run the Discord bot
  health     check a running bot's readiness (exit 0 when ready)
`

// run is main without the process: it returns the exit status so tests can
// drive every command in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "ask":
		return runAsk(ctx, args[1:], stdin, stdout, stderr)
	case "index":
		return runIndex(ctx, args[1:], stdout, stderr)
	case "eval":
		return runEval(ctx, args[1:], stdout, stderr)
	case "library":
		return runLibrary(ctx, args[1:], stdout, stderr)
	case "gaps":
		return runGaps(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "health":
		return runHealth(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "gutskin: unknown command %q (want ask, index, eval, library, gaps, serve or health)\n", args[0])
		return exitUsage
	}
}
