package webpage

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
)

// pageMeta is what the page says about its article, read before anything is
// removed from it.
type pageMeta struct {
	// titleTag is <title>; ogTitle is og:title; siteName is og:site_name.
	titleTag, ogTitle, siteName string
	// host is the page's host name without "www.", to tell a site's name
	// in a title ("Clear Skin Notes" on clearskinnotes.com).
	host string
	// scope is the element that holds the article (see pickScope).
	// lens holds the length of every node's text, as read.
	scope *html.Node
	lens  map[*html.Node]int
	// h1 is the article's own h1 and h1Text its text; nil when the page
	// has none that is not the site's name.
	h1     *html.Node
	h1Text string
	// canonical is the href of <link rel="canonical">.
	canonical string
	// byline is the text of the first byline element in the article.
	byline string
	// dates are date strings from the page, best first.
	dates []string
}

// readMeta reads the page's metadata from doc.
func readMeta(doc *html.Node, base *url.URL) pageMeta {
	m := pageMeta{host: strings.TrimPrefix(strings.ToLower(base.Hostname()), "www.")}
	var h1s, articles []*html.Node
	var mainEl, body *html.Node
	var dateMeta, otherMeta, timeItemprop []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "title":
			if m.titleTag == "" && !inSVG(n) {
				m.titleTag = clean(textOf(n))
			}
		case "meta":
			key := strings.ToLower(strings.TrimSpace(attr(n, "property") + " " + attr(n, "name") + " " + attr(n, "itemprop")))
			content := clean(attr(n, "content"))
			if content == "" {
				continue
			}
			switch {
			case hasField(key, "og:title"):
				if m.ogTitle == "" {
					m.ogTitle = content
				}
			case hasField(key, "og:site_name", "application-name"):
				if m.siteName == "" {
					m.siteName = content
				}
			case hasField(key, "datepublished", "article:published_time", "published_time", "pubdate", "publishdate", "publish-date", "publication_date", "citation_publication_date", "citation_date", "dc.date.issued", "dcterms.issued", "sailthru.date"):
				dateMeta = append(dateMeta, content)
			case hasField(key, "date", "dc.date", "dcterms.date", "dcterms.created"):
				otherMeta = append(otherMeta, content)
			}
		case "link":
			if m.canonical == "" && hasField(strings.ToLower(attr(n, "rel")), "canonical") {
				m.canonical = strings.TrimSpace(attr(n, "href"))
			}
		case "h1":
			h1s = append(h1s, n)
		case "article":
			articles = append(articles, n)
		case "main":
			if mainEl == nil {
				mainEl = n
			}
		case "body":
			body = n
		case "time":
			if strings.Contains(strings.ToLower(attr(n, "itemprop")), "datepublished") {
				timeItemprop = append(timeItemprop, timeValue(n))
			}
		}
		if attr(n, "role") == "main" && mainEl == nil {
			mainEl = n
		}
	}

	m.lens = textLengths(doc)
	m.scope = pickScope(articles, h1s, mainEl, body, m.lens)
	if m.scope == nil {
		m.scope = doc
	}

	m.h1 = m.pickH1(h1s)
	if m.h1 != nil {
		m.h1Text = clean(textOf(m.h1))
	}

	// Dates: metadata first, then a <time> marked as the publication date,
	// then the first <time> in the article.
	m.dates = append(m.dates, dateMeta...)
	m.dates = append(m.dates, timeItemprop...)
	for n := range m.scope.Descendants() {
		if n.Type == html.ElementNode && n.Data == "time" {
			if v := timeValue(n); v != "" {
				m.dates = append(m.dates, v)
				break
			}
		}
	}
	m.dates = append(m.dates, otherMeta...)

	m.byline = findByline(m.scope)
	return m
}

// pickScope returns the element that holds the article: the first
// <article> with an h1, else the <article> with the most text if it holds a
// fair share of the page's (not a teaser among many), else <main>, else
// <body>. lens holds each node's text length.
func pickScope(articles, h1s []*html.Node, mainEl, body *html.Node, lens map[*html.Node]int) *html.Node {
	order := make(map[*html.Node]int, len(articles))
	for i, a := range articles {
		order[a] = i
	}
	first := -1
	for _, h := range h1s {
		for a := range h.Ancestors() {
			if i, ok := order[a]; ok {
				if first < 0 || i < first {
					first = i
				}
				break
			}
		}
	}
	if first >= 0 {
		return articles[first]
	}
	var best *html.Node
	for _, a := range articles {
		if best == nil || lens[a] > lens[best] {
			best = a
		}
	}
	if best != nil && body != nil && lens[best]*10 >= lens[body]*3 {
		return best
	}
	if mainEl != nil {
		return mainEl
	}
	return body
}

