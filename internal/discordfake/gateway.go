package discordfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Privileged gateway intents: GUILD_MEMBERS, GUILD_PRESENCES,
// MESSAGE_CONTENT. A bot that needs none of them should not ask.
const privilegedIntents = 1<<1 | 1<<8 | 1<<15

const gatewayWriteTimeout = 5 * time.Second

// maxEventLog bounds the events kept per session for RESUME.
const maxEventLog = 4096

type gwConn struct {
	ws    *websocket.Conn
	wmu   sync.Mutex
	ready bool // identified or resumed on this connection
	// g is the shard's session this connection identified or resumed;
	// nil until then.
	g *gatewayState
}

func (c *gwConn) writeJSON(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(gatewayWriteTimeout))
	return c.ws.WriteJSON(v)
}

type gwEvent struct {
	Op   int             `json:"op"`
	D    json.RawMessage `json:"d"`
	S    *int64          `json:"s"`
	T    *string         `json:"t"`
	seq  int64
	name string
}

type gatewayState struct {
	shard                int
	conn                 *gwConn
	sessionID            string
	seq                  int64
	log                  []gwEvent
	connections          int
	identifies           int
	resumes              int
	intents              int64
	invalidateNextResume bool
	closeCodes           []int
	heartbeats           int
}

// GatewayStatus describes the gateway as the fake sees it.
type GatewayStatus struct {
	// Connected is true while a websocket is open and identified or resumed.
	Connected   bool   `json:"connected"`
	SessionID   string `json:"session_id"`
	Seq         int64  `json:"seq"`
	Connections int    `json:"connections"`
	Identifies  int    `json:"identifies"`
	Resumes     int    `json:"resumes"`
	Heartbeats  int    `json:"heartbeats"`
	// Intents are those of the last IDENTIFY.
	Intents int64 `json:"intents"`
	// CloseCodes are the close codes the bot sent, in order.
	CloseCodes []int `json:"close_codes"`
}

// Gateway returns the gateway's state.
func (s *Server) Gateway() GatewayStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gatewayStatusLocked()
}

// Shards returns each identified shard's state, by shard ID, for a bot that
// runs several.
func (s *Server) Shards() map[int]GatewayStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]GatewayStatus{}
	if s.gw.sessionID != "" {
		out[0] = s.shardStatusLocked(&s.gw)
	}
	for id, g := range s.shards {
		out[id] = s.shardStatusLocked(g)
	}
	return out
}

func (s *Server) gatewayStatusLocked() GatewayStatus { return s.shardStatusLocked(&s.gw) }

func (s *Server) shardStatusLocked(g *gatewayState) GatewayStatus {
	return GatewayStatus{
		Connected:   g.conn != nil && g.conn.ready,
		SessionID:   g.sessionID,
		Seq:         g.seq,
		Connections: g.connections,
		Identifies:  g.identifies,
		Resumes:     g.resumes,
		Heartbeats:  g.heartbeats,
		Intents:     g.intents,
		CloseCodes:  append([]int{}, g.closeCodes...),
	}
}

// WaitGateway waits until cond holds for the gateway's state.
func (s *Server) WaitGateway(ctx context.Context, cond func(GatewayStatus) bool) (GatewayStatus, error) {
	var st GatewayStatus
	err := s.waitFor(ctx, func() bool {
		st = s.gatewayStatusLocked()
		return cond(st)
	})
	return st, err
}

// WaitReady waits until a bot is connected and identified (or resumed).
func (s *Server) WaitReady(ctx context.Context) error {
	_, err := s.WaitGateway(ctx, func(g GatewayStatus) bool { return g.Connected })
	if err != nil {
		return fmt.Errorf("waiting for the bot to connect: %w", err)
	}
	return nil
}

// DropGateway cuts the current gateway connection without a close frame, as
// a network failure would. The session stays resumable.
func (s *Server) DropGateway() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.gw.conn; c != nil {
		c.ready = false
		s.gw.conn = nil
		c.ws.NetConn().Close()
		s.logf("discordfake: gateway dropped")
		s.notifyLocked()
	}
}

// InvalidateNextResume makes the next RESUME fail with op 9 (invalid
// session, not resumable), so the bot must identify again.
func (s *Server) InvalidateNextResume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.invalidateNextResume = true
}

// shardFor is the shard Discord sends a guild's events to: (guild_id >>
// 22) % shards; direct messages go to shard 0.
func (s *Server) shardForLocked(guildID string) *gatewayState {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil || s.shardCount <= 1 {
		return &s.gw
	}
	return s.shardLocked(int((id >> 22) % uint64(s.shardCount)))
}

// shardLocked returns a shard's session state, made on first use.
func (s *Server) shardLocked(shard int) *gatewayState {
	if shard == 0 {
		return &s.gw
	}
	if s.shards == nil {
		s.shards = map[int]*gatewayState{}
	}
	g := s.shards[shard]
	if g == nil {
		g = &gatewayState{shard: shard}
		s.shards[shard] = g
	}
	return g
}

// sessionLocked finds the shard whose session is id.
func (s *Server) sessionLocked(id string) *gatewayState {
	if id == "" {
		return nil
	}
	if s.gw.sessionID == id {
		return &s.gw
	}
	for _, g := range s.shards {
		if g.sessionID == id {
			return g
		}
	}
	return nil
}

