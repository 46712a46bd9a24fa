package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"gutskin/internal/discordfake"
)

// The replicas test runs three `gutskin serve` processes answering HTTP
// interactions behind a real nginx, as deploy/compose.replicas.yaml does.
// It needs nginx on PATH (Debian's nginx-light); .ci/run installs it and
// sets GUTSKIN_REQUIRE_NGINX so that CI never skips it.

const (
	replicaGuild = "400000000000000001"
	loadRate     = 200 // interactions a second
	loadFor      = 30 * time.Second
)

type replica struct {
	cmd        *exec.Cmd
	addr       string // interactions
	healthAddr string
	logs       *lockedBuffer
	exited     chan error
}

func TestReplicasBehindNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx and three replicas for 30 s")
	}
	if os.Getenv("GUTSKIN_LOAD_APART") != "" {
		// A load test measures latency: .ci/run runs it on its own, after
		// the other packages, so that their tests neither slow it nor are
		// slowed by it.
		t.Skip("run apart: go test -run TestReplicasBehindNginx .")
	}
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if os.Getenv("GUTSKIN_REQUIRE_NGINX") != "" {
			t.Fatal("nginx is not installed (apt-get install nginx-light)")
		}
		t.Skip("nginx is not installed (apt-get install nginx-light); CI installs it")
	}
	work := t.TempDir()
	bin := gutskinBinary(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	lbAddr := freeAddr(t)
	fake, err := discordfake.New(discordfake.Options{Token: serveTestToken, InteractionsURL: "http://" + lbAddr + "/", InteractionsKey: priv})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	corpusDir := filepath.Join(work, "corpus")
	copyTree(t, filepath.Join("bot", "testdata", "library"), corpusDir)

	env := []string{"DISCORD_TOKEN=" + serveTestToken, "DISCORD_API_URL=" + fake.APIURL(), "DISCORD_GUILD_ID=" + replicaGuild,
		"CORPUS_DIR=" + corpusDir, "INDEX_DIR=" + filepath.Join(work, "index"), "DATA_DIR=" + filepath.Join(work, "data"),
		"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(pub), "GATEWAY=off", "ASK_COOLDOWN=0", "LOG_FORMAT=json", "PATH=" + os.Getenv("PATH")}
	// PostgreSQL, when the tests have one, through a proxy the test cuts
	// mid-run: writes then fail with a logged reason, and answers go on.
	var pg *tcpProxy
	if u := os.Getenv("GUTSKIN_TEST_DATABASE_URL"); u != "" {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		pg = newTCPProxy(t, pu.Host)
		pu.Host = pg.addr
		env = append(env, "DATABASE_URL="+pu.String())
	}
	startReplica := func(addr, healthAddr string) *replica {
		r := &replica{addr: addr, healthAddr: healthAddr, logs: &lockedBuffer{}, exited: make(chan error, 1)}
		r.cmd = exec.Command(bin, "serve")
		r.cmd.Env = append(slices.Clone(env), "INTERACTIONS_ADDR="+r.addr, "HEALTH_ADDR="+r.healthAddr)
		r.cmd.Stdout, r.cmd.Stderr = r.logs, r.logs
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { r.exited <- r.cmd.Wait() }()
		return r
	}
	var replicas []*replica
	for range 3 { // all at once, on an empty volume
		replicas = append(replicas, startReplica(freeAddr(t), freeAddr(t)))
	}
	t.Cleanup(func() {
		for _, r := range replicas {
			r.cmd.Process.Signal(syscall.SIGTERM)
		}
		for _, r := range replicas {
			select {
			case <-r.exited:
			case <-time.After(15 * time.Second):
				r.cmd.Process.Kill()
			}
		}
		if t.Failed() {
			for i, r := range replicas {
				t.Logf("replica %d logs:\n%s", i, tail(r.logs.String(), 3000))
			}
		}
	})
	for i, r := range replicas {
		if err := waitReady(r, 60*time.Second); err != nil {
			t.Fatalf("replica %d: %v\n%s", i, err, tail(r.logs.String(), 3000))
		}
	}

	// nginx on loopback in front of the three.
	conf := fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[1]s/body; proxy_temp_path %[1]s/proxy; fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi; scgi_temp_path %[1]s/scgi;
  upstream gutskin {
    server %[2]s max_fails=1 fail_timeout=30s;
    server %[3]s max_fails=1 fail_timeout=30s;
    server %[4]s max_fails=1 fail_timeout=30s;
    keepalive 32;
  }
  server {
    listen %[5]s;
    location / {
      proxy_pass http://gutskin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
      proxy_connect_timeout 1s;
    }
  }
}
`, work, replicas[0].addr, replicas[1].addr, replicas[2].addr, lbAddr)
	if err := os.WriteFile(filepath.Join(work, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var nginxLogs lockedBuffer
	ng := exec.Command(nginx, "-p", work, "-c", filepath.Join(work, "nginx.conf"), "-g", "daemon off;")
	ng.Stdout, ng.Stderr = &nginxLogs, &nginxLogs
	if err := ng.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ng.Process.Signal(syscall.SIGQUIT); ng.Wait() })
	lb := "http://" + lbAddr + "/"
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if code, _, _ := post(lb, priv, ping()); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx never answered a PING:\n%s", nginxLogs.String())
		}
	}

	// Load: 200 interactions a second for 30 s; one replica is killed with
	// -9 a third of the way in.
	type result struct {
		code    int
		latency time.Duration
		ok      bool
		at      time.Time
	}
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
		seq     atomic.Int64
	)
	questions := []string{"does kefir help acne?", "does milk cause acne?", "what is kefir?", "does a high glycemic diet cause acne?"}
	var killedAt time.Time
	tick := time.NewTicker(time.Second / loadRate)
	start := time.Now()
	for now := range tick.C {
		if now.Sub(start) >= loadFor {
			break
		}
		if killedAt.IsZero() && now.Sub(start) >= loadFor/3 {
			replicas[1].cmd.Process.Kill()
			killedAt = time.Now()
		}
		if pg != nil && !pg.isCut() && now.Sub(start) >= 2*loadFor/3 {
			pg.cut()
		}
		n := seq.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := askInteraction(n, questions[n%int64(len(questions))])
			t0 := time.Now()
			code, resp, err := post(lb, priv, body)
			r := result{code: code, latency: time.Since(t0), at: t0}
			r.ok = err == nil && code == 200 && bytes.Contains(resp, []byte(`"type":4`)) && bytes.Contains(resp, []byte("embeds"))
			mu.Lock()
			results = append(results, r)
			mu.Unlock()
		}()
	}
	tick.Stop()
	wg.Wait()

	var lat []time.Duration
	var failed []result
	for _, r := range results {
		if r.ok {
			lat = append(lat, r.latency)
		} else {
			failed = append(failed, r)
		}
	}
	slices.Sort(lat)
	p99 := lat[len(lat)*99/100]
	t.Logf("%d interactions in %s, %d failed, p50 %s, p99 %s, max %s", len(results), loadFor,
		len(failed), lat[len(lat)/2], p99, lat[len(lat)-1])
	if want := int(loadFor.Seconds()) * loadRate; len(results) < want*95/100 {
		t.Errorf("sent %d interactions, want about %d", len(results), want)
	}
	for _, f := range failed {
		// Only what was in flight on the killed replica may fail.
		if f.at.Before(killedAt.Add(-time.Second)) || f.at.After(killedAt.Add(time.Second)) {
			t.Errorf("an interaction at %s (kill at %s) failed with %d", f.at.Sub(start), killedAt.Sub(start), f.code)
		}
	}
	if p99 > 50*time.Millisecond {
		t.Errorf("p99 %s, want at most 50ms", p99)
	}

	if pg != nil {
		logged := false
		for _, r := range replicas {
			logged = logged || strings.Contains(r.logs.String(), "not recorded for /gaps")
		}
		if !logged {
			t.Error("PostgreSQL went away mid-run, and no replica logged a failed write")
		}
	}

	// PostgreSQL and the killed replica come back, on the full volume, as
	// an orchestrator would restart them; then a reindex on one replica:
	// all three serve the new library within 2 s of its publication.
	if pg != nil {
		pg.restore(t)
	}
	<-replicas[1].exited
	killed := replicas[1]
	replicas[1] = startReplica(killed.addr, killed.healthAddr)
	if err := waitReady(replicas[1], 60*time.Second); err != nil {
		t.Fatalf("the restarted replica: %v\n%s", err, tail(replicas[1].logs.String(), 3000))
	}
	before := indexArticles(t, replicas[0])
	extra, err := os.ReadFile(filepath.Join("bot", "testdata", "extra", "sunlight-and-the-gut.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpusDir, "sunlight-and-the-gut.md"), extra, 0o644); err != nil {
		t.Fatal(err)
	}
	sent, err := fake.Command(discordfake.Member{UserID: "300000000000000009", GuildID: replicaGuild, Permissions: 1 << 5}, "", "reindex")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := sent.WaitCallback(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[int]time.Time{}
	for deadline := time.Now().Add(60 * time.Second); len(seen) < 3 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, i := range []int{0, 1, 2} {
			if _, ok := seen[i]; !ok && indexArticles(t, replicas[i]) == before+1 {
				seen[i] = time.Now()
			}
		}
	}
	if len(seen) < 3 {
		t.Fatalf("the new library reached replicas %v only", seen)
	}
	first, last := seen[0], seen[0]
	for _, at := range seen {
		if at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	if d := last.Sub(first); d > 2*time.Second {
		t.Errorf("the last replica served the new library %s after the first, want within 2s", d)
	}
	t.Logf("the new library reached all three replicas within %s of the first", last.Sub(first).Round(time.Millisecond))
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// gutskinBinary builds gutskin once for the tests that run it as separate
// processes.
func gutskinBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gutskin-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "gutskin")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// tcpProxy forwards connections to a server until cut, when it closes
// them all and refuses new ones: the server, as its clients see it, is gone.
type tcpProxy struct {
	addr   string
	target string
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	gone   bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{addr: ln.Addr().String(), target: target, ln: ln}
	t.Cleanup(p.cut)
	go p.serve(ln)
	return p
}

// restore listens again on the same address: the server is back.
func (p *tcpProxy) restore(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.gone, p.conns = ln, false, nil
	p.mu.Unlock()
	go p.serve(ln)
}

func (p *tcpProxy) serve(ln net.Listener) {
	target := p.target
	{
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.gone {
				p.mu.Unlock()
				c.Close()
				s.Close()
				return
			}
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone {
		return
	}
	p.gone = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

func (p *tcpProxy) isCut() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gone
}

func ping() []byte {
	return []byte(`{"id":"1","application_id":"100000000000000001","type":1,"token":"ping","version":1}`)
}

func askInteraction(n int64, question string) []byte {
	id := strconv.FormatInt(1579000000000000000+n, 10)
	b, _ := json.Marshal(map[string]any{"id": id, "application_id": "100000000000000001", "type": 2, "token": "itok-" + id, "version": 1,
		"guild_id": replicaGuild, "channel_id": discordfake.DefaultChannelID,
		"member": map[string]any{"user": map[string]any{"id": fmt.Sprintf("3000000000000%06d", n%1000), "username": "m"}, "roles": []any{}, "permissions": "0"},
		"data":   map[string]any{"id": "9", "name": "ask", "type": 1, "options": []any{map[string]any{"name": "question", "type": 3, "value": question}}}})
	return b
}

// post signs body as Discord does and POSTs it.
func post(url string, key ed25519.PrivateKey, body []byte) (int, []byte, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := replicaClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

var replicaClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func waitReady(r *replica, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get("http://" + r.healthAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case err := <-r.exited:
			return fmt.Errorf("exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func indexArticles(t *testing.T, r *replica) int {
	t.Helper()
	resp, err := http.Get("http://" + r.healthAddr + "/readyz")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var rep struct {
		Index struct {
			Articles int `json:"articles"`
		} `json:"index"`
	}
	json.NewDecoder(resp.Body).Decode(&rep)
	return rep.Index.Articles
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
