package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"code.dny.dev/ssrf"
)

// noDNS reads /etc/hosts like the normal Go resolver but cannot send a DNS
// query, so no test can reach past loopback through a name by mistake.
func noDNS() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("test: DNS queries are disabled")
		},
	}
}

// testFetcher is New with the test hooks: DNS off and, when exempt is
// valid, that one loopback address let through the address rule.
func testFetcher(t *testing.T, opts Options, exempt netip.AddrPort) *Fetcher {
	t.Helper()
	f := newFetcher(opts, testHooks{exempt: exempt, resolver: noDNS()})
	t.Cleanup(f.transport.CloseIdleConnections)
	return f
}

// server is an httptest server that counts the requests its handler saw.
type server struct {
	*httptest.Server
	hits atomic.Int32
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(s.count(h))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}
}

func (s *server) addrPort(t *testing.T) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

func (s *server) port() string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	return port
}

// release returns a channel closed before the servers shut down, for
// handlers that must hang until the client gives up.
func release(t *testing.T) <-chan struct{} {
	ch := make(chan struct{})
	t.Cleanup(func() { close(ch) })
	return ch
}

func page(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		fmt.Fprint(w, body)
	}
}

// assertRefused checks the contract every refusal shares, plus substrings.
func assertRefused(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a refusal containing %q", want)
	}
	if !errors.Is(err, ErrRefused) {
		t.Errorf("error %q does not wrap ErrRefused", err)
	}
	msg := err.Error()
	t.Log(msg)
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("message is not one line: %q", msg)
	}
	if !strings.HasPrefix(msg, "refused ") {
		t.Errorf("message %q does not start with \"refused \"", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not contain %q", msg, w)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	refused := []struct {
		ip   string
		kind string // part of the human reason
	}{
		{"10.0.0.1", "private"},
		{"172.16.0.1", "private"},
		{"192.168.1.1", "private"},
		{"100.64.0.1", "CGNAT"},
		{"169.254.169.254", "metadata"},
		{"169.254.1.1", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "0.0.0.0/8"},
		{"224.0.0.1", "multicast"},
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"192.0.2.1", "192.0.2.0/24"},       // documentation
		{"198.51.100.7", "198.51.100.0/24"}, // documentation
		{"198.18.0.1", "198.18.0.0/15"},     // benchmarking
		{"240.0.0.1", "240.0.0.0/4"},
		{"255.255.255.255", "240.0.0.0/4"},
		{"::1", "loopback"},
		{"::", "unspecified"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fc00::1", "private"},
		{"fd00:ec2::254", "private"},
		{"ff02::1", "multicast"},
		{"::ffff:10.0.0.1", "IPv4-mapped form of a private"},
		{"::ffff:127.0.0.1", "IPv4-mapped form of a loopback"},
		{"::ffff:93.184.215.14", "IPv4-mapped"}, // mapped is never global unicast
		{"64:ff9b::a00:1", "2000::/3"},          // NAT64 of 10.0.0.1
		{"2001:db8::1", "2001:db8::/32"},        // documentation
		{"2002:a00:1::1", "2002::/16"},          // 6to4 of 10.0.0.1
		{"2001::1", "2001::/23"},                // Teredo
	}
	for _, tc := range refused {
		t.Run(tc.ip, func(t *testing.T) {
			ip := netip.MustParseAddr(tc.ip)
			err := CheckAddr(ip)
			if err == nil {
				t.Fatalf("CheckAddr(%s) = nil, want a refusal", ip)
			}
			if !errors.Is(err, ErrRefused) {
				t.Errorf("%q does not wrap ErrRefused", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, ip.String()+" is ") || !strings.Contains(msg, tc.kind) || strings.Contains(msg, "\n") {
				t.Errorf("CheckAddr(%s) = %q, want one line %q… naming %q", ip, msg, ip.String()+" is ", tc.kind)
			}
		})
	}

	t.Run("zero Addr", func(t *testing.T) {
		// The library alone would let the zero Addr through.
		if err := CheckAddr(netip.Addr{}); !errors.Is(err, ErrRefused) {
			t.Errorf("CheckAddr(zero) = %v, want a refusal", err)
		}
	})

	t.Run("library verdict is kept", func(t *testing.T) {
		if err := CheckAddr(netip.MustParseAddr("192.0.2.1")); !errors.Is(err, ssrf.ErrProhibitedIP) {
			t.Errorf("%v does not wrap ssrf.ErrProhibitedIP", err)
		}
	})

	// Public addresses: judged only, never dialled.
	for _, s := range []string{"93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2001:4860:4860::8888"} {
		if err := CheckAddr(netip.MustParseAddr(s)); err != nil {
			t.Errorf("CheckAddr(%s) = %v, want nil", s, err)
		}
	}
}

// TestDialRefusesLoopback fetches from real loopback servers with the
// address rule on; the refusal must come before the request is sent.
func TestDialRefusesLoopback(t *testing.T) {
	ok := page("text/html", "<p>secret</p>")

	t.Run("127.0.0.1", func(t *testing.T) {
		s := newServer(t, ok)
		_, err := testFetcher(t, Options{}, netip.AddrPort{}).Get(t.Context(), s.URL+"/")
		assertRefused(t, err, s.URL+"/", "127.0.0.1 is a loopback address", "FETCH_ALLOW_PRIVATE=true")
		if n := s.hits.Load(); n != 0 {
			t.Errorf("handler reached %d times, want 0", n)
		}
	})

	t.Run("[::1]", func(t *testing.T) {
		ln, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		s := &server{}
		s.Server = httptest.NewUnstartedServer(s.count(ok))
		s.Listener.Close()
		s.Listener = ln
		s.Start()
		t.Cleanup(s.Close)
		_, err = testFetcher(t, Options{}, netip.AddrPort{}).Get(t.Context(), s.URL+"/")
		assertRefused(t, err, "[::1]:", "::1 is a loopback address")
		if n := s.hits.Load(); n != 0 {
			t.Errorf("handler reached %d times, want 0", n)
		}
	})

	t.Run("localhost", func(t *testing.T) {
		requireLocalhost(t)
		s := newServer(t, ok)
		u := "http://localhost:" + s.port() + "/doc"
		_, err := testFetcher(t, Options{}, netip.AddrPort{}).Get(t.Context(), u)
		assertRefused(t, err, u, "is a loopback address")
		if n := s.hits.Load(); n != 0 {
			t.Errorf("handler reached %d times, want 0", n)
		}
	})
}

// requireLocalhost skips unless "localhost" resolves, from /etc/hosts
// alone, to loopback addresses only.
func requireLocalhost(t *testing.T) {
	t.Helper()
	ips, err := noDNS().LookupNetIP(t.Context(), "ip", "localhost")
	if err != nil || len(ips) == 0 {
		t.Skipf("localhost does not resolve without DNS: %v", err)
	}
	for _, ip := range ips {
		if !ip.Unmap().IsLoopback() {
			t.Skipf("localhost resolves to %s", ip)
		}
	}
}

// TestRedirectToLoopbackRefused lets one server through the address rule
// (the test hook) and has it redirect to another loopback server, which
// must not be reached.
func TestRedirectToLoopbackRefused(t *testing.T) {
	target := newServer(t, page("text/html", "<p>internal</p>"))

	cases := []struct {
		name     string
		location string
	}{
		{"by address", target.URL + "/admin"},
		{"by name", "http://localhost:" + target.port() + "/admin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.location, "localhost") {
				requireLocalhost(t)
			}
			allowed := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/page" {
					page("text/plain", "public")(w, r)
					return
				}
				http.Redirect(w, r, tc.location, http.StatusFound)
			})
			f := testFetcher(t, Options{}, allowed.addrPort(t))

			// The hook really opens the first server…
			p, err := f.Get(t.Context(), allowed.URL+"/page")
			if err != nil || string(p.Body) != "public" {
				t.Fatalf("exempt server: got %q, %v; want the page", p.Body, err)
			}
			// …so the refusal below is about the redirect target.
			before := target.hits.Load()
			_, err = f.Get(t.Context(), allowed.URL+"/go")
			assertRefused(t, err, tc.location, "redirected from "+allowed.URL+"/go", "is a loopback address")
			if n := target.hits.Load() - before; n != 0 {
				t.Errorf("redirect target reached %d times, want 0", n)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	const threeMiB = 3 << 20
	hang := release(t)

	t.Run("Content-Length over the limit is refused unread", func(t *testing.T) {
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", strconv.Itoa(threeMiB))
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			// Never send the body: reading it would end in a timeout,
			// not in the size refusal asserted below.
			select {
			case <-r.Context().Done():
			case <-hang:
			}
		})
		f := testFetcher(t, Options{AllowPrivate: true, Timeout: 2 * time.Second}, netip.AddrPort{})
		_, err := f.Get(t.Context(), s.URL+"/big")
		assertRefused(t, err, s.URL+"/big", "the body is over 2 MiB (Content-Length 3145728)")
	})

	t.Run("streamed body over the limit", func(t *testing.T) {
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for range threeMiB / len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return // the client hung up, as it should
				}
				w.(http.Flusher).Flush()
			}
		})
		f := testFetcher(t, Options{AllowPrivate: true}, netip.AddrPort{})
		_, err := f.Get(t.Context(), s.URL+"/stream")
		assertRefused(t, err, s.URL+"/stream", "the body is over 2 MiB")
		if strings.Contains(err.Error(), "Content-Length") {
			t.Errorf("%q: a chunked body has no Content-Length to blame", err)
		}
	})

	t.Run("WithLimit boundary", func(t *testing.T) {
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			n, _ := strconv.Atoi(r.URL.Query().Get("n"))
			w.Header().Set("Content-Type", "text/plain")
			w.Write(bytes.Repeat([]byte("y"), n))
		})
		f := testFetcher(t, Options{AllowPrivate: true}, netip.AddrPort{}).WithLimit(1 << 10)
		p, err := f.Get(t.Context(), s.URL+"/?n=1024")
		if err != nil || len(p.Body) != 1024 {
			t.Fatalf("exactly the limit: got %d bytes, %v; want 1024 bytes", len(p.Body), err)
		}
		_, err = f.Get(t.Context(), s.URL+"/?n=1025")
		assertRefused(t, err, "the body is over 1 KiB")
	})
}

