package discordfake

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultChannelID is the channel events happen in when none is given.
const DefaultChannelID = "200000000000000001"

// Interaction types, as Discord numbers them.
const (
	interactionCommand      = 2
	interactionComponent    = 3
	interactionAutocomplete = 4
)

// Member is who acts in an injected event.
type Member struct {
	UserID string `json:"user_id"`
	Name   string `json:"name,omitempty"`
	// GuildID is where the member acts; empty means a direct message, where
	// interactions carry a user instead of a member.
	GuildID string   `json:"guild_id,omitempty"`
	Roles   []string `json:"roles,omitempty"`
	// Permissions are the member's permissions in the channel (Discord
	// sends them with every interaction in a guild).
	Permissions int64 `json:"permissions,omitempty"`
}

func (m Member) user() map[string]any {
	name := m.Name
	if name == "" {
		name = "member" + m.UserID
	}
	return map[string]any{"id": m.UserID, "username": name, "discriminator": "0", "global_name": name}
}

func (m Member) member() map[string]any {
	roles := m.Roles
	if roles == nil {
		roles = []string{}
	}
	return map[string]any{
		"user": m.user(), "roles": roles, "permissions": strconv.FormatInt(m.Permissions, 10),
		"joined_at": "2024-01-01T00:00:00Z", "deaf": false, "mute": false, "flags": 0, "pending": false,
	}
}

// Option is one option of a slash command: Value is a string, bool, int,
// float64, an [Attachment] (from [Server.AddAttachment]), or []Option for a
// subcommand and its options.
type Option struct {
	Name    string `json:"name"`
	Value   any    `json:"value"`
	Focused bool   `json:"focused,omitempty"`
}

// wire renders the option as Discord sends it, and collects the
// attachments it names for the interaction's resolved data.
func (o Option) wire(attachments map[string]any) map[string]any {
	typ := 3
	v := o.Value
	switch x := o.Value.(type) {
	case bool:
		typ = 5
	case int:
		typ, v = 4, float64(x)
	case int64:
		typ, v = 4, float64(x)
	case float64:
		typ = 10
	case Attachment:
		typ, v = 11, x.ID
		attachments[x.ID] = x.wire()
	case []Option:
		return map[string]any{"name": o.Name, "type": 1, "options": wireOptions(x, attachments)}
	}
	w := map[string]any{"name": o.Name, "type": typ, "value": v}
	if o.Focused {
		w["focused"] = true
	}
	return w
}

func wireOptions(opts []Option, attachments map[string]any) []any {
	out := []any{}
	for _, o := range opts {
		out = append(out, o.wire(attachments))
	}
	return out
}

// commandData is a slash command's data with its options, and the
// attachments they name as resolved data.
func (s *Server) commandData(name string, opts []Option) map[string]any {
	attachments := map[string]any{}
	data := map[string]any{"id": s.NewID(), "name": name, "type": 1, "options": wireOptions(opts, attachments)}
	if len(attachments) > 0 {
		data["resolved"] = map[string]any{"attachments": attachments}
	}
	return data
}

// Sent is an interaction the fake dispatched.
type Sent struct {
	ID    string `json:"id"`
	Token string `json:"token"`
	// Seq is the gateway sequence number it was dispatched with.
	Seq int64 `json:"seq"`
	srv *Server
}

// CallbackPath is where the bot acknowledges it.
func (x Sent) CallbackPath() string { return "/interactions/" + x.ID + "/" + x.Token + "/callback" }

// OriginalPath is the route of its original response.
func (x Sent) OriginalPath() string {
	return "/webhooks/" + x.srv.opts.AppID + "/" + x.Token + "/messages/@original"
}

// FollowupPath is the route for its follow-up messages.
func (x Sent) FollowupPath() string { return "/webhooks/" + x.srv.opts.AppID + "/" + x.Token }

// Requests returns the REST requests about this interaction (its callback
// and webhook routes), in order.
func (x Sent) Requests() []Request {
	var out []Request
	for _, r := range x.srv.Requests() {
		if strings.Contains(r.Path, "/"+x.Token) {
			out = append(out, r)
		}
	}
	return out
}

// WaitCallback waits until the interaction was acknowledged successfully
// and returns that callback request.
func (x Sent) WaitCallback(ctx context.Context) (Request, error) {
	r, err := x.srv.WaitRequest(ctx, Match{Method: "POST", Path: x.CallbackPath(), Status: 204})
	if err != nil {
		return Request{}, fmt.Errorf("interaction %s not acknowledged: %w (requests: %v, problems: %v)", x.ID, err, x.Requests(), x.srv.Problems())
	}
	return r, nil
}

