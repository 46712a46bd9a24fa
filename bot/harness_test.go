package bot_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gutskin/bot"
	"gutskin/corpus"
	"gutskin/index"
	"gutskin/internal/discordfake"
	"gutskin/internal/fetch"
	"gutskin/internal/gaps"
	"gutskin/internal/library"
)

const (
	testToken  = "test-token-abc.def"
	guildID    = "400000000000000001"
	otherGuild = "400000000000000002"
	modRoleID  = "500000000000000001"
	manageGld  = 1 << 5
	waitLimit  = 10 * time.Second
)

// Members of the test guild.
var (
	alice    = discordfake.Member{UserID: "300000000000000001", Name: "alice", GuildID: guildID}
	bob      = discordfake.Member{UserID: "300000000000000002", Name: "bob", GuildID: guildID}
	carol    = discordfake.Member{UserID: "300000000000000003", Name: "carol", GuildID: guildID}
	mod      = discordfake.Member{UserID: "300000000000000009", Name: "mod", GuildID: guildID, Permissions: manageGld}
	mod2     = discordfake.Member{UserID: "300000000000000008", Name: "mod2", GuildID: guildID, Permissions: manageGld}
	roleMod  = discordfake.Member{UserID: "300000000000000007", Name: "rolemod", GuildID: guildID, Roles: []string{modRoleID}}
	outsider = discordfake.Member{UserID: "300000000000000006", Name: "outsider", GuildID: otherGuild, Permissions: manageGld}
)

// everyUserID lists the IDs that must never appear in info logs.
var everyUserID = []string{alice.UserID, bob.UserID, carol.UserID, mod.UserID, mod2.UserID, roleMod.UserID, outsider.UserID}

// setup configures a harness.
type setup struct {
	guildID    string // DISCORD_GUILD_ID; "-" for none
	modGuildID string
	cooldown   time.Duration
	deferAfter time.Duration
	library    string // folder to copy as the corpus; default testdata/library
	previewTTL time.Duration
	// recorder wraps the /gaps store, when set.
	recorder func(bot.Recorder) bot.Recorder
	// http runs the bot without a gateway: the fake POSTs interactions to
	// its HTTP endpoint, signed.
	http bool
}

// harness runs the real bot and the real index against the fake Discord.
type harness struct {
	t    *testing.T
	fake *discordfake.Server
	ix   *index.Index
	dir  string // the corpus folder (a copy the test may change)
	opts bot.Options

	bot    *bot.Bot
	cancel context.CancelFunc
	done   chan error

	loads   atomic.Int32
	gateMu  sync.Mutex
	gate    chan struct{}
	entered chan struct{}

	logs *syncBuffer

	data  string // the /gaps data folder
	store *gaps.Store

	publicKey ed25519.PublicKey
	endpoint  *httptest.Server
	handler   atomic.Pointer[http.Handler]
}

func start(t *testing.T, s setup) *harness {
	t.Helper()
	t.Parallel()
	h := &harness{t: t, dir: t.TempDir(), logs: &syncBuffer{}}
	fo := discordfake.Options{Token: testToken, Guilds: []string{guildID}}
	if s.http {
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		h.publicKey = pub
		h.endpoint = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if hd := h.handler.Load(); hd != nil {
				(*hd).ServeHTTP(w, r)
				return
			}
			http.Error(w, "the bot is not running", http.StatusServiceUnavailable)
		}))
		t.Cleanup(h.endpoint.Close)
		fo.InteractionsURL, fo.InteractionsKey = h.endpoint.URL, priv
	}
	fake, err := discordfake.New(fo)
	if err != nil {
		t.Fatal(err)
	}
	h.fake = fake
	t.Cleanup(fake.Close)
	src := s.library
	if src == "" {
		src = "testdata/library"
	}
	copyDir(t, src, h.dir)

	h.ix, _, err = index.Open(context.Background(), index.Options{Load: h.load})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.ix.Close() })
	h.data = t.TempDir()
	if h.store, err = gaps.Open(gaps.Options{Dir: h.data}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.store.Close() })
	var recorder bot.Recorder = h.store
	if s.recorder != nil {
		recorder = s.recorder(h.store)
	}
	terms, err := index.TermsOf()
	if err != nil {
		t.Fatal(err)
	}

	g := guildID
	if s.guildID == "-" {
		g = ""
	} else if s.guildID != "" {
		g = s.guildID
	}
	h.opts = bot.Options{
		Token:             testToken,
		APIURL:            fake.APIURL(),
		GuildID:           g,
		ModerationGuildID: s.modGuildID,
		ModeratorRoleIDs:  []string{modRoleID},
		AskCooldown:       s.cooldown,
		DeferAfter:        s.deferAfter,
		// The fake serves attachments, and tests serve pages, on loopback.
		Library:         library.New(library.Options{Dir: h.dir, Fetch: fetch.New(fetch.Options{AllowPrivate: true})}),
		PreviewTTL:      s.previewTTL,
		Gaps:            recorder,
		NoGateway:       s.http,
		Terms:           terms,
		ShutdownTimeout: 5 * time.Second,
		Logger:          slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	h.run()
	t.Cleanup(h.finish)
	return h
}