func TestTimeout(t *testing.T) {
	hang := release(t)
	wait := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<p>start")
			w.(http.Flusher).Flush()
		}
		wait(r)
	})
	f := testFetcher(t, Options{AllowPrivate: true, Timeout: 300 * time.Millisecond}, netip.AddrPort{})

	for _, path := range []string{"/slow-body", "/slow-headers"} {
		t.Run(path, func(t *testing.T) {
			_, err := f.Get(t.Context(), s.URL+path)
			assertRefused(t, err, s.URL+path, "no answer within 300ms")
		})
	}

	t.Run("caller cancelling is not a refusal", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := f.Get(ctx, s.URL+"/slow-headers")
		if err == nil || errors.Is(err, ErrRefused) || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled without ErrRefused", err)
		}
	})
}

func TestContentType(t *testing.T) {
	var gotUA, gotAccept atomic.Value
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.UserAgent())
		gotAccept.Store(r.Header.Get("Accept"))
		ct := r.URL.Query().Get("ct")
		if ct == "none" {
			w.Header()["Content-Type"] = nil // stop net/http from sniffing one
		} else {
			w.Header().Set("Content-Type", ct)
		}
		fmt.Fprint(w, "body of "+ct)
	})
	f := testFetcher(t, Options{AllowPrivate: true}, netip.AddrPort{})
	get := func(ct string) (Page, error) {
		return f.Get(t.Context(), s.URL+"/?ct="+strings.NewReplacer(" ", "%20", ";", "%3B", "=", "%3D", "/", "%2F").Replace(ct))
	}

	accepted := []struct{ header, want string }{
		{"text/html", "text/html"},
		{"text/html; charset=utf-8", "text/html"},
		{"Text/HTML; Charset=UTF-8", "text/html"},
		{"text/markdown", "text/markdown"},
		{"text/x-markdown; charset=utf-8", "text/markdown"},
		{"text/plain; charset=utf-8", "text/plain"},
		{"text/plain; charset", "text/plain"}, // broken parameter, fine type
	}
	for _, tc := range accepted {
		t.Run(tc.header, func(t *testing.T) {
			p, err := get(tc.header)
			if err != nil {
				t.Fatal(err)
			}
			if p.ContentType != tc.want || string(p.Body) != "body of "+tc.header {
				t.Errorf("got %q %q, want %q %q", p.ContentType, p.Body, tc.want, "body of "+tc.header)
			}
		})
	}
	if ua, accept := gotUA.Load(), gotAccept.Load(); ua != userAgent || accept != "text/html, text/markdown, text/plain" {
		t.Errorf("request had User-Agent %q, Accept %q", ua, accept)
	}

	refused := []struct{ header, want string }{
		{"application/octet-stream", "content type application/octet-stream (want text/html, text/markdown or text/plain)"},
		{"image/png", "content type image/png ("},
		{"application/pdf", "content type application/pdf ("},
		{"text/csv", "content type text/csv ("},
		{"none", "no content type ("},
		{"text/", "is malformed"},
	}
	for _, tc := range refused {
		t.Run(tc.header, func(t *testing.T) {
			_, err := get(tc.header)
			assertRefused(t, err, s.URL, tc.want)
		})
	}

	// An uploaded file's name says what it holds: ForFiles takes any type.
	files := f.ForFiles()
	for _, tc := range []struct{ header, want string }{
		{"application/octet-stream", "application/octet-stream"},
		{"none", ""},
		{"text/markdown; charset=utf-8", "text/markdown"},
	} {
		p, err := files.Get(t.Context(), s.URL+"/?ct="+strings.NewReplacer(" ", "%20", ";", "%3B", "=", "%3D", "/", "%2F").Replace(tc.header))
		if err != nil || p.ContentType != tc.want {
			t.Errorf("ForFiles, %s: %q, %v; want %q", tc.header, p.ContentType, err, tc.want)
		}
	}
	if _, err := get("image/png"); !errors.Is(err, ErrRefused) {
		t.Errorf("ForFiles changed the Fetcher it copies: %v", err)
	}
}

