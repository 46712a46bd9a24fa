package discordfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if s, err := New(Options{Addr: addr}); err == nil {
			s.Close()
			t.Errorf("New(%q) listened; want loopback only", addr)
		}
	}
}

func TestValidateMessage(t *testing.T) {
	okButton := map[string]any{"type": 2, "style": 1, "label": "Next", "custom_id": "a"}
	row := func(bs ...any) []any { return []any{map[string]any{"type": 1, "components": bs}} }
	for _, tc := range []struct {
		name string
		msg  map[string]any
		want string // "" for valid
	}{
		{"valid", map[string]any{"content": "hi", "components": row(okButton)}, ""},
		{"content over 2000", map[string]any{"content": strings.Repeat("a", 2001)}, "content"},
		{"emoji counted twice", map[string]any{"content": strings.Repeat("👍", 1001)}, "content"},
		{"description over 4096", map[string]any{"embeds": []any{map[string]any{"description": strings.Repeat("a", 4097)}}}, "description"},
		{"embeds over 6000 in all", map[string]any{"embeds": []any{
			map[string]any{"description": strings.Repeat("a", 4000)}, map[string]any{"description": strings.Repeat("a", 2001)}}}, "6000"},
		{"empty field value", map[string]any{"embeds": []any{map[string]any{"fields": []any{map[string]any{"name": "n", "value": " "}}}}}, "empty"},
		{"bad embed url", map[string]any{"embeds": []any{map[string]any{"title": "t", "url": "example.org"}}}, "url"},
		{"custom_id too long", map[string]any{"components": row(map[string]any{"type": 2, "style": 1, "label": "x", "custom_id": strings.Repeat("c", 101)})}, "custom_id"},
		{"custom_id twice", map[string]any{"components": row(okButton, okButton)}, "twice"},
		{"six buttons", map[string]any{"components": row(okButton, okButton, okButton, okButton, okButton, okButton)}, "buttons"},
		{"empty message", map[string]any{"content": ""}, "empty message"},
	} {
		var msg map[string]any // as decoded from the wire: numbers are float64
		json.Unmarshal([]byte(mustJSON(tc.msg)), &msg)
		errs := validateMessage(msg, true)
		got := strings.Join(errs, "; ")
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.want)
		}
	}
	if errs := validateChoices(map[string]any{"choices": []any{map[string]any{"name": "", "value": "x"}}}); len(errs) == 0 {
		t.Error("an empty choice name passed")
	}
}