// pickH1 returns the article's own h1: the first inside the article, else
// the page's only h1, else the one its <title> or og:title repeats. An h1
// that only names the site is no article's title.
func (m *pageMeta) pickH1(h1s []*html.Node) *html.Node {
	ok := func(h *html.Node) bool {
		t := clean(textOf(h))
		return t != "" && utf8.RuneCountInString(t) <= maxTitle && !m.isSiteName(t)
	}
	for _, h := range h1s {
		if isInside(h, m.scope) && m.scope.Data != "body" && ok(h) {
			return h
		}
	}
	var usable []*html.Node
	for _, h := range h1s {
		if ok(h) {
			usable = append(usable, h)
		}
	}
	if len(usable) == 1 {
		return usable[0]
	}
	for _, h := range usable {
		t := strings.ToLower(clean(textOf(h)))
		if strings.Contains(strings.ToLower(m.ogTitle), t) || strings.Contains(strings.ToLower(m.titleTag), t) {
			return h
		}
	}
	return nil
}

// isSiteName reports whether s names the site: its og:site_name, or its host
// name written as words ("Clear Skin Notes" on clearskinnotes.com).
func (m *pageMeta) isSiteName(s string) bool {
	k := alnumKey(s)
	if k == "" {
		return false
	}
	if m.siteName != "" && k == alnumKey(m.siteName) {
		return true
	}
	label, _, _ := strings.Cut(m.host, ".")
	return len(k) >= 4 && alnumKey(label) == k
}

// titleSeparators divide a page title from the site's name.
var titleSeparators = []string{" | ", " – ", " — ", " - ", " · ", " • ", " :: ", " » ", " / ", " ~ "}

// stripSite removes the site's name from a page title: "Title | Site" and
// "Site – Title" become "Title". A part after " | " of at most three words is
// taken for a site name even when the page does not name its site.
func (m *pageMeta) stripSite(t string) string {
	t = clean(t)
	for _, sep := range titleSeparators {
		if i := strings.LastIndex(t, sep); i > 0 {
			head, tail := strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+len(sep):])
			if head != "" && (m.isSiteName(tail) || m.h1Text != "" && strings.EqualFold(head, m.h1Text) ||
				sep == " | " && len(strings.Fields(tail)) <= 3) {
				return head
			}
		}
		if i := strings.Index(t, sep); i > 0 {
			head, tail := strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+len(sep):])
			if tail != "" && (m.isSiteName(head) || m.h1Text != "" && strings.EqualFold(tail, m.h1Text)) {
				return tail
			}
		}
	}
	return t
}

// pickTitle chooses the article's title: og:title, else the article's h1,
// else readability's title (JSON-LD headline, other metadata or <title>),
// else <title>, each without the site's name.
func pickTitle(m pageMeta, readabilityTitle string) string {
	for _, t := range []string{m.ogTitle, m.h1Text, readabilityTitle, m.titleTag} {
		t = m.stripSite(t)
		if t != "" && !m.isSiteName(t) {
			return cutTitle(t)
		}
	}
	return ""
}

// cutTitle shortens a title over maxTitle characters at a word.
func cutTitle(t string) string {
	if utf8.RuneCountInString(t) <= maxTitle {
		return t
	}
	r := []rune(t)[:maxTitle]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > maxTitle/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:-–—|") + "…"
}

var (
	// bylinePrefixRe is what stands before an author's name.
	bylinePrefixRe = regexp.MustCompile(`(?i)^(?:(?:written|posted|published|words|reviewed|text)\s+by|by|authors?\s*:|from)\s+`)
	// bylineCutRe is where a byline's name ends: a separator, a date or
	// "5 min read".
	bylineCutRe = regexp.MustCompile(`(?i)\s*(?:[·|•—–]|\s-\s|\bon\s+(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)|\bupdated\b|\bpublished\b|\d+\s*min(?:ute)?s?\s+read|\n).*$`)
)

// pickAuthor returns the byline from readability (meta author, JSON-LD) or,
// failing that, from the page's byline element, as a name: no "By ", no date.
func pickAuthor(candidates ...string) string {
	for _, c := range candidates {
		if a := cleanByline(c); a != "" {
			return a
		}
	}
	return ""
}

// cleanByline reduces a byline to the author's name, or "" when it names
// nobody (a URL, a date, a sentence).
func cleanByline(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") || strings.HasPrefix(strings.ToLower(s), "www.") {
		return ""
	}
	s = bylineCutRe.ReplaceAllString(s, "")
	s = clean(bylinePrefixRe.ReplaceAllString(clean(s), ""))
	s = strings.Trim(s, " ,;:.-")
	if s == "" || utf8.RuneCountInString(s) > 100 || len(strings.Fields(s)) > 12 || !strings.ContainsFunc(s, unicode.IsLetter) {
		return ""
	}
	return s
}

