package bot_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"gutskin/internal/discordfake"
)

// Over HTTP, the same handlers answer: the first reply is the HTTP
// response, and buttons, autocomplete and the moderators' commands work
// as over the gateway.
func TestHTTPInteractions(t *testing.T) {
	h := start(t, setup{http: true})

	typ, data := h.response(h.ask(alice, "does kefir help acne?", false))
	if typ != 4 || len(embedsOf(data)) != 1 || embedsOf(data)[0]["title"] != kefirTitle {
		t.Fatalf("ask over HTTP: type %d %v", typ, data)
	}
	assertNoPing(t, data)

	// Buttons: Next answer and 👎.
	sent := h.ask(bob, "does kefir help acne?", true)
	_, data = h.response(sent)
	msg, ok := sent.Original()
	if !ok {
		t.Fatal("no answer message")
	}
	if typ, _ := h.response(h.click(bob, msg.ID, buttons(data)["Next answer"])); typ != 7 {
		t.Errorf("Next answer over HTTP: type %d", typ)
	}
	if _, d := h.response(h.click(bob, msg.ID, buttons(data)["👎"])); !strings.Contains(d["content"].(string), "did not help") {
		t.Errorf("👎 over HTTP: %v", d)
	}

	// Autocomplete.
	ac, err := h.fake.Autocomplete(alice, "", "ask", discordfake.Option{Name: "question", Value: "kefir", Focused: true})
	if err != nil {
		t.Fatal(err)
	}
	if typ, d := h.response(ac); typ != 8 || len(d["choices"].([]any)) == 0 {
		t.Errorf("autocomplete over HTTP: type %d %v", typ, d)
	}

	// A deferred moderator command: the rebuild's report follows by webhook.
	sent = h.command(mod, "reindex")
	if typ, _ := h.response(sent); typ != 5 {
		t.Errorf("reindex over HTTP: type %d", typ)
	}
	if body := h.edits(sent, 1); embedsOf(body)[0]["title"] != "Library rebuilt" {
		t.Errorf("reindex report: %v", body)
	}
	h.waitRecorded(2)
}

// signed signs body as Discord does, with key, at time at.
func signed(t *testing.T, url string, key ed25519.PrivateKey, at time.Time, body []byte, change func(*http.Request)) int {
	t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
	req.Header.Set("X-Signature-Timestamp", ts)
	if change != nil {
		change(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Every badly signed request gets 401, and none reaches a handler.
func TestHTTPSignatures(t *testing.T) {
	h := start(t, setup{http: true})
	_, key, _ := ed25519.GenerateKey(nil)
	// The bot was given the fake's public key; sign the good requests with
	// a key pair whose public half the test gives a second handler.
	pub := key.Public().(ed25519.PublicKey)
	hd := h.bot.InteractionsHandler(pub)
	srv := newServer(t, hd)
	ping := []byte(`{"id":"1","application_id":"100000000000000001","type":1,"token":"t","version":1}`)
	command, _ := json.Marshal(map[string]any{"id": "2", "application_id": "100000000000000001", "type": 2, "token": "itok-x", "version": 1,
		"guild_id": guildID, "channel_id": discordfake.DefaultChannelID,
		"member": map[string]any{"user": map[string]any{"id": alice.UserID, "username": "alice"}, "roles": []any{}, "permissions": "0"},
		"data":   map[string]any{"id": "3", "name": "ask", "type": 1, "options": []any{map[string]any{"name": "question", "type": 3, "value": "does kefir help acne?"}}}})
	_, otherKey, _ := ed25519.GenerateKey(nil)
	now := time.Now()
	for _, tt := range []struct {
		name   string
		key    ed25519.PrivateKey
		at     time.Time
		body   []byte
		change func(*http.Request)
		want   int
	}{
		{"PING", key, now, ping, nil, 200},
		{"wrong key", otherKey, now, command, nil, 401},
		{"wrong signature", key, now, command, func(r *http.Request) {
			r.Header.Set("X-Signature-Ed25519", strings.Repeat("ab", ed25519.SignatureSize))
		}, 401},
		{"malformed signature", key, now, command, func(r *http.Request) { r.Header.Set("X-Signature-Ed25519", "zz") }, 401},
		{"missing signature", key, now, command, func(r *http.Request) { r.Header.Del("X-Signature-Ed25519") }, 401},
		{"malformed timestamp", key, now, command, func(r *http.Request) { r.Header.Set("X-Signature-Timestamp", "soon") }, 401},
		{"six minutes old", key, now.Add(-6 * time.Minute), command, nil, 401},
		{"six minutes ahead", key, now.Add(6 * time.Minute), command, nil, 401},
		{"body changed after signing", key, now, command, func(r *http.Request) {
			changed := bytes.Replace(command, []byte("kefir"), []byte("kombu"), 1)
			r.Body = readCloser(changed)
			r.ContentLength = int64(len(changed))
		}, 401},
		{"empty body", key, now, nil, nil, 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := signed(t, srv, tt.key, tt.at, tt.body, tt.change); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	// None of the refused requests reached a handler: no interaction was
	// logged, and nothing was sent to Discord about them.
	for _, l := range h.logLines() {
		if l["msg"] == "interaction" {
			t.Errorf("a refused request reached a handler: %v", l)
		}
	}
	if n := len(h.fake.Find(discordfake.Match{Path: "/webhooks/**"})) + len(h.fake.Find(discordfake.Match{Path: "/interactions/**"})); n != 0 {
		t.Errorf("%d requests to Discord after refused interactions", n)
	}
	if resp, err := http.Get(srv); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", err, resp)
	}
}
