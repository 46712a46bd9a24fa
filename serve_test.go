package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joho/godotenv"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"gutskin/internal/discordfake"
)

const serveTestToken = "serve-test-token.XYZ"

// serveEnv clears every variable serve reads and moves to an empty folder
// (no .env), so the caller's environment cannot leak in.
func serveEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{"DISCORD_TOKEN", "DISCORD_GUILD_ID", "DISCORD_API_URL", "CORPUS_DIR", "INDEX_DIR",
		"MODERATION_GUILD_ID", "MODERATOR_ROLE_IDS", "ASK_COOLDOWN", "LOG_LEVEL", "LOG_FORMAT", "HEALTH_ADDR", "FETCH_ALLOW_PRIVATE", "DATA_DIR", "RETENTION_DAYS", "INTERACTIONS_ADDR", "DISCORD_PUBLIC_KEY", "GATEWAY", "SHARD_ID", "SHARD_COUNT", "DATABASE_URL"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	t.Chdir(t.TempDir())
}

func TestServeConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{name: "no token", want: "DISCORD_TOKEN is not set"},
		{name: "token with a space", env: map[string]string{"DISCORD_TOKEN": "abc def"}, want: "DISCORD_TOKEN is malformed"},
		{name: "API URL", env: map[string]string{"DISCORD_API_URL": "ftp://example.org"}, want: `DISCORD_API_URL="ftp://example.org"`},
		{name: "API URL with a password", env: map[string]string{"DISCORD_API_URL": "https://user:s3cretpass@proxy.example/api/v9"},
			want: `DISCORD_API_URL="https://user:xxxxx@proxy.example/api/v9": want a plain base URL without credentials`},
		{name: "malformed API URL with a password", env: map[string]string{"DISCORD_API_URL": "https://user:s3cretpass@proxy.example/%zz"},
			want: "DISCORD_API_URL=(not shown: it may hold a password): not a URL"},
		{name: "guild", env: map[string]string{"DISCORD_GUILD_ID": "my-guild"}, want: `DISCORD_GUILD_ID="my-guild": want a numeric Discord ID`},
		{name: "moderation guild", env: map[string]string{"MODERATION_GUILD_ID": "12x"}, want: "MODERATION_GUILD_ID"},
		{name: "roles", env: map[string]string{"MODERATOR_ROLE_IDS": "123, mods"}, want: `MODERATOR_ROLE_IDS: "mods" is not a numeric Discord role ID`},
		{name: "cooldown", env: map[string]string{"ASK_COOLDOWN": "soon"}, want: `ASK_COOLDOWN="soon": want a duration`},
		{name: "negative cooldown", env: map[string]string{"ASK_COOLDOWN": "-1s"}, want: "ASK_COOLDOWN"},
		{name: "retention", env: map[string]string{"RETENTION_DAYS": "forever"}, want: `RETENTION_DAYS="forever": want a whole number of days`},
		{name: "key without address", env: map[string]string{"DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32)}, want: "INTERACTIONS_ADDR is not"},
		{name: "address without key", env: map[string]string{"INTERACTIONS_ADDR": ":8081"}, want: "DISCORD_PUBLIC_KEY is not"},
		{name: "short key", env: map[string]string{"INTERACTIONS_ADDR": ":8081", "DISCORD_PUBLIC_KEY": "abcd"}, want: "64 hexadecimal characters"},
		{name: "gateway off alone", env: map[string]string{"GATEWAY": "off"}, want: "GATEWAY=off needs INTERACTIONS_ADDR"},
		{name: "gateway", env: map[string]string{"GATEWAY": "maybe"}, want: `GATEWAY="maybe": want on or off`},
		{name: "shard without count", env: map[string]string{"SHARD_ID": "1"}, want: `SHARD_COUNT="": want the number of shards`},
		{name: "shard out of range", env: map[string]string{"SHARD_ID": "2", "SHARD_COUNT": "2"}, want: "SHARD_ID=2: want 0 to 1 with SHARD_COUNT=2"},
		{name: "shard count", env: map[string]string{"SHARD_ID": "0", "SHARD_COUNT": "many"}, want: `SHARD_COUNT="many"`},
		{name: "database URL", env: map[string]string{"DATABASE_URL": "mysql://u:secretpw@db/x"}, want: "DATABASE_URL="},
		{name: "private fetching", env: map[string]string{"FETCH_ALLOW_PRIVATE": "yes please"}, want: `FETCH_ALLOW_PRIVATE="yes please": want true or false`},
		{name: "cooldown flag", env: map[string]string{"ASK_COOLDOWN": "5s"}, args: []string{"--ask-cooldown", "x"}, want: `--ask-cooldown="x"`},
		{name: "log level", env: map[string]string{"LOG_LEVEL": "loud"}, want: "LOG_LEVEL"},
		{name: "health address without a port", env: map[string]string{"HEALTH_ADDR": "8080"}, want: `HEALTH_ADDR="8080": want HOST:PORT`},
		{name: "health address with a bad port", env: map[string]string{"HEALTH_ADDR": ":http-alt"}, want: `HEALTH_ADDR=":http-alt": want a port number`},
		{name: "health address flag", args: []string{"--health-addr", "localhost:0"}, want: `--health-addr="localhost:0"`},
		{name: "argument", args: []string{"now"}, want: `unexpected argument "now"`},
		{name: "unknown flag", args: []string{"--token", "x"}, want: "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serveEnv(t)
			if tc.name != "no token" {
				t.Setenv("DISCORD_TOKEN", serveTestToken)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stderr bytes.Buffer
			code := runServe(context.Background(), tc.args, &bytes.Buffer{}, &stderr)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %s", code, exitUsage, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			last := lines[len(lines)-1]
			if !strings.Contains(last, tc.want) {
				t.Errorf("last line %q lacks %q", last, tc.want)
			}
			if strings.Contains(stderr.String(), "serve-test-token") || strings.Contains(stderr.String(), "abc def") || strings.Contains(stderr.String(), "s3cretpass") {
				t.Errorf("a secret is echoed: %s", stderr.String())
			}
		})
	}
}

