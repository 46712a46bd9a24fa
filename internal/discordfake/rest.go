package discordfake

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const maxBody = 8 << 20

// interaction is the fake's record of one interaction it dispatched.
type interaction struct {
	id, token string
	kind      int // interaction type: 2 command, 3 component, 4 autocomplete
	sent      time.Time
	acked     bool
	ackType   int
	// original is the message ID @original refers to: the response's
	// message, or for a component the message the component is on.
	original  string
	channelID string
	guildID   string
}

// Message is a message as the fake keeps it: the bot's messages (replies,
// interaction responses, follow-ups) and the members' messages the test
// injected.
type Message struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
	GuildID   string `json:"guild_id,omitempty"`
	// AuthorID is the bot's user ID for the bot's messages.
	AuthorID string `json:"author_id"`
	// Interaction is the token of the interaction this message answers,
	// if any.
	Interaction string `json:"interaction,omitempty"`
	// ReplyTo is the message_reference's message ID for replies.
	ReplyTo string `json:"reply_to,omitempty"`
	Flags   int64  `json:"flags"`
	Deleted bool   `json:"deleted"`
	// Body holds the message's content, embeds, components and
	// allowed_mentions as last sent.
	Body map[string]any `json:"body"`
	// Edits counts the edits after creation.
	Edits int `json:"edits"`
}

// Ephemeral reports whether only the invoking member sees the message.
func (m Message) Ephemeral() bool { return m.Flags&ephemeralFlag != 0 }

// Loading reports whether the message is a deferred response still
// "thinking".
func (m Message) Loading() bool { return m.Flags&loadingFlag != 0 }

// Content is the message's text.
func (m Message) Content() string { return str(m.Body["content"]) }

// Embeds are the message's embeds as generic JSON objects.
func (m Message) Embeds() []map[string]any {
	var out []map[string]any
	list, _ := m.Body["embeds"].([]any)
	for _, e := range list {
		if em, ok := e.(map[string]any); ok {
			out = append(out, em)
		}
	}
	return out
}

// Buttons returns the message's buttons, row by row flattened, as
// label → custom_id pairs in order.
func (m Message) Buttons() []Button {
	var out []Button
	rows, _ := m.Body["components"].([]any)
	for _, rv := range rows {
		row, _ := rv.(map[string]any)
		children, _ := row["components"].([]any)
		for _, cv := range children {
			c, _ := cv.(map[string]any)
			if num(c["type"]) != 2 {
				continue
			}
			b := Button{Label: str(c["label"]), CustomID: str(c["custom_id"]), URL: str(c["url"]), Disabled: c["disabled"] == true}
			if e, ok := c["emoji"].(map[string]any); ok {
				b.Emoji = str(e["name"])
			}
			out = append(out, b)
		}
	}
	return out
}

