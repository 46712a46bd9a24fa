package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// DefaultAPIURL is Discord's HTTP API base.
const DefaultAPIURL = "https://discord.com/api/v9"

// ParseAPIURL checks a REST base such as DefaultAPIURL: http or https, a
// host, no query, fragment or credentials. The trailing slash is dropped.
// Errors never quote the URL, which may hold a proxy password.
func ParseAPIURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("scheme %q, want http or https", u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("no host")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("want a plain base URL without credentials, query or fragment")
	}
	return u, nil
}

// apiTransport sends discordgo's REST calls to the configured API base and
// makes every 429 readable by discordgo.
//
// discordgo builds its URLs from package variables fixed at init
// (https://discord.com/api/v9/…); the transport swaps that prefix for the
// base, so operators can route REST through a proxy and tests through a fake.
type apiTransport struct {
	base *url.URL // nil: leave URLs alone
	next http.RoundTripper
}

// discordAPIPrefix is the URL prefix discordgo uses for every REST call.
var discordAPIPrefix = strings.TrimSuffix(discordgo.EndpointAPI, "/")

func newAPITransport(apiURL string, next http.RoundTripper) (*apiTransport, error) {
	u, err := ParseAPIURL(apiURL)
	if err != nil {
		return nil, err
	}
	t := &apiTransport{next: next}
	if u.String() != discordAPIPrefix {
		t.base = u
	}
	return t, nil
}

// RoundTrip rewrites the URL, sends the request and normalizes a 429.
func (t *apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.base != nil {
		full := req.URL.Scheme + "://" + req.URL.Host + req.URL.EscapedPath()
		if rest, ok := strings.CutPrefix(full, discordAPIPrefix); ok && (rest == "" || rest[0] == '/') {
			target := t.base.String() + rest
			if req.URL.RawQuery != "" {
				target += "?" + req.URL.RawQuery
			}
			u, err := url.Parse(target)
			if err != nil {
				return nil, fmt.Errorf("rewrite REST URL: %w", err)
			}
			req = req.Clone(req.Context())
			req.URL = u
			req.Host = ""
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	return normalize429(resp), nil
}

// normalize429 makes sure a 429's body is the JSON discordgo expects. Discord
// answers with {"retry_after": seconds, ...} and a Retry-After header, but a
// 429 from Cloudflare or a proxy may carry HTML: discordgo then fails with a
// JSON error and never sees the wait. Such a body is replaced by one built
// from the Retry-After header (1 s when absent or unreadable).
func normalize429(resp *http.Response) *http.Response {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	var probe struct {
		RetryAfter *float64 `json:"retry_after"`
	}
	if err == nil && json.Unmarshal(body, &probe) == nil && probe.RetryAfter != nil {
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp
	}
	wait := retryAfterHeader(resp.Header)
	global := resp.Header.Get("X-RateLimit-Global") != ""
	fixed, _ := json.Marshal(map[string]any{
		"message": "rate limited (body rewritten by gutskin from the Retry-After header)", "retry_after": wait.Seconds(), "global": global,
	})
	resp.Body = io.NopCloser(bytes.NewReader(fixed))
	resp.ContentLength = int64(len(fixed))
	resp.Header.Set("Content-Type", "application/json")
	resp.Header.Del("Content-Length")
	return resp
}

// retryAfterHeader reads Retry-After in seconds (Discord sends whole or
// decimal seconds); 1 s when absent or unreadable.
func retryAfterHeader(h http.Header) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f < 24*3600 {
			return time.Duration(f * float64(time.Second))
		}
	}
	return time.Second
}
