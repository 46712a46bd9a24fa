// Package discordfake is a fake Discord for tests and local runs: the REST
// routes a bot calls and a gateway on gorilla/websocket, both on loopback.
//
// A bot under test points its REST base at [Server.APIURL] (the fake answers
// GET /gateway with its own websocket address). The fake records every REST
// request with its JSON body, keeps the messages the bot created, checks them
// against Discord's limits and the project's rules (see [Server.Problems]),
// and lets a test inject events (interactions, messages) and faults (a
// dropped gateway, a 429 as Discord sends it, a 500, a slow route).
//
// The fake never imports a Discord client library: it speaks the wire
// format, so it checks the bot's real requests rather than a library's idea
// of them. Every wait takes a context; nothing blocks forever.
package discordfake

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// APIPrefix is the path under which the fake serves Discord's REST API, so
// [Server.APIURL] looks like Discord's own base (…/api/v9).
const APIPrefix = "/api/v9"

// ControlPrefix is the path under which the fake serves its own control
// endpoints for scripts (see control.go).
const ControlPrefix = "/_fake"

// Discord's epoch, for snowflakes.
const discordEpochMS = 1420070400000

// Options configure a [Server]. The zero value is usable.
type Options struct {
	// AppID is the application's ID, sent in READY and expected in webhook
	// routes. Default "100000000000000001".
	AppID string
	// BotUserID is the bot user's ID, sent in READY. Default: AppID, as for
	// a real bot.
	BotUserID string
	// BotName is the bot user's name. Default "gutskin".
	BotName string
	// Token, when set, is the bot token the fake expects: REST calls must
	// carry "Authorization: Bot <Token>" and IDENTIFY must carry it too. When
	// empty, any token is accepted.
	Token string
	// Guilds are the guild IDs listed (as unavailable) in READY.
	Guilds []string
	// HeartbeatInterval is sent in HELLO. Default 41.25 s, as Discord does.
	HeartbeatInterval time.Duration
	// InteractionDeadline is how long after dispatch the first callback is
	// accepted. Default 3 s, as Discord does.
	InteractionDeadline time.Duration
	// Addr is the loopback address to listen on. Default "127.0.0.1:0".
	// Non-loopback addresses are refused.
	Addr string
	// Logf, when set, receives one line per notable event (connections,
	// faults, problems).
	Logf func(format string, args ...any)
	// InteractionsURL, when set, is the bot's HTTP interactions endpoint:
	// interactions are POSTed there, signed with InteractionsKey, instead
	// of sent over the gateway, and the HTTP response is the callback.
	InteractionsURL string
	// InteractionsKey signs the POSTed interactions (Ed25519).
	InteractionsKey ed25519.PrivateKey
	// RecommendedShards is what GET /gateway/bot recommends; default 1.
	RecommendedShards int
}

// Server is a running fake Discord. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	http *httptest.Server
	snow atomic.Int64

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	requests []Request
	problems []string
	faults   []*faultState

	interactions map[string]*interaction // by token
	messages     map[string]*Message     // by message ID
	order        []string                // message IDs in creation order
	commands     map[string]json.RawMessage
	attachments  map[string]storedAttachment // by attachment ID

	gw         gatewayState          // shard 0, the only one of an unsharded bot
	shards     map[int]*gatewayState // shards 1 and up
	shardCount int                   // as the bot's IDENTIFY said; 0 before
}

