package discordfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The control endpoints let a script (the container check, say) drive a
// bot running against a standalone fake. All answer JSON.
//
//	GET  /_fake/status                  gateway state, request count, problems
//	GET  /_fake/requests?since=N        REST requests numbered above N
//	GET  /_fake/messages                messages the fake keeps
//	GET  /_fake/wait?method=M&path=P&after=N&timeout=5s
//	                                    the first answered request matching
//	                                    (path may use * for a segment); 504
//	                                    when none arrives in time
//	POST /_fake/command                 {"member":{...},"channel_id":"","name":"ask",
//	                                     "options":[{"name":"question","value":"..."}]}
//	POST /_fake/ask                     {"question":"...","private":false,"member":{...}}
//	POST /_fake/message                 {"content":"...","member":{...},"channel_id":""}
//	POST /_fake/click                   {"message_id":"...","custom_id":"...","member":{...}}
//	POST /_fake/interaction             a raw interaction payload
//	POST /_fake/fault                   a Fault, with "delay" as a Go duration ("2s")
//	POST /_fake/drop                    drop the gateway connection
//
// A member left out defaults to user 300000000000000001 in guild
// 400000000000000001 with no roles and no permissions.
func (s *Server) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+ControlPrefix+"/status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"api_url": s.APIURL(), "gateway": s.Gateway(), "requests": s.LastSeq(), "problems": orNone(s.Problems()),
		})
	})
	mux.HandleFunc("GET "+ControlPrefix+"/requests", func(w http.ResponseWriter, r *http.Request) {
		since, _ := strconv.Atoi(r.URL.Query().Get("since"))
		writeJSON(w, 200, orNone(s.RequestsSince(since)))
	})
	mux.HandleFunc("GET "+ControlPrefix+"/messages", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, orNone(s.Messages()))
	})
	mux.HandleFunc("GET "+ControlPrefix+"/wait", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		timeout, err := time.ParseDuration(q.Get("timeout"))
		if err != nil || timeout <= 0 || timeout > time.Minute {
			timeout = 5 * time.Second
		}
		after, _ := strconv.Atoi(q.Get("after"))
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		req, err := s.WaitRequest(ctx, Match{Method: q.Get("method"), Path: q.Get("path"), After: after})
		if err != nil {
			writeJSON(w, http.StatusGatewayTimeout, map[string]any{"error": err.Error()})
			return
		}
		writeJSON(w, 200, req)
	})
	mux.HandleFunc("POST "+ControlPrefix+"/command", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Member    *Member  `json:"member"`
			ChannelID string   `json:"channel_id"`
			Name      string   `json:"name"`
			Options   []Option `json:"options"`
		}
		if !readJSON(w, r, &in) {
			return
		}
		sent, err := s.Command(defaultMember(in.Member), in.ChannelID, in.Name, in.Options...)
		writeSent(w, sent, err)
	})
	mux.HandleFunc("POST "+ControlPrefix+"/ask", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Member    *Member `json:"member"`
			ChannelID string  `json:"channel_id"`
			Question  string  `json:"question"`
			Private   bool    `json:"private"`
		}
		if !readJSON(w, r, &in) {
			return
		}
		opts := []Option{{Name: "question", Value: in.Question}}
		if in.Private {
			opts = append(opts, Option{Name: "private", Value: true})
		}
		sent, err := s.Command(defaultMember(in.Member), in.ChannelID, "ask", opts...)
		writeSent(w, sent, err)
	})
	mux.HandleFunc("POST "+ControlPrefix+"/message", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Member    *Member `json:"member"`
			ChannelID string  `json:"channel_id"`
			Content   string  `json:"content"`
		}
		if !readJSON(w, r, &in) {
			return
		}
		m, err := s.PostMessage(defaultMember(in.Member), in.ChannelID, in.Content)
		if err != nil {
			writeJSON(w, http.StatusConflict, map[string]any{"error": err.Error()})
			return
		}
		writeJSON(w, 200, m)
	})
	mux.HandleFunc("POST "+ControlPrefix+"/click", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Member    *Member `json:"member"`
			MessageID string  `json:"message_id"`
			CustomID  string  `json:"custom_id"`
		}
		if !readJSON(w, r, &in) {
			return
		}
		sent, err := s.Click(defaultMember(in.Member), in.MessageID, in.CustomID)
		writeSent(w, sent, err)
	})
	mux.HandleFunc("POST "+ControlPrefix+"/interaction", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if !readJSON(w, r, &in) {
			return
		}
		sent, err := s.Interact(in)
		writeSent(w, sent, err)
	})
	mux.HandleFunc("POST "+ControlPrefix+"/fault", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Fault
			Delay string `json:"delay"` // a Go duration such as "2s"
		}
		if !readJSON(w, r, &in) {
			return
		}
		f := in.Fault
		if in.Delay != "" {
			d, err := time.ParseDuration(in.Delay)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("delay: %v", err)})
				return
			}
			f.Delay = d
		}
		s.InjectFault(f)
		writeJSON(w, 200, map[string]any{"ok": true})
	})
	mux.HandleFunc("POST "+ControlPrefix+"/drop", func(w http.ResponseWriter, r *http.Request) {
		s.DropGateway()
		writeJSON(w, 200, map[string]any{"ok": true})
	})
	return mux
}

func defaultMember(m *Member) Member {
	if m == nil {
		return Member{UserID: "300000000000000001", GuildID: "400000000000000001"}
	}
	return *m
}

func orNone[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("bad JSON: %v", err)})
		return false
	}
	return true
}

func writeSent(w http.ResponseWriter, sent Sent, err error) {
	if err != nil {
		writeJSON(w, http.StatusConflict, map[string]any{"error": err.Error()})
		return
	}
	writeJSON(w, 200, map[string]any{
		"id": sent.ID, "token": sent.Token, "seq": sent.Seq,
		"callback_path": sent.CallbackPath(), "original_path": sent.OriginalPath(), "followup_path": sent.FollowupPath(),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
