package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gutskin/internal/health"
)

// healthTarget starts a server answering /readyz with code and body and
// returns its port.
func healthTarget(t *testing.T, code int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func runHealthCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"health"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestHealthCommand(t *testing.T) {
	ready := `{"status":"ok","version":"v9","index":{"articles":4,"passages":120,"built_at":"2026-11-22T19:00:00Z"},"gateway":{"connected":true}}`
	starting := `{"status":"starting","version":"v9","index":{"articles":0,"passages":0,"built_at":null},"gateway":{"connected":false}}`

	t.Run("ready", func(t *testing.T) {
		t.Setenv("HEALTH_ADDR", ":"+healthTarget(t, 200, ready))
		code, out, errOut := runHealthCmd(t)
		if code != exitOK || !strings.Contains(out, "ready: ok, version v9, 4 articles, 120 passages") {
			t.Errorf("health = %d, stdout %q, stderr %q; want 0 and a ready line", code, out, errOut)
		}
	})
	t.Run("not ready", func(t *testing.T) {
		t.Setenv("HEALTH_ADDR", "0.0.0.0:"+healthTarget(t, 503, starting))
		code, _, errOut := runHealthCmd(t)
		if code != exitRuntime || !strings.Contains(errOut, "not ready: status starting") {
			t.Errorf("health = %d, stderr %q; want 1 and the status", code, errOut)
		}
	})
	t.Run("not JSON but 200", func(t *testing.T) {
		t.Setenv("HEALTH_ADDR", "127.0.0.1:"+healthTarget(t, 200, "fine"))
		if code, _, errOut := runHealthCmd(t); code != exitOK {
			t.Errorf("health = %d (%s), want 0: readiness is the status code", code, errOut)
		}
	})
	t.Run("flag overrides env", func(t *testing.T) {
		t.Setenv("HEALTH_ADDR", "")
		if code, _, errOut := runHealthCmd(t, "--addr", ":"+healthTarget(t, 200, ready)); code != exitOK {
			t.Errorf("health --addr = %d (%s), want 0", code, errOut)
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		t.Setenv("HEALTH_ADDR", addr)
		if code, _, errOut := runHealthCmd(t); code != exitRuntime || !strings.Contains(errOut, "not ready") {
			t.Errorf("health = %d, stderr %q; want 1", code, errOut)
		}
	})
	t.Run("health off", func(t *testing.T) {
		t.Setenv("HEALTH_ADDR", "")
		code, _, errOut := runHealthCmd(t)
		if code != exitRuntime || !strings.Contains(errOut, "health is off") {
			t.Errorf("health = %d, stderr %q; want 1 and 'health is off'", code, errOut)
		}
	})
	t.Run("bad address", func(t *testing.T) {
		t.Setenv("HEALTH_ADDR", "8080")
		if code, _, errOut := runHealthCmd(t); code != exitRuntime || !strings.Contains(errOut, `HEALTH_ADDR "8080"`) {
			t.Errorf("health = %d, stderr %q; want 1 naming HEALTH_ADDR", code, errOut)
		}
	})
	t.Run("stray argument", func(t *testing.T) {
		if code, _, _ := runHealthCmd(t, "now"); code != exitUsage {
			t.Errorf("health now = %d, want %d", code, exitUsage)
		}
	})
}

func TestReadyzURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/readyz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/readyz",
		"[::]:9000":      "http://127.0.0.1:9000/readyz",
		"127.0.0.2:80":   "http://127.0.0.2:80/readyz",
		"[::1]:8080":     "http://[::1]:8080/readyz",
		"localhost:8080": "http://localhost:8080/readyz",
	} {
		if got, err := readyzURL(addr); err != nil || got != want {
			t.Errorf("readyzURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	for _, addr := range []string{"8080", ":0", "", "host:"} {
		if got, err := readyzURL(addr); err == nil {
			t.Errorf("readyzURL(%q) = %q, want an error", addr, got)
		}
	}
}

type stubStats struct{}

func (stubStats) IndexStats() (int, int, time.Time, bool) { return 3, 30, time.Now(), true }

type stubGateway bool

func (g stubGateway) Connected() bool { return bool(g) }

// TestHealthCommandAgainstServer checks the command and the server agree.
func TestHealthCommandAgainstServer(t *testing.T) {
	for _, up := range []bool{true, false} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- health.New("", "v1", stubStats{}, stubGateway(up)).Serve(ctx, ln) }()

		t.Setenv("HEALTH_ADDR", ln.Addr().String())
		code, out, errOut := runHealthCmd(t)
		want := exitOK
		if !up {
			want = exitRuntime
		}
		if code != want {
			t.Errorf("gateway up %v: health = %d (stdout %q, stderr %q), want %d", up, code, out, errOut, want)
		}
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