// pickPublished returns the publication date as YYYY-MM-DD: readability's
// (JSON-LD datePublished, article:published_time and kin), else the first of
// the page's own dates that parses.
func pickPublished(art readability.Article, m pageMeta) string {
	var t time.Time
	err := protect("date parser", func() error {
		var err error
		t, err = art.PublishedTime()
		return err
	})
	if err == nil && plausible(t) {
		return t.Format(time.DateOnly)
	}
	for _, d := range m.dates {
		if s := parseDate(d); s != "" {
			return s
		}
	}
	return ""
}

var (
	isoDateRe = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])`)
	// ordinalRe is a day written "14th".
	ordinalRe = regexp.MustCompile(`(\d)(?:st|nd|rd|th)\b`)
)

// dateLayouts are the date forms parseDate reads after ISO 8601.
var dateLayouts = []string{
	"2 January 2006", "January 2, 2006", "January 2 2006", "2 Jan 2006", "Jan 2, 2006", "Jan 2 2006",
	"Monday, 2 January 2006", "Monday, January 2, 2006", "Mon, 2 Jan 2006",
	time.RFC1123, time.RFC1123Z, time.RFC822, time.RFC822Z, time.RFC850, "2006/01/02", "2006.01.02", "20060102",
}

// parseDate reads a date written as ISO 8601 (any time after it ignored) or
// in a common English form, as YYYY-MM-DD; "" when it is none of those.
// Slashed day-month orders ("03/04/2025") are ambiguous and not read.
func parseDate(s string) string {
	s = clean(s)
	if m := isoDateRe.FindStringSubmatch(s); m != nil {
		d := m[1] + "-" + pad2(m[2]) + "-" + pad2(m[3])
		if t, err := time.Parse(time.DateOnly, d); err == nil && plausible(t) {
			return d
		}
		return ""
	}
	s = ordinalRe.ReplaceAllString(s, "$1")
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil && plausible(t) {
			return t.Format(time.DateOnly)
		}
	}
	return ""
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// plausible reports whether t can be a web article's publication date.
func plausible(t time.Time) bool {
	return !t.IsZero() && t.Year() >= 1900 && t.Year() <= 2200
}

// pickSource returns the article's address: the canonical link when it is
// absolute, http(s), on the page's host (www. aside) and not the site's
// home page, else the page URL; without a #fragment either way.
func pickSource(base *url.URL, canonical string) string {
	page := *base
	page.Fragment, page.RawFragment = "", ""
	if canonical == "" {
		return page.String()
	}
	c, err := url.Parse(canonical)
	if err != nil || c.Scheme != "http" && c.Scheme != "https" || c.Host == "" {
		return page.String()
	}
	trim := func(h string) string { return strings.TrimPrefix(strings.ToLower(h), "www.") }
	if trim(c.Hostname()) != trim(base.Hostname()) {
		return page.String()
	}
	if strings.Trim(c.Path, "/") == "" && strings.Trim(base.Path, "/") != "" {
		return page.String() // a canonical pointing every page at the home page
	}
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// findByline returns the text of the first byline element in scope: one
// with rel="author", itemprop "author", or a class or id naming a byline or
// an author. It prefers the [itemprop=name] inside it.
func findByline(scope *html.Node) string {
	for n := range scope.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		isByline := attr(n, "rel") == "author" || strings.Contains(strings.ToLower(attr(n, "itemprop")), "author")
		if !isByline {
			for _, t := range classTokens(n) {
				if t == "byline" || t == "author" || t == "dateline" || t == "writtenby" {
					isByline = true
					break
				}
			}
		}
		if !isByline {
			continue
		}
		for d := range n.Descendants() {
			if d.Type == html.ElementNode && strings.Contains(attr(d, "itemprop"), "name") {
				return clean(textOf(d))
			}
		}
		if t := clean(textOf(n)); t != "" && utf8.RuneCountInString(t) < 150 {
			return t
		}
	}
	return ""
}

// timeValue returns a <time>'s datetime attribute, else its text.
func timeValue(n *html.Node) string {
	if v := strings.TrimSpace(attr(n, "datetime")); v != "" {
		return v
	}
	return clean(textOf(n))
}

// hasField reports whether the space-separated list s holds one of words.
func hasField(s string, words ...string) bool {
	for _, f := range strings.Fields(s) {
		for _, w := range words {
			if f == w {
				return true
			}
		}
	}
	return false
}

// alnumKey lowercases s and keeps only its letters and digits.
func alnumKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