// Original returns the message of its original response.
func (x Sent) Original() (Message, bool) {
	x.srv.mu.Lock()
	in := x.srv.interactions[x.Token]
	id := ""
	if in != nil {
		id = in.original
	}
	x.srv.mu.Unlock()
	if id == "" {
		return Message{}, false
	}
	return x.srv.Message(id)
}

func (s *Server) base(from Member, kind int, channelID string) (map[string]any, *interaction) {
	if channelID == "" {
		channelID = DefaultChannelID
	}
	id := s.NewID()
	token := "itok-" + id
	in := map[string]any{
		"id": id, "application_id": s.opts.AppID, "type": kind, "token": token, "version": 1,
		"channel_id": channelID, "channel": map[string]any{"id": channelID, "type": 0},
		"locale": "en-US", "app_permissions": "2248473465835073", "entitlements": []any{},
	}
	if from.GuildID != "" {
		in["guild_id"] = from.GuildID
		in["guild_locale"] = "en-US"
		in["member"] = from.member()
		in["context"] = 0
		in["authorizing_integration_owners"] = map[string]any{"0": from.GuildID}
	} else {
		in["user"] = from.user()
		in["context"] = 1
		in["authorizing_integration_owners"] = map[string]any{"1": from.UserID}
	}
	return in, &interaction{id: id, token: token, kind: kind, channelID: channelID, guildID: from.GuildID}
}

// dispatchInteraction sends INTERACTION_CREATE and starts the interaction's
// 3-second clock.
func (s *Server) dispatchInteraction(payload map[string]any, in *interaction) (Sent, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return Sent{}, fmt.Errorf("discordfake: encode interaction: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.InteractionsURL != "" {
		in.sent = time.Now()
		s.interactions[in.token] = in
		go s.postInteraction(in, raw)
		return Sent{ID: in.id, Token: in.token, srv: s}, nil
	}
	g := s.shardForLocked(in.guildID)
	if g.sessionID == "" {
		return Sent{}, errNotConnected
	}
	in.sent = time.Now()
	s.interactions[in.token] = in
	seq := s.dispatchShardLocked(g, "INTERACTION_CREATE", raw)
	return Sent{ID: in.id, Token: in.token, Seq: seq, srv: s}, nil
}

