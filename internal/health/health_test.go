package health

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeIndex and fakeGateway stand in for the index and the Discord session;
// their fields may change while the server answers.
type fakeIndex struct {
	mu                 sync.Mutex
	articles, passages int
	builtAt            time.Time
	loaded             bool
}

func (f *fakeIndex) IndexStats() (int, int, time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.articles, f.passages, f.builtAt, f.loaded
}

func (f *fakeIndex) set(loaded bool) {
	f.mu.Lock()
	f.loaded = loaded
	f.mu.Unlock()
}

type fakeGateway struct{ up atomic.Bool }

func (f *fakeGateway) Connected() bool { return f.up.Load() }

// get requests path and returns the status code and the decoded body, which
// it also checks against the documented shape.
func get(t *testing.T, h http.Handler, path string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type = %q, want application/json", path, ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET %s: Cache-Control = %q, want no-store", path, cc)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("GET %s: body %q is not JSON: %v", path, rec.Body.String(), err)
	}
	for _, key := range []string{"status", "version", "index", "gateway"} {
		if _, ok := body[key]; !ok {
			t.Errorf("GET %s: body %s lacks %q", path, rec.Body.String(), key)
		}
	}
	return rec.Code, body
}

func TestReportsEveryField(t *testing.T) {
	built := time.Date(2026, 11, 22, 19, 11, 16, 0, time.FixedZone("CET", 3600))
	idx := &fakeIndex{articles: 4, passages: 120, builtAt: built, loaded: true}
	gw := &fakeGateway{}
	gw.up.Store(true)
	h := New(":0", "v1.2.3", idx, gw).Handler()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	want := `{"status":"ok","version":"v1.2.3","index":{"articles":4,"passages":120,"built_at":"2026-11-22T18:11:16Z"},"gateway":{"connected":true}}` + "\n"
	if rec.Code != http.StatusOK || rec.Body.String() != want {
		t.Errorf("GET /readyz = %d %s\nwant 200 %s", rec.Code, rec.Body.String(), want)
	}
}

func TestReadiness(t *testing.T) {
	built := time.Date(2026, 11, 22, 19, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		index       IndexSource
		gateway     GatewaySource
		wantReady   int
		wantStatus  string
		wantBuiltAt any
	}{
		{"nothing yet", &fakeIndex{}, &fakeGateway{}, 503, StatusStarting, nil},
		{"nil sources", nil, nil, 503, StatusStarting, nil},
		{"index only", &fakeIndex{articles: 1, passages: 2, builtAt: built, loaded: true}, &fakeGateway{}, 503, StatusStarting, "2026-11-22T19:00:00Z"},
		{"gateway only", &fakeIndex{}, connected(), 503, StatusStarting, nil},
		{"both", &fakeIndex{articles: 1, passages: 2, builtAt: built, loaded: true}, connected(), 200, StatusOK, "2026-11-22T19:00:00Z"},
		{"both, build time unknown", &fakeIndex{articles: 1, passages: 2, loaded: true}, connected(), 200, StatusOK, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(":0", "dev", tt.index, tt.gateway).Handler()
			code, body := get(t, h, "/readyz")
			if code != tt.wantReady || body["status"] != tt.wantStatus {
				t.Errorf("/readyz = %d %v, want %d %q", code, body["status"], tt.wantReady, tt.wantStatus)
			}
			if got := body["index"].(map[string]any)["built_at"]; got != tt.wantBuiltAt {
				t.Errorf("built_at = %v, want %v", got, tt.wantBuiltAt)
			}
			// Liveness does not depend on readiness.
			code, body = get(t, h, "/healthz")
			if code != http.StatusOK || body["status"] != tt.wantStatus {
				t.Errorf("/healthz = %d %v, want 200 %q", code, body["status"], tt.wantStatus)
			}
		})
	}
}

func connected() *fakeGateway {
	g := &fakeGateway{}
	g.up.Store(true)
	return g
}

func TestDegradedAfterReady(t *testing.T) {
	idx := &fakeIndex{articles: 1, passages: 1, loaded: true}
	gw := &fakeGateway{}
	h := New(":0", "dev", idx, gw).Handler()

	steps := []struct {
		gateway    bool
		wantCode   int
		wantStatus string
	}{
		{false, 503, StatusStarting},
		{true, 200, StatusOK},
		{false, 503, StatusDegraded}, // the gateway dropped
		{true, 200, StatusOK},        // and came back
	}
	for i, st := range steps {
		gw.up.Store(st.gateway)
		code, body := get(t, h, "/readyz")
		if code != st.wantCode || body["status"] != st.wantStatus {
			t.Errorf("step %d (gateway %v): /readyz = %d %v, want %d %q", i, st.gateway, code, body["status"], st.wantCode, st.wantStatus)
		}
	}
	if body := New(":0", "dev", idx, gw).Report(); body.Status != StatusOK {
		t.Errorf("a fresh server reports %q, want ok", body.Status)
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	h := New(":0", "dev", nil, nil).Handler()
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodHead, "/healthz", 200},
		{http.MethodHead, "/readyz", 503},
		{http.MethodPost, "/healthz", 405},
		{http.MethodDelete, "/readyz", 405},
		{http.MethodGet, "/", 404},
		{http.MethodGet, "/metrics", 404},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, rec.Code, tc.want)
		}
	}
}

// TestConcurrentRequests runs under -race in CI: requests while the sources
// change must not race.
func TestConcurrentRequests(t *testing.T) {
	idx := &fakeIndex{articles: 1, passages: 1}
	gw := &fakeGateway{}
	srv := httptest.NewServer(New(":0", "dev", idx, gw).Handler())
	defer srv.Close()

	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 25 {
				path := "/readyz"
				if (i+j)%2 == 0 {
					path = "/healthz"
				}
				resp, err := srv.Client().Get(srv.URL + path)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	for i := range 50 {
		idx.set(i%3 != 0)
		gw.up.Store(i%2 == 0)
	}
	wg.Wait()
}

func TestServeStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New("", "dev", &fakeIndex{loaded: true}, connected()).Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"ok"`) {
		t.Errorf("GET /readyz over TCP = %d %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel = %v, want nil", err)
		}
	case <-time.After(shutdownTimeout + time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the listener still accepts connections after Serve returned")
	}
}

func TestListenAndServe(t *testing.T) {
	t.Run("empty address is off", func(t *testing.T) {
		if err := New("", "dev", nil, nil).ListenAndServe(context.Background()); err != nil {
			t.Errorf("ListenAndServe with no address = %v, want nil at once", err)
		}
	})
	t.Run("port taken fails at once", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		err = New(ln.Addr().String(), "dev", nil, nil).ListenAndServe(context.Background())
		if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
			t.Errorf("ListenAndServe on a taken port = %v, want an error naming the address", err)
		}
	})
}

func TestMetricsEndpoint(t *testing.T) {
	s := New(":0", "v1", nil, nil).WithMetrics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("gutskin_up 1\n"))
	}))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || rec.Body.String() != "gutskin_up 1\n" {
		t.Errorf("/metrics: %d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	New(":0", "v1", nil, nil).Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("/metrics without metrics: %d", rec.Code)
	}
}
