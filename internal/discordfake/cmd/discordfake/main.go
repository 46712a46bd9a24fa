// Command discordfake runs the fake Discord on loopback until it is
// interrupted, so scripts can drive a real gutskin binary against it.
//
// It prints two lines and then serves:
//
//	DISCORD_API_URL=http://127.0.0.1:PORT/api/v9
//	DISCORDFAKE_CONTROL=http://127.0.0.1:PORT/_fake
//
// Point gutskin serve at the first; drive the fake through the second (see
// the control endpoints in package discordfake: POST /ask, GET /wait, GET
// /status, …). Usage:
//
//	discordfake [-addr 127.0.0.1:0] [-token T] [-guild ID] [-v]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"gutskin/internal/discordfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("discordfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	token := fs.String("token", "", "bot token to expect (empty accepts any)")
	guild := fs.String("guild", "", "a guild ID to list in READY")
	appID := fs.String("app-id", "", "application ID (default 100000000000000001)")
	verbose := fs.Bool("v", false, "log connections, faults and problems to stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts := discordfake.Options{Addr: *addr, Token: *token, AppID: *appID}
	if *guild != "" {
		opts.Guilds = []string{*guild}
	}
	if *verbose {
		l := log.New(stderr, "", log.LstdFlags)
		opts.Logf = l.Printf
	}
	srv, err := discordfake.New(opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "DISCORD_API_URL=%s\n", srv.APIURL())
	fmt.Fprintf(stdout, "DISCORDFAKE_CONTROL=%s%s\n", srv.URL(), discordfake.ControlPrefix)
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	<-ctx.Done()
	return 0
}
