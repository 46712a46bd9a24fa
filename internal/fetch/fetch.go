// Package fetch downloads web pages from untrusted URLs for article import.
//
// The URLs come from Discord moderators, so the fetcher treats them as
// hostile: it must never be usable to reach the bot's own network (SSRF).
// The rule is applied to the address actually dialled, inside
// [net.Dialer.Control], which runs after DNS resolution and before the TCP
// connect. Checking there, rather than checking the URL's host up front,
// means neither a DNS answer (including one that changes between a check and
// the dial) nor a redirect can route around it. For the same reason the
// transport ignores HTTP_PROXY and friends: through a proxy the dialled
// address would be the proxy's, and the check would judge the wrong host.
//
// An address is refused when it is loopback, private, link-local, multicast,
// unspecified or otherwise not globally routable, IPv4 and IPv6 alike. The
// tables come from code.dny.dev/ssrf, which tracks the IANA special-purpose
// registries; the netip predicates are applied on top as a second opinion, so
// a gap in either one does not open a hole. IPv6 is allowed only inside the
// global unicast range 2000::/3, which also refuses every IPv4-mapped
// address (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96).
//
// Port policy: any port is allowed. The threat is the destination host, not
// the port; public wikis and Discord's CDN are not guaranteed to sit on 80
// and 443, and once the address is public the port reaches nothing the
// internet at large could not reach already.
//
// Options.AllowPrivate (the operator's FETCH_ALLOW_PRIVATE=true, for private
// wikis) switches the address rule off; scheme, size, time, redirect and
// content-type limits still apply.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// Defaults used when the corresponding Options field is zero.
const (
	// DefaultMaxBytes is the largest body accepted: 2 MiB.
	DefaultMaxBytes = 2 << 20
	// DefaultTimeout bounds a whole fetch: connect, redirects and body.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxRedirects is how many redirects a fetch follows.
	DefaultMaxRedirects = 5
)

// userAgent names the bot so site operators can tell who is fetching and why.
const userAgent = "gutskin (article import)"

// accept lists exactly the types the importer can turn into an article.
const accept = "text/html, text/markdown, text/plain"

// privateHint tells the operator how to fetch from a private wiki on purpose.
const privateHint = "FETCH_ALLOW_PRIVATE=true allows private addresses"

// ErrRefused is wrapped by every error that means "the fetcher would not do
// this" (bad scheme, forbidden address, too big, too slow, too many
// redirects, wrong content type), as opposed to network failures such as a
// refused connection or a failed DNS lookup, which do not wrap it.
var ErrRefused = errors.New("refused")

// Options configure a Fetcher; the zero value is the safe default.
type Options struct {
	// AllowPrivate allows private, loopback, link-local… addresses
	// (FETCH_ALLOW_PRIVATE). Every other limit still applies.
	AllowPrivate bool
	// MaxBytes is the largest body accepted; zero or less means DefaultMaxBytes.
	MaxBytes int64
	// Timeout bounds the whole fetch, including connect, redirects and
	// reading the body; zero or less means DefaultTimeout.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed; zero means
	// DefaultMaxRedirects and a negative value follows none.
	MaxRedirects int
}

// Page is what a fetch returns.
type Page struct {
	// URL is the final URL, after redirects, without any user:password part
	// so credentials never end up stored with an article.
	URL string
	// ContentType is the media type alone, lower case: "text/html",
	// "text/markdown" or "text/plain".
	ContentType string
	// Body is the raw body, at most the Fetcher's byte limit long.
	Body []byte
}

// Fetcher fetches pages from untrusted URLs. It is safe for concurrent use.
type Fetcher struct {
	maxBytes     int64
	timeout      time.Duration
	maxRedirects int
	allowPrivate bool
	// anyType takes any content type (see ForFiles).
	anyType bool
	// transport is shared by copies made with WithLimit so they share
	// connection pools; the address rule lives in its dialer.
	transport *http.Transport
}

// testHooks let tests make one loopback server dialable and keep DNS from
// leaving the machine. Production code always passes the zero value.
type testHooks struct {
	// exempt is let through the address rule, so a test server can
	// redirect to a target that must still be refused.
	exempt netip.AddrPort
	// resolver replaces the default resolver when non-nil.
	resolver *net.Resolver
}