// postInteraction sends an interaction to the bot's HTTP endpoint, signed
// as Discord signs it, and takes the HTTP response as its callback.
func (s *Server) postInteraction(in *interaction, raw []byte) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := ed25519.Sign(s.opts.InteractionsKey, append([]byte(ts), raw...))
	req, err := http.NewRequest(http.MethodPost, s.opts.InteractionsURL, bytes.NewReader(raw))
	if err != nil {
		s.problem("interaction %s: %v", in.id, err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		s.problem("interaction %s: POST to the bot's endpoint: %v", in.id, err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode != http.StatusOK {
		s.problem("interaction %s: the bot's endpoint answered %d: %s", in.id, resp.StatusCode, body)
		return
	}
	var decoded map[string]any
	if err := json.Unmarshal(body, &decoded); err != nil {
		s.problem("interaction %s: the bot's endpoint answered something not JSON: %s", in.id, body)
		return
	}
	path := "/interactions/" + in.id + "/" + in.token + "/callback"
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Request{At: time.Now(), Method: http.MethodPost, Path: path, Body: json.RawMessage(body), Seq: len(s.requests) + 1}
	// 204 when the fake accepts it, as for a callback over REST.
	r.Status, _, _ = s.callbackLocked(in.id, in.token, decoded)
	s.requests = append(s.requests, r)
	s.notifyLocked()
}

func (s *Server) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problemLocked(format, args...)
	s.notifyLocked()
}

// Command dispatches a slash command.
func (s *Server) Command(from Member, channelID, name string, opts ...Option) (Sent, error) {
	payload, in := s.base(from, interactionCommand, channelID)
	payload["data"] = s.commandData(name, opts)
	return s.dispatchInteraction(payload, in)
}

// Autocomplete dispatches an autocomplete request for a slash command; mark
// the option being typed with Focused.
func (s *Server) Autocomplete(from Member, channelID, name string, opts ...Option) (Sent, error) {
	payload, in := s.base(from, interactionAutocomplete, channelID)
	payload["data"] = s.commandData(name, opts)
	return s.dispatchInteraction(payload, in)
}

// MessageCommand dispatches a message context-menu command on target.
func (s *Server) MessageCommand(from Member, name string, target Message) (Sent, error) {
	payload, in := s.base(from, interactionCommand, target.ChannelID)
	s.mu.Lock()
	wire := s.wireLocked(&target)
	s.mu.Unlock()
	payload["data"] = map[string]any{
		"id": s.NewID(), "name": name, "type": 3, "target_id": target.ID,
		"resolved": map[string]any{"messages": map[string]any{target.ID: wire}},
	}
	return s.dispatchInteraction(payload, in)
}

// Click dispatches a button press on a message the fake keeps.
func (s *Server) Click(from Member, messageID, customID string) (Sent, error) {
	msg, ok := s.Message(messageID)
	if !ok {
		return Sent{}, fmt.Errorf("discordfake: click on unknown message %s", messageID)
	}
	payload, in := s.base(from, interactionComponent, msg.ChannelID)
	s.mu.Lock()
	payload["message"] = s.wireLocked(&msg)
	s.mu.Unlock()
	payload["data"] = map[string]any{"custom_id": customID, "component_type": 2}
	in.original = messageID
	return s.dispatchInteraction(payload, in)
}

// Interact dispatches a raw interaction payload. Missing id, token,
// application_id and channel_id are filled in.
func (s *Server) Interact(payload map[string]any) (Sent, error) {
	kind := int(num(payload["type"]))
	if kind == 0 {
		if f, ok := payload["type"].(int); ok {
			kind = f
		}
	}
	id, _ := payload["id"].(string)
	if id == "" {
		id = s.NewID()
	}
	token, _ := payload["token"].(string)
	if token == "" {
		token = "itok-" + id
	}
	ch, _ := payload["channel_id"].(string)
	if ch == "" {
		ch = DefaultChannelID
	}
	guild, _ := payload["guild_id"].(string)
	payload["id"], payload["token"], payload["channel_id"] = id, token, ch
	if payload["application_id"] == nil {
		payload["application_id"] = s.opts.AppID
	}
	in := &interaction{id: id, token: token, kind: kind, channelID: ch, guildID: guild}
	if m, ok := payload["message"].(map[string]any); ok {
		in.original, _ = m["id"].(string)
	}
	return s.dispatchInteraction(payload, in)
}

var mentionRE = regexp.MustCompile(`<@!?(\d+)>`)

// PostMessage dispatches MESSAGE_CREATE for a member's message and keeps the
// message so the bot can reply to it. User mentions written as <@id> are
// listed in the event's mentions, as Discord does.
func (s *Server) PostMessage(from Member, channelID, content string) (Message, error) {
	if channelID == "" {
		channelID = DefaultChannelID
	}
	m := Message{ID: s.NewID(), ChannelID: channelID, GuildID: from.GuildID, AuthorID: from.UserID,
		Body: map[string]any{"content": content}}
	mentions := []any{}
	seen := map[string]bool{}
	for _, sm := range mentionRE.FindAllStringSubmatch(content, -1) {
		id := sm[1]
		if seen[id] {
			continue
		}
		seen[id] = true
		if id == s.opts.BotUserID {
			mentions = append(mentions, map[string]any{"id": id, "username": s.opts.BotName, "discriminator": "0", "bot": true})
		} else {
			mentions = append(mentions, Member{UserID: id}.user())
		}
	}
	ev := map[string]any{
		"id": m.ID, "channel_id": channelID, "type": 0, "content": content,
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "edited_timestamp": nil,
		"author": from.user(), "mentions": mentions, "mention_roles": []any{},
		"mention_everyone": strings.Contains(content, "@everyone"), "embeds": []any{}, "attachments": []any{},
		"components": []any{}, "tts": false, "pinned": false, "flags": 0,
	}
	if from.GuildID != "" {
		ev["guild_id"] = from.GuildID
		mem := from.member()
		delete(mem, "user")
		ev["member"] = mem
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return Message{}, fmt.Errorf("discordfake: encode message: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.shardForLocked(from.GuildID)
	if g.sessionID == "" {
		return Message{}, errNotConnected
	}
	s.addMessageLocked(&m)
	s.dispatchShardLocked(g, "MESSAGE_CREATE", raw)
	return s.copyMessageLocked(&m), nil
}

// MessagesReplyingTo returns the bot's replies to a message, in order.
func (s *Server) MessagesReplyingTo(messageID string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.ReplyTo == messageID {
			out = append(out, m)
		}
	}
	return out
}
