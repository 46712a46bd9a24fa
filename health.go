package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// defaultHealthAddr is where the health server listens when HEALTH_ADDR is
// not set at all; HEALTH_ADDR set but empty turns it off.
const defaultHealthAddr = ":8080"

// runHealth asks a running gutskin whether it is ready: GET /readyz on the
// loopback address at the port of HEALTH_ADDR (from the environment or .env,
// default :8080; --addr overrides it). It exits 0 on 200 and 1
// otherwise, so it serves as the image's HEALTHCHECK, which has no shell and
// no curl.
func runHealth(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// The same configuration as serve: the environment, then .env.
	if err := loadDotEnv(); err != nil {
		fmt.Fprintf(stderr, "gutskin health: %v\n", err)
		return exitRuntime // a health check reports 0 or 1 only
	}
	addr, ok := os.LookupEnv("HEALTH_ADDR")
	if !ok {
		addr = defaultHealthAddr
	}
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gutskin health [--addr HOST:PORT] [--timeout D]")
		fs.PrintDefaults()
	}
	fs.StringVar(&addr, "addr", addr, "the health server's listen address (HEALTH_ADDR)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gutskin health: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if addr == "" {
		fmt.Fprintln(stderr, "gutskin health: health is off (HEALTH_ADDR is empty), nothing to check")
		return exitRuntime
	}
	target, err := readyzURL(addr)
	if err != nil {
		fmt.Fprintf(stderr, "gutskin health: HEALTH_ADDR %q: %v\n", addr, err)
		return exitRuntime
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		fmt.Fprintf(stderr, "gutskin health: %v\n", err)
		return exitRuntime
	}
	req.Header.Set("User-Agent", "gutskin-health/"+version)
	// The check talks to this machine only: never through a proxy.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "gutskin health: not ready: %v\n", err)
		return exitRuntime
	}
	defer resp.Body.Close()

	var rep struct {
		Status  string `json:"status"`
		Version string `json:"version"`
		Index   struct {
			Articles int `json:"articles"`
			Passages int `json:"passages"`
		} `json:"index"`
		Gateway struct {
			Connected bool `json:"connected"`
		} `json:"gateway"`
	}
	decodeErr := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&rep)
	if resp.StatusCode != http.StatusOK {
		if decodeErr != nil {
			fmt.Fprintf(stderr, "gutskin health: not ready: %s answered %s\n", target, resp.Status)
		} else {
			fmt.Fprintf(stderr, "gutskin health: not ready: status %s, index %d articles, gateway connected %v\n",
				rep.Status, rep.Index.Articles, rep.Gateway.Connected)
		}
		return exitRuntime
	}
	if decodeErr != nil {
		fmt.Fprintf(stdout, "ready (%s answered 200)\n", target)
		return exitOK
	}
	fmt.Fprintf(stdout, "ready: %s, version %s, %d articles, %d passages, gateway connected\n",
		rep.Status, rep.Version, rep.Index.Articles, rep.Index.Passages)
	return exitOK
}

// readyzURL turns a listen address such as ":8080" or "0.0.0.0:8080" into
// the URL of /readyz on the loopback interface. A specific host is kept: a
// server bound only to [::1] or 127.0.0.2 is not reachable on 127.0.0.1.
func readyzURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if port == "" || port == "0" {
		return "", fmt.Errorf("no fixed port to check")
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