func (s *Server) dispatchShardLocked(g *gatewayState, eventName string, raw json.RawMessage) int64 {
	g.seq++
	seq := g.seq
	name := eventName
	ev := gwEvent{Op: 0, D: raw, S: &seq, T: &name, seq: seq, name: eventName}
	g.log = append(g.log, ev)
	if len(g.log) > maxEventLog {
		g.log = g.log[len(g.log)-maxEventLog:]
	}
	if c := g.conn; c != nil && c.ready {
		if err := c.writeJSON(ev); err != nil {
			s.logf("discordfake: write %s: %v", eventName, err)
		}
	}
	s.notifyLocked()
	return seq
}

var upgrader = websocket.Upgrader{
	CheckOrigin: func(*http.Request) bool { return true },
}

type gatewayPayload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered.
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	s.gw.connections++ // every connection, whichever shard it becomes
	s.notifyLocked()
	s.mu.Unlock()
	defer func() {
		ws.Close()
		s.mu.Lock()
		if c.g != nil && c.g.conn == c {
			c.g.conn = nil
		}
		s.notifyLocked()
		s.mu.Unlock()
	}()

	hello := map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}, "s": nil, "t": nil}
	if err := c.writeJSON(hello); err != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				s.mu.Lock()
				s.gw.closeCodes = append(s.gw.closeCodes, ce.Code)
				s.mu.Unlock()
				s.logf("discordfake: gateway closed by the bot with code %d", ce.Code)
			}
			return
		}
		var p gatewayPayload
		if err := json.Unmarshal(data, &p); err != nil {
			s.closeWith(c, 4002, "Error while decoding payload.")
			return
		}
		switch p.Op {
		case 1: // heartbeat
			s.mu.Lock()
			s.gw.heartbeats++
			s.mu.Unlock()
			if err := c.writeJSON(map[string]any{"op": 11, "d": nil, "s": nil, "t": nil}); err != nil {
				return
			}
		case 2: // identify
			if !s.identify(c, p.D) {
				return
			}
		case 6: // resume
			if !s.resume(c, p.D) {
				return
			}
		default:
			// Presence updates and the like need no answer.
		}
	}
}

func (s *Server) closeWith(c *gwConn, code int, text string) {
	c.wmu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	c.wmu.Unlock()
}

func (s *Server) identify(c *gwConn, raw json.RawMessage) bool {
	var id struct {
		Token   string  `json:"token"`
		Intents int64   `json:"intents"`
		Shard   *[2]int `json:"shard"`
	}
	if err := json.Unmarshal(raw, &id); err != nil {
		s.closeWith(c, 4002, "Error while decoding payload.")
		return false
	}
	if s.opts.Token != "" && id.Token != "Bot "+s.opts.Token && id.Token != s.opts.Token {
		s.closeWith(c, 4004, "Authentication failed.")
		return false
	}
	shard, count := 0, 1
	if id.Shard != nil {
		shard, count = id.Shard[0], id.Shard[1]
	}
	if count < 1 || shard < 0 || shard >= count {
		s.closeWith(c, 4010, "Invalid shard.")
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shardCount != 0 && count != s.shardCount {
		s.problemLocked("IDENTIFY with %d shards while another shard identified with %d", count, s.shardCount)
	}
	s.shardCount = count
	if id.Intents&privilegedIntents != 0 {
		s.problemLocked("IDENTIFY asked for privileged intents (%d)", id.Intents&privilegedIntents)
	}
	g := s.shardLocked(shard)
	if old := g.conn; old != nil && old != c {
		old.ready = false
		old.ws.Close()
	}
	g.conn, c.g = c, g
	g.identifies++
	g.intents = id.Intents
	g.sessionID = fmt.Sprintf("fake-session-%d-%d", shard, g.identifies)
	g.seq = 0
	g.log = nil
	c.ready = true
	guilds := []map[string]any{}
	for _, gid := range s.opts.Guilds {
		guilds = append(guilds, map[string]any{"id": gid, "unavailable": true})
	}
	ready := map[string]any{
		"v":                  10,
		"user":               map[string]any{"id": s.opts.BotUserID, "username": s.opts.BotName, "discriminator": "0", "bot": true},
		"guilds":             guilds,
		"private_channels":   []any{},
		"session_id":         g.sessionID,
		"resume_gateway_url": s.GatewayURL(),
		"shard":              []int{shard, count},
		"application":        map[string]any{"id": s.opts.AppID, "flags": 0},
	}
	raw2, _ := json.Marshal(ready)
	s.dispatchShardLocked(g, "READY", raw2)
	s.logf("discordfake: identified shard %d of %d, session %s", shard, count, g.sessionID)
	return true
}

func (s *Server) resume(c *gwConn, raw json.RawMessage) bool {
	var rs struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(raw, &rs); err != nil {
		s.closeWith(c, 4002, "Error while decoding payload.")
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.sessionLocked(rs.SessionID)
	if s.gw.invalidateNextResume || g == nil {
		s.gw.invalidateNextResume = false
		if err := c.writeJSON(map[string]any{"op": 9, "d": false, "s": nil, "t": nil}); err != nil {
			return false
		}
		s.logf("discordfake: resume refused (op 9)")
		return true
	}
	if old := g.conn; old != nil && old != c {
		old.ready = false
		old.ws.Close()
	}
	g.conn, c.g = c, g
	g.resumes++
	c.ready = true
	for _, ev := range g.log {
		if ev.seq > rs.Seq {
			if err := c.writeJSON(ev); err != nil {
				return false
			}
		}
	}
	s.dispatchShardLocked(g, "RESUMED", json.RawMessage(`{}`))
	s.logf("discordfake: resumed session %s from seq %d", g.sessionID, rs.Seq)
	return true
}