// New returns a Fetcher configured by opts, with defaults for zero fields.
func New(opts Options) *Fetcher {
	return newFetcher(opts, testHooks{})
}

func newFetcher(opts Options, hooks testHooks) *Fetcher {
	f := &Fetcher{
		maxBytes:     opts.MaxBytes,
		timeout:      opts.Timeout,
		maxRedirects: opts.MaxRedirects,
		allowPrivate: opts.AllowPrivate,
	}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	switch {
	case f.maxRedirects == 0:
		f.maxRedirects = DefaultMaxRedirects
	case f.maxRedirects < 0:
		f.maxRedirects = 0
	}

	dialer := &net.Dialer{Resolver: hooks.resolver}
	if !opts.AllowPrivate {
		g := &guard{ssrf: newGuardian(), exempt: hooks.exempt}
		dialer.Control = g.control
	}
	f.transport = &http.Transport{
		Proxy:                  nil, // see the package doc: a proxy would defeat the dial check
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           16,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return f
}

// WithLimit returns a Fetcher like f whose body limit is n bytes (the bot
// uses 1 MiB for Discord attachments); n <= 0 means DefaultMaxBytes.
func (f *Fetcher) WithLimit(n int64) *Fetcher {
	g := *f
	g.maxBytes = n
	if g.maxBytes <= 0 {
		g.maxBytes = DefaultMaxBytes
	}
	return &g
}

// ForFiles returns a Fetcher like f that takes any content type, for
// uploaded files: their name says what they hold (Discord's CDN may serve
// a .md as application/octet-stream), and the article readers check their
// content. Page.ContentType is then the media type as served, or "".
func (f *Fetcher) ForFiles() *Fetcher {
	g := *f
	g.anyType = true
	return &g
}

// Get fetches rawURL and returns the page, or an error. Errors that wrap
// ErrRefused mean the URL or the response broke a rule; other errors are
// network failures, an HTTP error status or ctx ending. All are one line.
func (f *Fetcher) Get(ctx context.Context, rawURL string) (Page, error) {
	u, err := checkURL(rawURL)
	if err != nil {
		return Page{}, err
	}

	// A distinct cause per call tells our own deadline apart from the
	// caller's ctx ending, which is not a refusal.
	deadline := fmt.Errorf("no answer within %s", f.timeout)
	ctx, cancel := context.WithTimeoutCause(ctx, f.timeout, deadline)
	defer cancel()

	tr := &trail{first: u, last: u}
	client := &http.Client{
		Transport: f.transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			return f.checkRedirect(tr, req, via)
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Page{}, tr.fail(err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", accept)

	resp, err := client.Do(req)
	if err != nil {
		return Page{}, f.classify(ctx, deadline, tr, err)
	}
	defer resp.Body.Close()
	tr.last = resp.Request.URL

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The server answered, so this is not a refusal; importing its
		// error page as an article would be wrong all the same.
		return Page{}, tr.fail(fmt.Errorf("HTTP %s", resp.Status))
	}
	mediaType, err := checkContentType(resp.Header.Get("Content-Type"))
	if err != nil && f.anyType {
		mediaType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	} else if err != nil {
		return Page{}, tr.refuse(err.Error(), nil)
	}
	if resp.ContentLength > f.maxBytes {
		return Page{}, tr.refuse(fmt.Sprintf("the body is over %s (Content-Length %d)", size(f.maxBytes), resp.ContentLength), nil)
	}
	// One byte past the limit is enough to know the body is too big,
	// whether or not the server declared a length (or lied about it).
	limit := f.maxBytes
	if limit < math.MaxInt64 {
		limit++
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return Page{}, f.classify(ctx, deadline, tr, err)
	}
	if int64(len(body)) > f.maxBytes {
		return Page{}, tr.refuse("the body is over "+size(f.maxBytes), nil)
	}

	final := *resp.Request.URL
	final.User = nil
	return Page{URL: final.String(), ContentType: mediaType, Body: body}, nil
}

// checkRedirect re-applies the URL rules to every hop; the dial check then
// covers the address the hop resolves to.
func (f *Fetcher) checkRedirect(tr *trail, req *http.Request, via []*http.Request) error {
	if len(via) > f.maxRedirects {
		// Name the URL the user gave: that is the one they can act on.
		what := display(tr.first)
		if f.maxRedirects == 0 {
			return &refusal{what: what, reason: "redirected to " + display(req.URL) + ", and redirects are off"}
		}
		return &refusal{what: what, reason: fmt.Sprintf("more than %d redirects", f.maxRedirects)}
	}
	tr.last = req.URL
	if reason := urlProblem(req.URL); reason != "" {
		return tr.refuse(reason, nil)
	}
	return nil
}

// classify turns an error from the client or the body into the error Get
// returns: a refusal when one of our rules fired, else a network error.
func (f *Fetcher) classify(ctx context.Context, deadline error, tr *trail, err error) error {
	var r *refusal
	if errors.As(err, &r) {
		return r // already names its URL; the url.Error around it would repeat it
	}
	var ae *addrError
	if errors.As(err, &ae) {
		return tr.refuse(ae.Error()+" ("+privateHint+")", ae)
	}
	if context.Cause(ctx) == deadline {
		return tr.refuse(deadline.Error(), err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error repeats the URL with only the password masked; our
		// prefix carries the redacted one.
		err = ue.Err
	}
	return tr.fail(err)
}

// trail remembers where a fetch started and which URL it was on last, so a
// message can say where something went wrong. It belongs to one Get call.
type trail struct {
	first, last *url.URL
}

// where names the URL at fault, and the one the user gave if they differ.
func (t *trail) where() string {
	s := display(t.last)
	if t.last != t.first {
		if first := display(t.first); first != s {
			s += " (redirected from " + first + ")"
		}
	}
	return s
}

func (t *trail) refuse(reason string, cause error) error {
	return &refusal{what: t.where(), reason: reason, cause: cause}
}

func (t *trail) fail(err error) error {
	return &fetchError{what: t.where(), err: err}
}

// refusal is the error for every broken rule; it wraps ErrRefused.
type refusal struct {
	what   string // the redacted URL, or a description when there is none
	reason string
	cause  error // kept for errors.Is/As, e.g. context.DeadlineExceeded
}

func (r *refusal) Error() string {
	return oneLine("refused " + r.what + ": " + r.reason)
}

func (r *refusal) Unwrap() []error {
	if r.cause == nil {
		return []error{ErrRefused}
	}
	return []error{ErrRefused, r.cause}
}

// fetchError is a failure that is not a refusal: network, TLS, HTTP status.
type fetchError struct {
	what string
	err  error
}

func (e *fetchError) Error() string {
	return oneLine("fetch " + e.what + ": " + e.err.Error())
}

func (e *fetchError) Unwrap() error { return e.err }

// oneLine keeps an error message to a single line whatever a lower layer
// put in it, because messages go straight into one Discord reply line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// checkURL parses rawURL and applies the rules that need no network.
func checkURL(rawURL string) (*url.URL, error) {
	if strings.TrimSpace(rawURL) == "" {
		return nil, &refusal{what: "an empty URL", reason: "want an http or https URL"}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// Only the inner error: the raw string may hold credentials that
		// cannot be redacted because it did not parse.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &refusal{what: "an unparsable URL", reason: err.Error(), cause: err}
	}
	if reason := urlProblem(u); reason != "" {
		return nil, &refusal{what: display(u), reason: reason}
	}
	return u, nil
}

// display is u for a message: credentials masked, and "http://" kept as
// such rather than printed as the puzzling "http:".
func display(u *url.URL) string {
	s := u.Redacted()
	if u.Scheme != "" && s == u.Scheme+":" {
		s += "//"
	}
	return s
}

// urlProblem says what is wrong with u's scheme or host, or "" if nothing.
func urlProblem(u *url.URL) string {
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "http", "https":
	case "":
		return "no scheme (want http or https)"
	default:
		return "scheme " + scheme + " (want http or https)"
	}
	if u.Hostname() == "" {
		return "no host"
	}
	return ""
}

// checkContentType returns the normalised media type, or why it is refused.
func checkContentType(header string) (string, error) {
	const want = "(want text/html, text/markdown or text/plain)"
	if strings.TrimSpace(header) == "" {
		return "", errors.New("no content type " + want)
	}
	mediaType, _, err := mime.ParseMediaType(header)
	// A bad parameter (say a broken charset) does not make the type
	// itself unknown, and browsers accept it too.
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return "", fmt.Errorf("content type %q is malformed %s", header, want)
	}
	switch mediaType {
	case "text/html", "text/markdown", "text/plain":
		return mediaType, nil
	case "text/x-markdown":
		return "text/markdown", nil
	}
	return "", fmt.Errorf("content type %s %s", mediaType, want)
}

// size formats a byte limit the way people state one.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// guard is the dial-time address rule of one Fetcher.
type guard struct {
	ssrf   *ssrf.Guardian
	exempt netip.AddrPort // test hook, zero in production
}

// control is the net.Dialer.Control hook. It runs after DNS resolution and
// before connect, so address is the one that would really be reached.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &addrError{reason: fmt.Sprintf("%q is not an IP address and port", address), lib: err}
	}
	if g.exempt.IsValid() && ap == g.exempt {
		return nil
	}
	if network != "tcp4" && network != "tcp6" {
		return &addrError{reason: "network " + network + " is not TCP"}
	}
	// SafeAddrPort, not SafeAddr, so the guardian's (any-)port policy is
	// applied here rather than silently skipped.
	return checkAddr(ap.Addr(), g.ssrf.SafeAddrPort(ap))
}