func TestRedirects(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/hop/")
		if !ok {
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		n, _ := strconv.Atoi(rest)
		if n == 0 {
			page("text/html", "<p>landed</p>")(w, r)
			return
		}
		http.Redirect(w, r, "/hop/"+strconv.Itoa(n-1), http.StatusMovedPermanently)
	})
	f := testFetcher(t, Options{AllowPrivate: true}, netip.AddrPort{})

	t.Run("exactly 5", func(t *testing.T) {
		p, err := f.Get(t.Context(), s.URL+"/hop/5")
		if err != nil {
			t.Fatal(err)
		}
		if p.URL != s.URL+"/hop/0" || string(p.Body) != "<p>landed</p>" {
			t.Errorf("got %s %q, want the final URL %s", p.URL, p.Body, s.URL+"/hop/0")
		}
	})

	t.Run("6 is too many", func(t *testing.T) {
		_, err := f.Get(t.Context(), s.URL+"/hop/6")
		assertRefused(t, err, "refused "+s.URL+"/hop/6: more than 5 redirects")
	})

	t.Run("MaxRedirects option", func(t *testing.T) {
		two := testFetcher(t, Options{AllowPrivate: true, MaxRedirects: 2}, netip.AddrPort{})
		if _, err := two.Get(t.Context(), s.URL+"/hop/2"); err != nil {
			t.Errorf("2 redirects with MaxRedirects 2: %v", err)
		}
		_, err := two.Get(t.Context(), s.URL+"/hop/3")
		assertRefused(t, err, "more than 2 redirects")

		none := testFetcher(t, Options{AllowPrivate: true, MaxRedirects: -1}, netip.AddrPort{})
		_, err = none.Get(t.Context(), s.URL+"/hop/1")
		assertRefused(t, err, "refused "+s.URL+"/hop/1: redirected to "+s.URL+"/hop/0, and redirects are off")
	})

	for _, to := range []struct{ location, want string }{
		{"file:///etc/passwd", "refused file:///etc/passwd (redirected from " + s.URL + "/jump?to="},
		{"gopher://127.0.0.1:70/", "scheme gopher (want http or https)"},
		{"ftp://127.0.0.1/x", "scheme ftp (want http or https)"},
		{"http:///nohost", "no host"},
	} {
		t.Run("to "+to.location, func(t *testing.T) {
			_, err := f.Get(t.Context(), s.URL+"/jump?to="+to.location)
			assertRefused(t, err, to.want)
		})
	}
}