// run starts the bot and waits until it is connected and has registered
// its commands.
func (h *harness) run() {
	h.t.Helper()
	before := len(h.fake.Find(discordfake.Match{Method: "PUT", Path: "/applications/**"}))
	b, err := bot.New(h.ix, h.opts)
	if err != nil {
		h.t.Fatal(err)
	}
	if h.publicKey != nil {
		hd := b.InteractionsHandler(h.publicKey)
		h.handler.Store(&hd)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.bot, h.cancel, h.done = b, cancel, make(chan error, 1)
	go func() { h.done <- b.Run(ctx) }()
	if _, err := h.fake.WaitRequests(h.ctx(), discordfake.Match{Method: "PUT", Path: "/applications/**"}, before+1); err != nil {
		h.t.Fatalf("bot did not register its commands: %v; problems %v", err, h.fake.Problems())
	}
	if h.publicKey != nil {
		return // no gateway
	}
	if err := h.fake.WaitReady(h.ctx()); err != nil {
		h.t.Fatal(err)
	}
}

// stop cancels Run and checks it returns nil in time.
func (h *harness) stop() {
	h.t.Helper()
	if h.cancel == nil {
		return
	}
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run returned %v", err)
		}
	case <-time.After(15 * time.Second):
		h.t.Fatal("Run did not return within 15s of cancellation")
	}
	h.cancel = nil
}