// newGuardian builds the library's checker. It is built per Fetcher (and per
// CheckAddr call) instead of once per process to keep no package state.
func newGuardian() *ssrf.Guardian {
	return ssrf.New(ssrf.WithAnyPort())
}

// CheckAddr reports why ip may not be dialled, or nil when it is globally
// routable. It is the rule the dialler applies (tests call it without
// dialling). Its errors wrap ErrRefused and read like
// "127.0.0.1 is a loopback address".
func CheckAddr(ip netip.Addr) error {
	return checkAddr(ip, newGuardian().SafeAddr(ip))
}

// checkAddr combines the library's verdict lib with the netip predicates:
// either one saying no is enough.
func checkAddr(ip netip.Addr, lib error) error {
	if !ip.IsValid() {
		// The library lets the zero Addr through (no prefix contains it).
		return &addrError{reason: "not a valid IP address"}
	}
	u := ip.Unmap()
	if lib == nil && !u.IsLoopback() && !u.IsPrivate() && !u.IsUnspecified() &&
		!u.IsLinkLocalUnicast() && !u.IsLinkLocalMulticast() &&
		!u.IsInterfaceLocalMulticast() && !u.IsMulticast() {
		return nil
	}
	return &addrError{reason: ip.String() + " is " + describe(ip), lib: lib}
}