// New starts a fake Discord on loopback. Close it when done.
func New(opts Options) (*Server, error) {
	if opts.AppID == "" {
		opts.AppID = "100000000000000001"
	}
	if opts.BotUserID == "" {
		opts.BotUserID = opts.AppID
	}
	if opts.BotName == "" {
		opts.BotName = "gutskin"
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	if opts.InteractionDeadline <= 0 {
		opts.InteractionDeadline = 3 * time.Second
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if err := checkLoopback(opts.Addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("discordfake: listen on %s: %w", opts.Addr, err)
	}
	s := &Server{
		opts:         opts,
		changed:      make(chan struct{}),
		interactions: map[string]*interaction{},
		messages:     map[string]*Message{},
		commands:     map[string]json.RawMessage{},
		attachments:  map[string]storedAttachment{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway", s.serveGateway)
	mux.HandleFunc("/gateway/", s.serveGateway)
	mux.HandleFunc(APIPrefix+"/", s.serveREST)
	mux.Handle(ControlPrefix+"/", s.controlHandler())
	mux.HandleFunc(attachmentsPrefix, s.serveAttachment)
	s.http = httptest.NewUnstartedServer(mux)
	s.http.Listener.Close()
	s.http.Listener = ln
	s.http.Start()
	return s, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("discordfake: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("discordfake: address %q is not loopback; the fake only listens on loopback", addr)
	}
	return nil
}

// Close drops the gateway connection and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	if c := s.gw.conn; c != nil {
		c.ws.Close()
	}
	s.mu.Unlock()
	s.http.CloseClientConnections()
	s.http.Close()
}

// URL is the server's root, for example http://127.0.0.1:41234.
func (s *Server) URL() string { return s.http.URL }

// APIURL is the REST base to give the bot as DISCORD_API_URL.
func (s *Server) APIURL() string { return s.http.URL + APIPrefix }

// GatewayURL is the websocket address the fake's GET /gateway returns.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/gateway"
}

// AppID is the application ID the fake uses.
func (s *Server) AppID() string { return s.opts.AppID }

// BotUserID is the bot user's ID.
func (s *Server) BotUserID() string { return s.opts.BotUserID }

// NewID returns a fresh snowflake-shaped ID.
func (s *Server) NewID() string {
	ms := time.Now().UnixMilli() - discordEpochMS
	n := s.snow.Add(1)
	return strconv.FormatInt(ms<<22|(n&0x3fffff), 10)
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// notifyLocked wakes every waiter; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// problemLocked records a broken rule; s.mu must be held.
func (s *Server) problemLocked(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	s.problems = append(s.problems, p)
	s.logf("discordfake: problem: %s", p)
	s.notifyLocked()
}

// Problems lists every rule the bot broke so far: requests Discord would
// reject (over a length limit, a duplicate custom_id, a late or second
// acknowledgement, an unknown route) and the project's own rules (every
// message carries "allowed_mentions": {"parse": []}, no privileged intent).
// A correct bot leaves it empty.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// waitFor blocks until cond (called with s.mu held) is true or ctx is done.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("discordfake: %w", ctx.Err())
		}
	}
}

// Request is one REST request the fake received.
type Request struct {
	// Seq numbers requests from 1 in arrival order.
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	Method string    `json:"method"`
	// Path is below the API prefix and unescaped, for example
	// "/interactions/123/tok/callback".
	Path  string `json:"path"`
	Query string `json:"query,omitempty"`
	// Body is the request's JSON body; nil when it had none.
	Body json.RawMessage `json:"body,omitempty"`
	// Status is what the fake answered; 0 while it is still being handled,
	// or when the client gave up during an injected delay.
	Status int `json:"status"`
	// Fault describes the injected fault that answered, if any.
	Fault string `json:"fault,omitempty"`
}

// JSON decodes the body into a generic map (nil when there is no body).
func (r Request) JSON() map[string]any {
	var m map[string]any
	if len(r.Body) > 0 {
		_ = json.Unmarshal(r.Body, &m)
	}
	return m
}

// Decode decodes the body into v.
func (r Request) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode %s %s body: %w", r.Method, r.Path, err)
	}
	return nil
}

// String is "METHOD path -> status".
func (r Request) String() string {
	return fmt.Sprintf("%s %s -> %d", r.Method, r.Path, r.Status)
}

// Requests returns every REST request so far (the gateway's GET /gateway
// included), in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsSince returns the requests numbered above seq.
func (s *Server) RequestsSince(seq int) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq < 0 {
		seq = 0
	}
	if seq > len(s.requests) {
		return nil
	}
	return append([]Request(nil), s.requests[seq:]...)
}

// LastSeq is the number of the latest request, to pass to RequestsSince.
func (s *Server) LastSeq() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Match selects requests: empty fields match anything. Path may use "*" for
// one path segment, for example "/interactions/*/*/callback".
type Match struct {
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	// Status, when non-zero, must equal the answered status; by default
	// only answered requests (Status != 0) match.
	Status int `json:"status,omitempty"`
	// After, when non-zero, skips requests numbered at or below it.
	After int `json:"after,omitempty"`
	// Received matches requests as soon as they arrive, before they are
	// answered (a request held by an injected delay, say).
	Received bool `json:"received,omitempty"`
}

func (m Match) matches(r Request) bool {
	if r.Seq <= m.After {
		return false
	}
	if m.Method != "" && !strings.EqualFold(m.Method, r.Method) {
		return false
	}
	if m.Path != "" && !pathMatch(m.Path, r.Path) {
		return false
	}
	if m.Status != 0 {
		return r.Status == m.Status
	}
	return m.Received || r.Status != 0
}