// finish stops the bot and checks the rules every test must keep.
func (h *harness) finish() {
	h.stop()
	if p := h.fake.Problems(); len(p) > 0 {
		h.t.Errorf("the fake Discord saw %d problem(s):\n%s", len(p), strings.Join(p, "\n"))
	}
	logs := h.logs.String()
	if strings.Contains(logs, testToken) || strings.Contains(logs, "token-abc") {
		h.t.Errorf("the token appears in the logs")
	}
	for _, id := range everyUserID {
		if strings.Contains(logs, id) {
			h.t.Errorf("a user ID (%s) appears in the info logs", id)
		}
	}
	for _, q := range []string{"kefir help", "articles announced", "car brakes", "sunlight change"} {
		if strings.Contains(strings.ToLower(logs), q) {
			h.t.Errorf("question text %q appears in the info logs", q)
		}
	}
	if h.t.Failed() {
		h.t.Logf("bot logs:\n%s", logs)
		for _, r := range h.fake.Requests() {
			h.t.Logf("request %s %s", r, truncate(string(r.Body), 300))
		}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	h.t.Cleanup(cancel)
	return ctx
}

// load is the index's library loader: the test's corpus folder, held at the
// gate while one is set.
func (h *harness) load(ctx context.Context) (*corpus.Library, error) {
	h.loads.Add(1)
	h.gateMu.Lock()
	gate, entered := h.gate, h.entered
	h.gateMu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return corpus.Load(os.DirFS(h.dir))
}

// holdLoads makes the next loads wait until the returned release is called.
func (h *harness) holdLoads() (entered <-chan struct{}, release func()) {
	h.gateMu.Lock()
	defer h.gateMu.Unlock()
	h.gate, h.entered = make(chan struct{}), make(chan struct{}, 8)
	gate := h.gate
	var once sync.Once
	return h.entered, func() {
		once.Do(func() {
			h.gateMu.Lock()
			h.gate = nil
			h.gateMu.Unlock()
			close(gate)
		})
	}
}

func (h *harness) command(m discordfake.Member, name string, opts ...discordfake.Option) discordfake.Sent {
	h.t.Helper()
	sent, err := h.fake.Command(m, "", name, opts...)
	if err != nil {
		h.t.Fatal(err)
	}
	return sent
}

func (h *harness) ask(m discordfake.Member, question string, private bool) discordfake.Sent {
	h.t.Helper()
	opts := []discordfake.Option{{Name: "question", Value: question}}
	if private {
		opts = append(opts, discordfake.Option{Name: "private", Value: true})
	}
	return h.command(m, "ask", opts...)
}

// response waits for the interaction's successful callback and returns its
// type and data.
func (h *harness) response(sent discordfake.Sent) (int, map[string]any) {
	h.t.Helper()
	r, err := sent.WaitCallback(h.ctx())
	if err != nil {
		h.t.Fatal(err)
	}
	body := r.JSON()
	data, _ := body["data"].(map[string]any)
	return int(body["type"].(float64)), data
}

func (h *harness) click(m discordfake.Member, messageID, customID string) discordfake.Sent {
	h.t.Helper()
	sent, err := h.fake.Click(m, messageID, customID)
	if err != nil {
		h.t.Fatal(err)
	}
	return sent
}

// logLines returns the bot's log lines.
func (h *harness) logLines() []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(h.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// waitLog waits until a log line satisfies match.
func (h *harness) waitLog(match func(map[string]any) bool) map[string]any {
	h.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		for _, l := range h.logLines() {
			if match(l) {
				return l
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("no matching log line; logs:\n%s", h.logs.String())
	return nil
}

// Helpers on JSON bodies.

func flags(data map[string]any) int {
	f, _ := data["flags"].(float64)
	return int(f)
}

func embedsOf(data map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := data["embeds"].([]any)
	for _, e := range list {
		out = append(out, e.(map[string]any))
	}
	return out
}

func field(e map[string]any, name string) string {
	list, _ := e["fields"].([]any)
	for _, f := range list {
		fm := f.(map[string]any)
		if fm["name"] == name {
			return fm["value"].(string)
		}
	}
	return ""
}

func footer(e map[string]any) string {
	f, _ := e["footer"].(map[string]any)
	s, _ := f["text"].(string)
	return s
}

// buttons returns label-or-emoji → custom_id.
func buttons(data map[string]any) map[string]string {
	out := map[string]string{}
	rows, _ := data["components"].([]any)
	for _, rv := range rows {
		for _, cv := range rv.(map[string]any)["components"].([]any) {
			c := cv.(map[string]any)
			name, _ := c["label"].(string)
			if e, ok := c["emoji"].(map[string]any); ok && name == "" {
				name, _ = e["name"].(string)
			}
			out[name], _ = c["custom_id"].(string)
		}
	}
	return out
}

// assertNoPing checks the body's allowed_mentions is exactly {"parse": []}.
func assertNoPing(t *testing.T, body map[string]any) {
	t.Helper()
	am, ok := body["allowed_mentions"].(map[string]any)
	if !ok {
		t.Fatalf("no allowed_mentions in %v", body)
	}
	parse, ok := am["parse"].([]any)
	if !ok || len(parse) != 0 {
		t.Errorf(`allowed_mentions.parse = %#v, want []`, am["parse"])
	}
}

func contains(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ io.Writer = (*syncBuffer)(nil)

// newServer serves hd on loopback for the test and returns its URL.
func newServer(t *testing.T, hd http.Handler) string {
	t.Helper()
	s := httptest.NewServer(hd)
	t.Cleanup(s.Close)
	return s.URL
}

func readCloser(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