func TestRefusedBeforeDialling(t *testing.T) {
	// Any dial would hit this server; none may.
	s := newServer(t, page("text/html", "<p>x</p>"))
	hostPort := s.Listener.Addr().String()
	f := testFetcher(t, Options{AllowPrivate: true}, netip.AddrPort{})

	cases := []struct{ url, want string }{
		{"file:///etc/passwd", "refused file:///etc/passwd: scheme file (want http or https)"},
		{"gopher://" + hostPort + "/", "refused gopher://" + hostPort + "/: scheme gopher (want http or https)"},
		{"ftp://" + hostPort + "/", "scheme ftp (want http or https)"},
		{"javascript:alert(1)", "scheme javascript"},
		{"/relative/path", "refused /relative/path: no scheme (want http or https)"},
		{hostPort + "/x", "refused an unparsable URL: "},
		{"", "refused an empty URL"},
		{"http://", "refused http://: no host"},
		{"http:///etc/passwd", "no host"},
		{"https://:443/", "no host"},
		{"http://[::1", "refused an unparsable URL"},
		{"gopher://admin:s3cret@" + hostPort + "/", "gopher://admin:xxxxx@"},
		{"http://admin:s3cret@" + hostPort + ":bad/", "refused an unparsable URL"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			_, err := f.Get(t.Context(), tc.url)
			assertRefused(t, err, tc.want)
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("message leaks the password: %q", err)
			}
		})
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("server reached %d times, want 0", n)
	}
}