func TestServeConfigPrecedence(t *testing.T) {
	serveEnv(t)
	dotenv := "DISCORD_TOKEN=from-dotenv\nASK_COOLDOWN=9s\nDISCORD_GUILD_ID=111\nMODERATOR_ROLE_IDS=7, 8\n"
	if err := os.WriteFile(".env", []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ASK_COOLDOWN", "3s")   // the environment beats .env
	t.Setenv("DISCORD_GUILD_ID", "") // set but empty: beats .env too
	t.Cleanup(func() { os.Unsetenv("DISCORD_TOKEN"); os.Unsetenv("MODERATOR_ROLE_IDS") })
	f := newServeFlags(&bytes.Buffer{})
	if err := f.fs.Parse([]string{"--moderation-guild", "222"}); err != nil {
		t.Fatal(err)
	}
	if err := loadDotEnv(); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseServeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.token != "from-dotenv" || cfg.cooldown != 3*time.Second || cfg.guildID != "" || cfg.moderationGuildID != "222" ||
		strings.Join(cfg.moderatorRoles, ",") != "7,8" || cfg.apiURL != "https://discord.com/api/v9" || cfg.healthAddr != defaultHealthAddr {
		t.Errorf("config %+v", cfg)
	}

	// Defaults: 5s cooldown, "0" turns it off, the moderation guild
	// defaults to the guild.
	t.Setenv("ASK_COOLDOWN", "0")
	t.Setenv("DISCORD_GUILD_ID", "333")
	f = newServeFlags(&bytes.Buffer{})
	f.fs.Parse(nil)
	if cfg, err = parseServeConfig(f); err != nil || cfg.cooldown != 0 || cfg.moderationGuildID != "333" {
		t.Errorf("config %+v, %v", cfg, err)
	}
}

// TestServeAgainstFakeDiscord runs `gutskin serve` in-process against the
// fake Discord: it connects, registers, answers, reports ready on /readyz,
// and exits 0 when its context ends (as on SIGTERM).
func TestServeAgainstFakeDiscord(t *testing.T) {
	serveEnv(t)
	fake, err := discordfake.New(discordfake.Options{Token: serveTestToken})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	lib, err := filepath.Abs(filepath.Join(moduleRoot, "bot", "testdata", "library"))
	if err != nil {
		t.Fatal(err)
	}
	healthAddr := freeAddr(t)
	t.Setenv("DISCORD_TOKEN", serveTestToken)
	t.Setenv("DISCORD_API_URL", fake.APIURL())
	t.Setenv("DISCORD_GUILD_ID", "400000000000000001")
	t.Setenv("CORPUS_DIR", lib)
	t.Setenv("HEALTH_ADDR", healthAddr)
	t.Setenv("LOG_FORMAT", "json")
	t.Setenv("FETCH_ALLOW_PRIVATE", "true")
	data := t.TempDir()
	t.Setenv("DATA_DIR", data)

	sent, wctx, stderr, stop := servingAsk(t, fake)
	r, err := sent.WaitCallback(wctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(r.Body), "Kefir and the skin") {
		t.Errorf("answer %s", r.Body)
	}
	// /library reads CORPUS_DIR, for moderators.
	sent, err = fake.Command(discordfake.Member{UserID: "300000000000000009", GuildID: "400000000000000001", Permissions: 1 << 5}, "", "library",
		discordfake.Option{Name: "list", Value: []discordfake.Option{}})
	if err != nil {
		t.Fatal(err)
	}
	if r, err = fake.WaitRequest(wctx, discordfake.Match{Method: "PATCH", Path: sent.OriginalPath()}); err != nil || !strings.Contains(string(r.Body), "Library: 3 articles") {
		t.Errorf("/library list: %v %s", err, r.Body)
	}
	// The question is recorded for /gaps, in DATA_DIR, without the IDs.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(data, "gaps.db")); err == nil {
			break
		}
	}
	if db, err := os.ReadFile(filepath.Join(data, "gaps.db")); err != nil || bytes.Contains(db, []byte("300000000000000001")) {
		t.Errorf("gaps.db: %v, or it holds the member's ID", err)
	}
	if !strings.Contains(stderr.String(), "FETCH_ALLOW_PRIVATE is on") {
		t.Error("FETCH_ALLOW_PRIVATE=true is not logged at start")
	}

	resp, err := http.Get("http://" + healthAddr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Status  string `json:"status"`
		Gateway struct {
			Connected bool `json:"connected"`
		} `json:"gateway"`
		Index struct {
			Articles int `json:"articles"`
		} `json:"index"`
	}
	json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if resp.StatusCode != 200 || rep.Status != "ok" || !rep.Gateway.Connected || rep.Index.Articles != 3 {
		t.Errorf("/readyz %d %+v", resp.StatusCode, rep)
	}

	// /metrics on the health port counts what the test sent (a reply is
	// on its way before its interaction is counted: wait a little).
	var families map[string]*dto.MetricFamily
	counted := map[string]float64{}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mresp, err := http.Get("http://" + healthAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		families, err = parser.TextToMetricFamilies(mresp.Body)
		mresp.Body.Close()
		if err != nil {
			t.Fatalf("/metrics does not parse: %v", err)
		}
		counted = map[string]float64{}
		for _, m := range families["gutskin_interactions_total"].GetMetric() {
			var kind, outcome string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "kind":
					kind = l.GetValue()
				case "outcome":
					outcome = l.GetValue()
				}
			}
			counted[kind+"/"+outcome] = m.GetCounter().GetValue()
		}
		if len(counted) >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if counted["ask/answer"] != 1 || counted["library/listed"] != 1 || len(counted) != 2 {
		t.Errorf("gutskin_interactions_total: %v", counted)
	}
	if p := families["gutskin_index_passages"].GetMetric(); len(p) != 1 || p[0].GetGauge().GetValue() == 0 {
		t.Errorf("gutskin_index_passages: %v", p)
	}

	stop()
	if g := fake.Gateway(); len(g.CloseCodes) != 1 || g.CloseCodes[0] != 1000 {
		t.Errorf("gateway close codes %v, want [1000]", g.CloseCodes)
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
	if strings.Contains(stderr.String(), serveTestToken) {
		t.Error("the token appears in the logs")
	}
}

