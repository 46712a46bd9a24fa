// Package health serves gutskin's liveness and readiness endpoints for
// container runtimes and orchestrators.
//
// GET /healthz answers 200 while the process is alive. GET /readyz answers 200
// when the search index is loaded and the Discord gateway is connected, and 503
// otherwise. Both answer the same JSON document:
//
//	{"status": "ok", "version": "v1.2.0",
//	 "index": {"articles": 4, "passages": 120, "built_at": "2026-11-22T19:11:16Z"},
//	 "gateway": {"connected": true}}
//
// status is "ok" when ready, "starting" until the first time it is ready, and
// "degraded" when it was ready once and no longer is (the gateway dropped,
// say). The package reads what it reports through two small interfaces, so it
// depends on neither the index nor Discord.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// IndexSource reports the search index that answers questions.
type IndexSource interface {
	// IndexStats returns the loaded index's article and passage counts and
	// when it was built; ok is false while no index is loaded.
	IndexStats() (articles, passages int, builtAt time.Time, ok bool)
}

// GatewaySource reports the Discord gateway connection.
type GatewaySource interface {
	// Connected reports whether the gateway session is up.
	Connected() bool
}

// The values of Report.Status.
const (
	StatusOK       = "ok"
	StatusStarting = "starting"
	StatusDegraded = "degraded"
)

// Report is the JSON document both endpoints answer.
type Report struct {
	Status  string        `json:"status"`
	Version string        `json:"version"`
	Index   IndexReport   `json:"index"`
	Gateway GatewayReport `json:"gateway"`
}

// IndexReport describes the loaded index.
type IndexReport struct {
	Articles int `json:"articles"`
	Passages int `json:"passages"`
	// BuiltAt is RFC 3339 in UTC, or null while no index is loaded.
	BuiltAt *string `json:"built_at"`
}

// GatewayReport describes the Discord gateway connection.
type GatewayReport struct {
	Connected bool `json:"connected"`
}

// shutdownTimeout bounds how long Serve waits for requests in flight once
// its context is done.
const shutdownTimeout = 5 * time.Second

// Server answers /healthz and /readyz. Its methods are safe for concurrent
// use.
type Server struct {
	addr    string
	version string
	index   IndexSource
	gateway GatewaySource
	// metrics, when set, answers GET /metrics.
	metrics http.Handler
	// wasReady turns "starting" into "degraded" once the server has been
	// ready at least once.
	wasReady atomic.Bool
}

// New returns a server that will listen on addr (for example ":8080") and
// report version. A nil index or gateway counts as not loaded or not
// connected.
func New(addr, version string, index IndexSource, gateway GatewaySource) *Server {
	return &Server{addr: addr, version: version, index: index, gateway: gateway}
}

// WithMetrics makes the server answer GET /metrics with h (Prometheus'
// format), on the same port as the health checks.
func (s *Server) WithMetrics(h http.Handler) *Server {
	s.metrics = h
	return s
}

// Handler returns the HTTP handler for /healthz, /readyz and, when set,
// /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	if s.metrics != nil {
		mux.Handle("GET /metrics", s.metrics)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		s.write(w, http.StatusOK, s.Report())
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		rep := s.Report()
		code := http.StatusOK
		if rep.Status != StatusOK {
			code = http.StatusServiceUnavailable
		}
		s.write(w, code, rep)
	})
	return mux
}

// Report reads the sources and returns the current state.
func (s *Server) Report() Report {
	rep := Report{Version: s.version}
	loaded := false
	if s.index != nil {
		articles, passages, builtAt, ok := s.index.IndexStats()
		if ok {
			loaded = true
			rep.Index.Articles, rep.Index.Passages = articles, passages
			if !builtAt.IsZero() {
				t := builtAt.UTC().Format(time.RFC3339)
				rep.Index.BuiltAt = &t
			}
		}
	}
	rep.Gateway.Connected = s.gateway != nil && s.gateway.Connected()

	switch {
	case loaded && rep.Gateway.Connected:
		rep.Status = StatusOK
		s.wasReady.Store(true)
	case s.wasReady.Load():
		rep.Status = StatusDegraded
	default:
		rep.Status = StatusStarting
	}
	return rep
}

func (s *Server) write(w http.ResponseWriter, code int, rep Report) {
	body, err := json.Marshal(rep)
	if err != nil {
		// Report holds only strings, ints and bools: this cannot happen.
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(append(body, '\n'))
}

// ListenAndServe listens on the server's address and serves until ctx is
// done, then shuts down gracefully and returns nil. An empty address means
// health is off: it returns nil at once. A listen failure (the port is taken,
// say) is returned without waiting.
func (s *Server) ListenAndServe(ctx context.Context) error {
	if s.addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("health: listen on %s: %w", s.addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done, then shuts down gracefully, closes ln
// and returns nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    8 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return fmt.Errorf("health: serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("health: shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("health: serve on %s: %w", ln.Addr(), err)
	}
	return nil
}