// describe names the kind of a refused address for a human, most specific
// kind first; the decision itself is made by checkAddr.
func describe(ip netip.Addr) string {
	u := ip.Unmap()
	mapped := ""
	if ip.Is4In6() {
		mapped = "an IPv4-mapped form of "
	}
	cgnat := netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, 0, 0}), 10)
	metadata4 := netip.AddrFrom4([4]byte{169, 254, 169, 254})
	switch {
	case u.IsUnspecified():
		return mapped + "an unspecified address"
	case u.IsLoopback():
		return mapped + "a loopback address"
	case u == metadata4:
		return mapped + "a link-local address (the cloud metadata service)"
	case u.IsLinkLocalUnicast():
		return mapped + "a link-local address"
	case u.IsMulticast():
		return mapped + "a multicast address"
	case u.IsPrivate():
		return mapped + "a private address"
	case cgnat.Contains(u):
		return mapped + "a shared (CGNAT) address"
	case ip.Is4In6():
		return "an IPv4-mapped IPv6 address"
	case ip.Zone() != "":
		return "an interface-scoped (zoned) address"
	}
	denied := ssrf.IPv6DeniedPrefixes
	if u.Is4() {
		denied = ssrf.IPv4DeniedPrefixes
	}
	for _, p := range denied {
		if p.Contains(u) {
			return "in the special-purpose range " + p.String()
		}
	}
	if u.Is6() && !ssrf.IPv6GlobalUnicast.Contains(u) {
		return "outside the IPv6 global unicast range " + ssrf.IPv6GlobalUnicast.String()
	}
	return "not a globally routable address"
}

// addrError is why an address may not be dialled. Its message is the human
// reason alone; Get adds the URL and the FETCH_ALLOW_PRIVATE hint.
type addrError struct {
	reason string
	lib    error // the ssrf library's own error, if it had one
}

func (e *addrError) Error() string { return e.reason }

func (e *addrError) Unwrap() []error {
	if e.lib == nil {
		return []error{ErrRefused}
	}
	return []error{ErrRefused, e.lib}
}
