package discordfake

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Attachment is a file a member uploaded with a slash command, as the
// interaction's resolved data describes it. The fake serves its bytes at
// URL, on loopback, as Discord's CDN would.
type Attachment struct {
	ID          string
	Filename    string
	ContentType string
	// Size is what Discord reports; AddAttachment sets the body's length.
	Size int
	URL  string
}

func (a Attachment) wire() map[string]any {
	return map[string]any{"id": a.ID, "filename": a.Filename, "content_type": a.ContentType,
		"size": a.Size, "url": a.URL, "proxy_url": a.URL}
}

// AddAttachment keeps body to serve as an uploaded file and returns the
// attachment to pass as an option's value.
func (s *Server) AddAttachment(filename, contentType string, body []byte) Attachment {
	id := s.NewID()
	a := Attachment{ID: id, Filename: filename, ContentType: contentType, Size: len(body),
		URL: s.http.URL + attachmentsPrefix + id + "/" + url.PathEscape(filename)}
	s.mu.Lock()
	s.attachments[id] = storedAttachment{a: a, body: append([]byte(nil), body...)}
	s.mu.Unlock()
	return a
}

type storedAttachment struct {
	a    Attachment
	body []byte
}

// attachmentsPrefix is where the fake serves uploaded files.
const attachmentsPrefix = "/attachments/"

func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) {
	id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, attachmentsPrefix), "/")
	s.mu.Lock()
	st, ok := s.attachments[id]
	s.mu.Unlock()
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", st.a.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(st.body)))
	w.Write(st.body)
}