// moduleRoot is the folder the tests started in (serveEnv moves to a
// temporary one).
var moduleRoot = func() string {
	wd, _ := os.Getwd()
	return wd
}()

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestEnvExample checks .env.example documents every variable serve reads,
// and sets none but DISCORD_TOKEN: copied to .env and passed to a container
// with --env-file (or Compose's env_file), a line such as "INDEX_DIR=" would
// override the image's ENV and keep the index in memory.
func TestEnvExample(t *testing.T) {
	raw, err := os.ReadFile(".env.example")
	if err != nil {
		t.Fatal(err)
	}
	set, err := godotenv.Unmarshal(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	for k := range set {
		if k != "DISCORD_TOKEN" {
			t.Errorf(".env.example sets %s; leave it commented out at its default", k)
		}
	}
	for _, v := range []string{"DISCORD_TOKEN", "DISCORD_GUILD_ID", "DISCORD_API_URL", "CORPUS_DIR", "INDEX_DIR",
		"MODERATION_GUILD_ID", "MODERATOR_ROLE_IDS", "ASK_COOLDOWN", "LOG_LEVEL", "LOG_FORMAT", "HEALTH_ADDR", "FETCH_ALLOW_PRIVATE", "DATA_DIR", "RETENTION_DAYS", "INTERACTIONS_ADDR", "DISCORD_PUBLIC_KEY", "GATEWAY", "SHARD_ID", "SHARD_COUNT", "DATABASE_URL"} {
		if !strings.Contains(string(raw), v+"=") {
			t.Errorf(".env.example does not document %s", v)
		}
	}
}

// A SIGTERM during start (while the library is still being indexed, say)
// is a clean stop too: exit 0, not a failure.
func TestServeStoppedDuringStart(t *testing.T) {
	serveEnv(t)
	fake, err := discordfake.New(discordfake.Options{Token: serveTestToken})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	t.Setenv("DISCORD_TOKEN", serveTestToken)
	t.Setenv("DISCORD_API_URL", fake.APIURL())
	t.Setenv("HEALTH_ADDR", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr bytes.Buffer
	if code := runServe(ctx, nil, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Errorf("exit %d, want 0; stderr:\n%s", code, stderr.String())
	}
}

// With INTERACTIONS_ADDR, DISCORD_PUBLIC_KEY and GATEWAY=off, serve answers
// interactions that Discord POSTs, signed, and opens no gateway.
func TestServeHTTPInteractions(t *testing.T) {
	serveEnv(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	fake, err := discordfake.New(discordfake.Options{Token: serveTestToken, InteractionsURL: "http://" + addr + "/", InteractionsKey: priv})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	t.Setenv("DISCORD_TOKEN", serveTestToken)
	t.Setenv("DISCORD_API_URL", fake.APIURL())
	t.Setenv("DISCORD_GUILD_ID", "400000000000000001")
	t.Setenv("HEALTH_ADDR", "")
	t.Setenv("INTERACTIONS_ADDR", addr)
	t.Setenv("DISCORD_PUBLIC_KEY", hex.EncodeToString(pub))
	t.Setenv("GATEWAY", "off")
	sent, wctx, _, stop := servingAsk(t, fake)
	if r, err := sent.WaitCallback(wctx); err != nil || !strings.Contains(string(r.Body), "Does kefir help acne?") || !strings.Contains(string(r.Body), "doi.org") {
		t.Errorf("answer over HTTP: %v %s", err, r.Body)
	}
	if g := fake.Gateway(); g.Connections != 0 {
		t.Errorf("GATEWAY=off opened %d gateway connections", g.Connections)
	}
	stop()
	if p := fake.Problems(); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
}

// servingAsk starts serve with the environment the test set, waits until it
// has registered its commands with fake, and sends a member's /ask about
// kefir. stop ends serve and checks it exits 0.
func servingAsk(t *testing.T, fake *discordfake.Server) (sent discordfake.Sent, wctx context.Context, stderr *lockedBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stderr = &lockedBuffer{}
	exit := make(chan int, 1)
	go func() { exit <- runServe(ctx, nil, &bytes.Buffer{}, stderr) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(wcancel)
	if _, err := fake.WaitRequest(wctx, discordfake.Match{Method: "PUT", Path: "/applications/*/guilds/400000000000000001/commands"}); err != nil {
		t.Fatalf("%v; stderr:\n%s", err, stderr.String())
	}
	sent, err := fake.Command(discordfake.Member{UserID: "300000000000000001", GuildID: "400000000000000001"}, "", "ask",
		discordfake.Option{Name: "question", Value: "does kefir help acne?"})
	if err != nil {
		t.Fatal(err)
	}
	return sent, wctx, stderr, func() {
		t.Helper()
		cancel()
		select {
		case code := <-exit:
			if code != exitOK {
				t.Errorf("exit %d, want 0; stderr:\n%s", code, stderr.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop within 20s")
		}
	}
}