func TestCredentialsStayOutOfMessagesAndPages(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/png" {
			page("image/png", "\x89PNG")(w, r)
			return
		}
		page("text/plain", "hello")(w, r)
	})
	f := testFetcher(t, Options{AllowPrivate: true}, netip.AddrPort{})
	withCreds := strings.Replace(s.URL, "http://", "http://admin:s3cret@", 1)

	_, err := f.Get(t.Context(), withCreds+"/png")
	assertRefused(t, err, "admin:xxxxx@", "image/png")
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("message leaks the password: %q", err)
	}

	p, err := f.Get(t.Context(), withCreds+"/ok")
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != s.URL+"/ok" {
		t.Errorf("Page.URL = %q, want %q without user info", p.URL, s.URL+"/ok")
	}
}

// TestFailuresThatAreNotRefusals keeps network and HTTP errors apart from
// ErrRefused, and one line too.
func TestFailuresThatAreNotRefusals(t *testing.T) {
	f := testFetcher(t, Options{AllowPrivate: true}, netip.AddrPort{})

	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/"
	ln.Close()

	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusNotFound)
	})

	for _, tc := range []struct{ url, want string }{
		{closed, "fetch " + closed + ": "},
		{s.URL + "/missing", "fetch " + s.URL + "/missing: HTTP 404 Not Found"},
		{"http://no-such-host.invalid/", "fetch http://no-such-host.invalid/: "}, // noDNS: fails locally
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := f.Get(t.Context(), tc.url)
			if err == nil {
				t.Fatal("got no error")
			}
			t.Log(err)
			if errors.Is(err, ErrRefused) {
				t.Errorf("%q wraps ErrRefused; it is not a refusal", err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, tc.want) {
				t.Errorf("got %q, want one line starting %q", msg, tc.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	f := New(Options{})
	if f.maxBytes != DefaultMaxBytes || f.timeout != DefaultTimeout || f.maxRedirects != DefaultMaxRedirects || f.allowPrivate {
		t.Errorf("New(Options{}) = %d bytes, %s, %d redirects, allowPrivate %v", f.maxBytes, f.timeout, f.maxRedirects, f.allowPrivate)
	}
	if f.transport.Proxy != nil {
		t.Error("transport uses a proxy; the dial check would judge the proxy's address")
	}
	if g := f.WithLimit(1 << 20); g.maxBytes != 1<<20 || f.maxBytes != DefaultMaxBytes || g.transport != f.transport {
		t.Errorf("WithLimit: copy has %d, original %d, shared transport %v", g.maxBytes, f.maxBytes, g.transport == f.transport)
	}
}