func TestMentionsProblem(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"allowed_mentions":{"parse":[]}}`, true},
		{`{"allowed_mentions":{"parse":[],"replied_user":false}}`, true},
		{`{}`, false},
		{`{"allowed_mentions":{"parse":null}}`, false},
		{`{"allowed_mentions":{"parse":["everyone"]}}`, false},
		{`{"allowed_mentions":{"parse":[],"users":["1"]}}`, false},
		{`{"allowed_mentions":{"parse":[],"replied_user":true}}`, false},
	} {
		var m map[string]any
		json.Unmarshal([]byte(tc.body), &m)
		if got := mentionsProblem(m) == ""; got != tc.ok {
			t.Errorf("%s: ok = %v, want %v", tc.body, got, tc.ok)
		}
	}
}

func TestPathMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"/interactions/*/*/callback", "/interactions/1/tok/callback", true},
		{"/interactions/*/*/callback", "/interactions/1/callback", false},
		{"/applications/**", "/applications/1/guilds/2/commands", true},
		{"/applications/**", "/channels/1", false},
		{"/channels/*/messages", "/channels/1/messages", true},
	} {
		if got := pathMatch(tc.pattern, tc.path); got != tc.want {
			t.Errorf("pathMatch(%q, %q) = %v", tc.pattern, tc.path, got)
		}
	}
}

// TestWireProtocol plays the bot by hand: a websocket client and plain HTTP,
// through the control endpoints a script would use.
func TestWireProtocol(t *testing.T) {
	s, err := New(Options{Token: "tok", InteractionDeadline: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var gw struct{ URL string }
	getJSON(t, "GET", s.APIURL()+"/gateway", "", &gw)
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, gw.URL+"/?v=9&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	read := func() map[string]any {
		ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		var m map[string]any
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if hello := read(); hello["op"] != float64(10) {
		t.Fatalf("first frame %v, want HELLO", hello)
	}
	ws.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": "Bot tok", "intents": 1 << 9}})
	ready := read()
	if ready["t"] != "READY" || ready["s"] != float64(1) {
		t.Fatalf("after IDENTIFY: %v", ready)
	}
	ws.WriteJSON(map[string]any{"op": 1, "d": 1})
	if ack := read(); ack["op"] != float64(11) {
		t.Fatalf("heartbeat answer %v", ack)
	}

	var sent struct {
		ID, Token    string
		CallbackPath string `json:"callback_path"`
	}
	getJSON(t, "POST", s.URL()+ControlPrefix+"/ask", `{"question":"does kefir help acne?"}`, &sent)
	ev := read()
	if ev["t"] != "INTERACTION_CREATE" || ev["s"] != float64(2) {
		t.Fatalf("event %v", ev)
	}

	// A 429 as Discord sends it.
	getJSON(t, "POST", s.URL()+ControlPrefix+"/fault", `{"method":"POST","path":"/interactions/*/*/callback","status":429,"retry_after":0.25}`, nil)
	resp, body := post(t, s.APIURL()+sent.CallbackPath, `{"type":4,"data":{"content":"hi","allowed_mentions":{"parse":[]}}}`)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(body, `"retry_after":0.25`) {
		t.Errorf("429: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// The real answer, then a second one (rejected).
	if r, _ := post(t, s.APIURL()+sent.CallbackPath, `{"type":4,"data":{"content":"hi","allowed_mentions":{"parse":[]}}}`); r.StatusCode != 204 {
		t.Errorf("callback: %d", r.StatusCode)
	}
	if r, _ := post(t, s.APIURL()+sent.CallbackPath, `{"type":4,"data":{"content":"again","allowed_mentions":{"parse":[]}}}`); r.StatusCode != 400 {
		t.Errorf("second callback: %d, want 400", r.StatusCode)
	}
	var got Request
	getJSON(t, "GET", s.URL()+ControlPrefix+"/wait?method=POST&path=/interactions/*/*/callback&timeout=2s", "", &got)
	if got.Status != 429 {
		t.Errorf("first matching request %v", got)
	}

	// A late acknowledgement is refused and counted as a problem.
	late, _ := s.Command(Member{UserID: "1", GuildID: "2"}, "", "help")
	read()
	time.Sleep(600 * time.Millisecond)
	if r, _ := post(t, s.APIURL()+late.CallbackPath(), `{"type":4,"data":{"content":"late","allowed_mentions":{"parse":[]}}}`); r.StatusCode != 404 {
		t.Errorf("late callback: %d, want 404", r.StatusCode)
	}
	probs := s.Problems()
	if len(probs) != 2 || !strings.Contains(probs[0], "twice") || !strings.Contains(probs[1], "after") {
		t.Errorf("problems %v", probs)
	}

	// A dropped connection keeps the session for RESUME, which replays.
	s.DropGateway()
	missed, err := s.Command(Member{UserID: "1", GuildID: "2"}, "", "help")
	if err != nil {
		t.Fatal(err)
	}
	ws2, _, err := websocket.DefaultDialer.DialContext(ctx, gw.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	ws = ws2
	read() // HELLO
	ws.WriteJSON(map[string]any{"op": 6, "d": map[string]any{"token": "Bot tok", "session_id": ready["d"].(map[string]any)["session_id"], "seq": 3}})
	replayed := read()
	if replayed["t"] != "INTERACTION_CREATE" || !strings.Contains(mustJSON(replayed), missed.Token) {
		t.Errorf("replay %v", replayed)
	}
	if r := read(); r["t"] != "RESUMED" {
		t.Errorf("after the replay: %v", r)
	}
	if st, _ := s.WaitGateway(ctx, func(g GatewayStatus) bool { return g.Resumes == 1 && g.Connected }); st.Identifies != 1 {
		t.Errorf("gateway %+v", st)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func post(t *testing.T, url, body string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func getJSON(t *testing.T, method, url, body string, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bot tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}