// Button is one button of a message.
type Button struct {
	Label    string `json:"label"`
	Emoji    string `json:"emoji,omitempty"`
	CustomID string `json:"custom_id"`
	URL      string `json:"url,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
}

// wire renders the message as Discord's message object.
func (s *Server) wireLocked(m *Message) map[string]any {
	out := map[string]any{
		"id":               m.ID,
		"channel_id":       m.ChannelID,
		"type":             0,
		"content":          m.Content(),
		"embeds":           orEmpty(m.Body["embeds"]),
		"components":       orEmpty(m.Body["components"]),
		"attachments":      []any{},
		"mentions":         []any{},
		"mention_roles":    []any{},
		"mention_everyone": false,
		"tts":              false,
		"pinned":           false,
		"flags":            m.Flags,
		"timestamp":        time.Now().UTC().Format(time.RFC3339Nano),
		"edited_timestamp": nil,
		"author":           map[string]any{"id": m.AuthorID, "username": s.opts.BotName, "discriminator": "0", "bot": m.AuthorID == s.opts.BotUserID},
	}
	if m.GuildID != "" {
		out["guild_id"] = m.GuildID
	}
	if m.AuthorID == s.opts.BotUserID {
		out["application_id"] = s.opts.AppID
	}
	if m.ReplyTo != "" {
		out["type"] = 19
		out["message_reference"] = map[string]any{"message_id": m.ReplyTo, "channel_id": m.ChannelID}
	}
	if m.Interaction != "" {
		out["webhook_id"] = s.opts.AppID
	}
	return out
}

func orEmpty(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

// Messages returns every message the fake keeps, in creation order,
// deleted ones included.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.copyMessageLocked(s.messages[id]))
	}
	return out
}

// Message returns one message by ID.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return Message{}, false
	}
	return s.copyMessageLocked(m), true
}

func (s *Server) copyMessageLocked(m *Message) Message {
	c := *m
	raw, _ := json.Marshal(m.Body)
	c.Body = nil
	_ = json.Unmarshal(raw, &c.Body)
	return c
}

func (s *Server) addMessageLocked(m *Message) *Message {
	if m.ID == "" {
		m.ID = s.NewID()
	}
	if m.AuthorID == "" {
		m.AuthorID = s.opts.BotUserID
	}
	if m.Body == nil {
		m.Body = map[string]any{}
	}
	s.messages[m.ID] = m
	s.order = append(s.order, m.ID)
	return m
}

// messageFields are the fields of a body that make up a message.
var messageFields = []string{"content", "embeds", "components", "allowed_mentions"}

func pickMessage(body map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range messageFields {
		if v, ok := body[k]; ok {
			out[k] = v
		}
	}
	return out
}

// apiError is a Discord-style error answer.
type apiError struct {
	status int
	code   int
	msg    string
	errs   []string
}

func (e *apiError) body() []byte {
	m := map[string]any{"code": e.code, "message": e.msg}
	if len(e.errs) > 0 {
		m["errors"] = map[string]any{"_errors": e.errs}
	}
	b, _ := json.Marshal(m)
	return b
}

func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, APIPrefix)
	req := Request{At: time.Now(), Method: r.Method, Path: path, Query: r.URL.RawQuery}
	if len(body) > 0 {
		if json.Valid(body) {
			req.Body = json.RawMessage(body)
		} else {
			req.Body, _ = json.Marshal(string(body))
		}
	}

	s.mu.Lock()
	req.Seq = len(s.requests) + 1
	s.requests = append(s.requests, req)
	idx := len(s.requests) - 1
	fault := s.takeFaultLocked(r.Method, path)
	s.notifyLocked()
	s.mu.Unlock()

	setStatus := func(status int, faultDesc string) {
		s.mu.Lock()
		s.requests[idx].Status = status
		s.requests[idx].Fault = faultDesc
		s.notifyLocked()
		s.mu.Unlock()
	}

	if fault != nil && fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			setStatus(0, fault.String()+"; the client gave up")
			s.logf("discordfake: %s %s: client gave up during delay", r.Method, path)
			return
		}
	}
	if fault != nil && fault.Status != 0 {
		s.writeFault(w, fault)
		setStatus(fault.Status, fault.String())
		s.logf("discordfake: %s %s: injected %s", r.Method, path, fault)
		return
	}

	status, out, hdr := s.route(r, path, body)
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	if out != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	if out != nil {
		w.Write(out)
	}
	desc := ""
	if fault != nil {
		desc = fault.String()
	}
	setStatus(status, desc)
}

func (s *Server) writeFault(w http.ResponseWriter, f *Fault) {
	h := w.Header()
	if f.Status == http.StatusTooManyRequests {
		switch f.RetryAfterHeader {
		case "":
			h.Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter))))
		case "-":
		default:
			h.Set("Retry-After", f.RetryAfterHeader)
		}
		h.Set("X-RateLimit-Scope", "user")
		if f.Global {
			h.Set("X-RateLimit-Global", "true")
			h.Set("X-RateLimit-Scope", "global")
		}
	}
	var body []byte
	switch {
	case f.Body != "":
		body = []byte(f.Body)
		h.Set("Content-Type", "text/html")
	case f.Status == http.StatusTooManyRequests:
		body, _ = json.Marshal(map[string]any{"message": "You are being rate limited.", "retry_after": f.RetryAfter, "global": f.Global})
		h.Set("Content-Type", "application/json")
	default:
		body, _ = json.Marshal(map[string]any{"message": http.StatusText(f.Status), "code": 0})
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(f.Status)
	w.Write(body)
}

// route handles one REST request and returns the status and JSON body.
func (s *Server) route(r *http.Request, path string, raw []byte) (int, []byte, map[string]string) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	var body map[string]any
	var list []any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			if err2 := json.Unmarshal(raw, &list); err2 != nil {
				return s.fail(&apiError{status: 400, code: 50109, msg: "The request body contains invalid JSON."}, "%s %s: body is not JSON", r.Method, path)
			}
		}
	}

	// Webhook and interaction routes are authorised by their token; the
	// rest need the bot token.
	tokenRoute := len(seg) > 0 && (seg[0] == "webhooks" || seg[0] == "interactions")
	if !tokenRoute && s.opts.Token != "" && r.Header.Get("Authorization") != "Bot "+s.opts.Token {
		return s.fail(&apiError{status: 401, code: 0, msg: "401: Unauthorized"}, "%s %s: missing or wrong bot token", r.Method, path)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == "GET" && path == "/gateway":
		return s.okLocked(200, map[string]any{"url": s.GatewayURL()})
	case r.Method == "GET" && path == "/gateway/bot":
		return s.okLocked(200, map[string]any{"url": s.GatewayURL(), "shards": max(1, s.opts.RecommendedShards),
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}})
	case r.Method == "GET" && path == "/oauth2/applications/@me":
		return s.okLocked(200, map[string]any{"id": s.opts.AppID, "name": s.opts.BotName, "description": "", "bot_public": false})
	case r.Method == "PUT" && len(seg) == 3 && seg[0] == "applications" && seg[2] == "commands":
		return s.bulkOverwriteLocked(seg[1], "", list, raw)
	case r.Method == "PUT" && len(seg) == 5 && seg[0] == "applications" && seg[2] == "guilds" && seg[4] == "commands":
		return s.bulkOverwriteLocked(seg[1], seg[3], list, raw)
	case r.Method == "POST" && len(seg) == 4 && seg[0] == "interactions" && seg[3] == "callback":
		return s.callbackLocked(seg[1], seg[2], body)
	case len(seg) == 5 && seg[0] == "webhooks" && seg[3] == "messages":
		return s.webhookMessageLocked(r.Method, seg[1], seg[2], seg[4], body)
	case r.Method == "POST" && len(seg) == 3 && seg[0] == "webhooks":
		return s.followupLocked(seg[1], seg[2], r.URL.Query().Get("wait") == "true", body)
	case r.Method == "POST" && len(seg) == 3 && seg[0] == "channels" && seg[2] == "messages":
		return s.channelMessageLocked(seg[1], body)
	case r.Method == "PUT" && len(seg) == 7 && seg[0] == "channels" && seg[4] == "reactions" && seg[6] == "@me":
		// Recorded among the requests, where tests find it.
		return 204, nil, nil
	}
	s.problemLocked("unexpected route %s %s", r.Method, path)
	return 404, (&apiError{code: 0, msg: "404: Not Found"}).body(), nil
}

// fail answers an error and records it as a problem; s.mu must not be held.
func (s *Server) fail(e *apiError, format string, args ...any) (int, []byte, map[string]string) {
	s.mu.Lock()
	s.problemLocked(format, args...)
	s.mu.Unlock()
	return e.status, e.body(), nil
}

// failLocked is fail with s.mu held.
func (s *Server) failLocked(e *apiError, format string, args ...any) (int, []byte, map[string]string) {
	s.problemLocked(format, args...)
	return e.status, e.body(), nil
}

func (s *Server) okLocked(status int, v any) (int, []byte, map[string]string) {
	b, _ := json.Marshal(v)
	return status, b, nil
}

func (s *Server) bulkOverwriteLocked(app, guild string, list []any, raw []byte) (int, []byte, map[string]string) {
	if app != s.opts.AppID {
		return s.failLocked(&apiError{status: 404, code: 10002, msg: "Unknown Application"}, "bulk overwrite for unknown application %s", app)
	}
	if list == nil && string(raw) != "[]" {
		return s.failLocked(&apiError{status: 400, code: 50035, msg: "Invalid Form Body"}, "bulk overwrite body is not a list")
	}
	out := make([]any, 0, len(list))
	for _, cv := range list {
		c, _ := cv.(map[string]any)
		cc := map[string]any{}
		for k, v := range c {
			cc[k] = v
		}
		cc["id"] = s.NewID()
		cc["application_id"] = s.opts.AppID
		cc["version"] = s.NewID()
		if guild != "" {
			cc["guild_id"] = guild
		}
		if _, ok := cc["type"]; !ok {
			cc["type"] = 1
		}
		out = append(out, cc)
	}
	s.commands[guild] = append(json.RawMessage(nil), raw...)
	return s.okLocked(200, out)
}

func (s *Server) callbackLocked(id, token string, body map[string]any) (int, []byte, map[string]string) {
	in := s.interactions[token]
	if in == nil || in.id != id {
		return s.failLocked(&apiError{status: 404, code: 10062, msg: "Unknown interaction"}, "callback for unknown interaction %s", id)
	}
	if in.acked {
		return s.failLocked(&apiError{status: 400, code: 40060, msg: "Interaction has already been acknowledged."}, "interaction %s acknowledged twice", id)
	}
	if late := time.Since(in.sent); late > s.opts.InteractionDeadline {
		return s.failLocked(&apiError{status: 404, code: 10062, msg: "Unknown interaction"}, "interaction %s acknowledged after %s", id, late.Round(time.Millisecond))
	}
	typ := int(num(body["type"]))
	data, _ := body["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	invalid := func(errs []string) (int, []byte, map[string]string) {
		return s.failLocked(&apiError{status: 400, code: 50035, msg: "Invalid Form Body", errs: errs}, "interaction %s response rejected: %s", id, strings.Join(errs, "; "))
	}
	switch typ {
	case 4: // message
		if errs := validateMessage(data, true); len(errs) > 0 {
			return invalid(errs)
		}
		s.checkMentionsLocked("interaction response", data)
		m := s.addMessageLocked(&Message{ChannelID: in.channelID, GuildID: in.guildID, Interaction: token,
			Flags: num(data["flags"]) & (ephemeralFlag | suppressEmbedsFl), Body: pickMessage(data)})
		in.original = m.ID
	case 5: // deferred message
		m := s.addMessageLocked(&Message{ChannelID: in.channelID, GuildID: in.guildID, Interaction: token,
			Flags: num(data["flags"])&ephemeralFlag | loadingFlag})
		in.original = m.ID
	case 6, 7: // deferred update, update
		if in.kind != 3 {
			return invalid([]string{fmt.Sprintf("response type %d is only for components", typ)})
		}
		if typ == 7 {
			if errs := validateMessage(data, false); len(errs) > 0 {
				return invalid(errs)
			}
			s.checkMentionsLocked("message update", data)
			if m := s.messages[in.original]; m != nil {
				for k, v := range pickMessage(data) {
					m.Body[k] = v
				}
				m.Edits++
			}
		}
	case 8: // autocomplete
		if in.kind != 4 {
			return invalid([]string{"autocomplete result for an interaction that is not autocomplete"})
		}
		if errs := validateChoices(data); len(errs) > 0 {
			return invalid(errs)
		}
	default:
		return invalid([]string{fmt.Sprintf("unexpected response type %d", typ)})
	}
	in.acked = true
	in.ackType = typ
	return 204, nil, nil
}

func (s *Server) checkMentionsLocked(what string, body map[string]any) {
	if p := mentionsProblem(body); p != "" {
		s.problemLocked("%s: %s", what, p)
	}
}

func (s *Server) webhookMessageLocked(method, app, token, msgID string, body map[string]any) (int, []byte, map[string]string) {
	in := s.interactions[token]
	if app != s.opts.AppID || in == nil {
		return s.failLocked(&apiError{status: 404, code: 10015, msg: "Unknown Webhook"}, "%s on an unknown webhook", method)
	}
	if !in.acked {
		return s.failLocked(&apiError{status: 404, code: 10008, msg: "Unknown Message"}, "%s message of interaction %s before it was acknowledged", method, in.id)
	}
	if msgID == "@original" {
		msgID = in.original
	}
	m := s.messages[msgID]
	if m == nil || m.Deleted {
		return s.failLocked(&apiError{status: 404, code: 10008, msg: "Unknown Message"}, "%s unknown message %s", method, msgID)
	}
	switch method {
	case "GET":
		return s.okLocked(200, s.wireLocked(m))
	case "DELETE":
		m.Deleted = true
		return 204, nil, nil
	case "PATCH":
		if errs := validateMessage(body, false); len(errs) > 0 {
			return s.failLocked(&apiError{status: 400, code: 50035, msg: "Invalid Form Body", errs: errs}, "edit rejected: %s", strings.Join(errs, "; "))
		}
		s.checkMentionsLocked("edit", body)
		for k, v := range pickMessage(body) {
			m.Body[k] = v
		}
		m.Flags &^= loadingFlag
		m.Edits++
		if len(m.Body) > 0 && strings.TrimSpace(m.Content()) == "" && len(m.Embeds()) == 0 && m.Body["components"] == nil {
			s.problemLocked("edit left message %s empty", m.ID)
		}
		return s.okLocked(200, s.wireLocked(m))
	}
	s.problemLocked("unexpected route %s on a webhook message", method)
	return 405, (&apiError{code: 0, msg: "405: Method Not Allowed"}).body(), nil
}

func (s *Server) followupLocked(app, token string, wait bool, body map[string]any) (int, []byte, map[string]string) {
	in := s.interactions[token]
	if app != s.opts.AppID || in == nil {
		return s.failLocked(&apiError{status: 404, code: 10015, msg: "Unknown Webhook"}, "follow-up on an unknown webhook")
	}
	if !in.acked {
		return s.failLocked(&apiError{status: 404, code: 10015, msg: "Unknown Webhook"}, "follow-up for interaction %s before it was acknowledged", in.id)
	}
	if errs := validateMessage(body, true); len(errs) > 0 {
		return s.failLocked(&apiError{status: 400, code: 50035, msg: "Invalid Form Body", errs: errs}, "follow-up rejected: %s", strings.Join(errs, "; "))
	}
	s.checkMentionsLocked("follow-up", body)
	m := s.addMessageLocked(&Message{ChannelID: in.channelID, GuildID: in.guildID, Interaction: token,
		Flags: num(body["flags"]) & (ephemeralFlag | suppressEmbedsFl), Body: pickMessage(body)})
	if !wait {
		return 204, nil, nil
	}
	return s.okLocked(200, s.wireLocked(m))
}

func (s *Server) channelMessageLocked(channelID string, body map[string]any) (int, []byte, map[string]string) {
	if errs := validateMessage(body, true); len(errs) > 0 {
		return s.failLocked(&apiError{status: 400, code: 50035, msg: "Invalid Form Body", errs: errs}, "message rejected: %s", strings.Join(errs, "; "))
	}
	s.checkMentionsLocked("channel message", body)
	m := &Message{ChannelID: channelID, Flags: num(body["flags"]) & suppressEmbedsFl, Body: pickMessage(body)}
	if ref, ok := body["message_reference"].(map[string]any); ok {
		m.ReplyTo = str(ref["message_id"])
		if orig := s.messages[m.ReplyTo]; orig != nil {
			m.GuildID = orig.GuildID
		} else if ref["fail_if_not_exists"] != false {
			return s.failLocked(&apiError{status: 400, code: 50035, msg: "Invalid Form Body", errs: []string{"message_reference: unknown message"}}, "reply to unknown message %s", m.ReplyTo)
		}
	}
	s.addMessageLocked(m)
	return s.okLocked(200, s.wireLocked(m))
}