// pathMatch reports whether path matches pattern, where "*" stands for one
// segment and a trailing "/**" for any rest.
func pathMatch(pattern, path string) bool {
	if strings.HasSuffix(pattern, "/**") {
		base := strings.TrimSuffix(pattern, "/**")
		ps := strings.Split(path, "/")
		bs := strings.Split(base, "/")
		if len(ps) < len(bs) {
			return false
		}
		return pathMatch(base, strings.Join(ps[:len(bs)], "/"))
	}
	ps := strings.Split(path, "/")
	qs := strings.Split(pattern, "/")
	if len(ps) != len(qs) {
		return false
	}
	for i := range qs {
		if qs[i] != "*" && qs[i] != ps[i] {
			return false
		}
	}
	return true
}

// Find returns the answered requests that match m.
func (s *Server) Find(m Match) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if m.matches(r) {
			out = append(out, r)
		}
	}
	return out
}

// WaitRequest waits until an answered request matches m and returns the
// first one.
func (s *Server) WaitRequest(ctx context.Context, m Match) (Request, error) {
	var found Request
	err := s.waitFor(ctx, func() bool {
		for _, r := range s.requests {
			if m.matches(r) {
				found = r
				return true
			}
		}
		return false
	})
	if err != nil {
		return Request{}, fmt.Errorf("waiting for %s %s: %w", m.Method, m.Path, err)
	}
	return found, nil
}

// WaitRequests waits until at least n answered requests match m.
func (s *Server) WaitRequests(ctx context.Context, m Match, n int) ([]Request, error) {
	var found []Request
	err := s.waitFor(ctx, func() bool {
		found = found[:0]
		for _, r := range s.requests {
			if m.matches(r) {
				found = append(found, r)
			}
		}
		return len(found) >= n
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for %d × %s %s (have %d): %w", n, m.Method, m.Path, len(found), err)
	}
	return found, nil
}

// Commands returns the last bulk-overwritten command list of a scope: ""
// for global commands, else a guild ID. ok is false when the bot never
// registered commands there.
func (s *Server) Commands(guildID string) (commands json.RawMessage, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.commands[guildID]
	return c, ok
}

// Fault makes the fake misbehave on matching REST requests.
type Fault struct {
	// Method and Path select requests as in [Match]; empty matches any.
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	// Status is the status to answer instead of handling the request: 429
	// answers as Discord does (a JSON body with retry_after and global, and
	// the Retry-After header in whole seconds); any other status answers a
	// Discord-style JSON error. 0 handles the request normally (after Delay).
	Status int `json:"status,omitempty"`
	// RetryAfter is the 429's retry_after in seconds.
	RetryAfter float64 `json:"retry_after,omitempty"`
	// RetryAfterHeader overrides the Retry-After header ("" derives it from
	// RetryAfter, rounded up; "-" leaves it out).
	RetryAfterHeader string `json:"retry_after_header,omitempty"`
	// Global marks a 429 as global (X-RateLimit-Global and "global": true).
	Global bool `json:"global,omitempty"`
	// Body, when set, replaces the JSON error body verbatim, for example the
	// HTML page Cloudflare sends with some 429s.
	Body string `json:"body,omitempty"`
	// Delay holds the request this long before answering. If the client
	// gives up meanwhile, the request is dropped unhandled (Status 0).
	Delay time.Duration `json:"delay,omitempty"`
	// Times is how many requests the fault applies to; 0 means once, -1
	// means until cleared.
	Times int `json:"times,omitempty"`
}

type faultState struct {
	Fault
	left int
}

// String describes the fault for logs and Request.Fault.
func (f Fault) String() string {
	var b strings.Builder
	if f.Status != 0 {
		fmt.Fprintf(&b, "status %d", f.Status)
		if f.Status == http.StatusTooManyRequests {
			fmt.Fprintf(&b, " retry_after %g", f.RetryAfter)
		}
	}
	if f.Delay > 0 {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "delay %s", f.Delay)
	}
	return b.String()
}

// InjectFault adds a fault; faults apply in the order they were added.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left == 0 {
		left = 1
	}
	s.faults = append(s.faults, &faultState{Fault: f, left: left})
}

// takeFaultLocked returns the first fault matching the request and uses
// one of its times.
func (s *Server) takeFaultLocked(method, path string) *Fault {
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, method) {
			continue
		}
		if f.Path != "" && !pathMatch(f.Path, path) {
			continue
		}
		out := f.Fault
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &out
	}
	return nil
}

// errNotConnected is returned when an event cannot be delivered because no
// bot is connected and identified.
var errNotConnected = errors.New("discordfake: no identified gateway session")
