// Package webpage turns a fetched HTML page into a Markdown article for the
// library: the article's title, author, date and source, and its body with
// headings, lists, links, citation markers and reference list, and nothing of
// the page around it (navigation, cookie banner, share buttons, newsletter
// box, related posts, comments, footer).
//
// The work is done in four steps:
//
//  1. The page's own metadata is read: og:title, the article's h1, <title>,
//     og:site_name, the canonical link, bylines and <time> elements.
//  2. Page chrome is removed by tag (nav, form, aside, footer…), by ARIA
//     role and by class or id ("cookie-banner", "share-bar",
//     "related-posts"…), never from an element that holds the article. The
//     article's h1 is removed too: it becomes the title, not a body heading.
//     Every heading is made an h6 that remembers its level, because
//     readability would drop a section heading that resembles the title
//     and turn h1 sections into h2s.
//  3. codeberg.org/readeck/go-readability/v2 picks the article out of what is
//     left. Its output is tidied: headings get their levels back, citation
//     superscripts become "[1]", in-page anchor links become plain text,
//     images go, headings are re-levelled so the article's sections are
//     "##", the reference list's heading becomes "References", and short
//     blocks that are page chrome (a byline, "Share: …", a cookie notice)
//     are dropped.
//  4. github.com/JohannesKaufmann/html-to-markdown/v2 writes Markdown (with
//     its table and strikethrough plugins, both of which the corpus reader
//     parses), and the converter's "\[1]" escapes of citation markers are
//     undone.
package webpage

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// MaxPageSize is the largest page Read accepts, in bytes. Real article pages,
// scripts and styles included, stay well below it.
const MaxPageSize = 8 << 20

// maxElements bounds the number of elements Read hands to the readability
// extractor, whose running time grows faster than the page.
const maxElements = 150_000

// minProse is how many characters of text outside links and headings an
// article needs: less is a navigation page, a login wall or an error page.
const minProse = 150

// maxTitle bounds the title, in characters; a longer one is cut at a word.
const maxTitle = 200

// ErrNoArticle is wrapped by the error Read returns when the page holds no
// readable article: it is empty, or only navigation, or too short.
var ErrNoArticle = errors.New("no article found in the page")

// Article is the article a web page holds, as Markdown.
type Article struct {
	// Title is the article's own title: og:title, else the article's h1,
	// else the JSON-LD headline or <title>, with the site's name (" | Site
	// name", " – Site name", …) removed; a page with none of these is titled
	// by the first heading of its article. At most 200 characters.
	Title string
	// Author is the byline without "By ", or "" when the page names none.
	Author string
	// Published is the publication date as YYYY-MM-DD, or "" when unknown.
	// It comes from JSON-LD datePublished or article:published_time (as read
	// by readability), else from a <time datetime> or a date <meta>.
	Published string
	// Source is the page's URL without its #fragment. When the page gives an
	// absolute canonical link on the same host (www. aside) that is not its
	// home page, Source is that link instead, which drops tracking
	// parameters and mobile or AMP variants of the address.
	Source string
	// Markdown is the article's body: headings (its sections as "##"),
	// paragraphs, lists, links, citation markers such as "[1]", and the
	// reference list as a numbered list under "## References". It has no
	// front matter and does not repeat the title.
	Markdown string
}

// Read extracts the article from an HTML page fetched from pageURL, which
// must be an absolute http or https URL; relative links in the page are
// resolved against it. Pages over MaxPageSize and pages that are not text
// are refused. The error is one line; it wraps ErrNoArticle when the page
// holds no readable article. Read is safe for concurrent use.
func Read(page []byte, pageURL string) (Article, error) {
	base, err := parsePageURL(pageURL)
	if err != nil {
		return Article{}, err
	}
	if len(page) > MaxPageSize {
		return Article{}, fmt.Errorf("page is %d bytes, over the %d-byte limit", len(page), MaxPageSize)
	}
	if len(bytes.TrimSpace(page)) == 0 {
		return Article{}, fmt.Errorf("%w: the page is empty", ErrNoArticle)
	}
	if ct := http.DetectContentType(page); !strings.HasPrefix(ct, "text/") {
		ct, _, _ = strings.Cut(ct, ";")
		return Article{}, fmt.Errorf("page is not HTML: its content looks like %s", ct)
	}
	doc, err := html.Parse(strings.NewReader(decode(page)))
	if err != nil {
		return Article{}, fmt.Errorf("parse page: %w", err)
	}
	if n := countElements(doc); n > maxElements {
		return Article{}, fmt.Errorf("page has %d elements, over the limit of %d", n, maxElements)
	}

	meta := readMeta(doc, base)
	removeChrome(doc, meta)

	var art readability.Article
	err = protect("readability", func() error {
		parser := readability.NewParser()
		var err error
		art, err = parser.ParseAndMutate(doc, base)
		return err
	})
	if err != nil {
		return Article{}, fmt.Errorf("extract article: %w", err)
	}
	if art.Node == nil {
		return Article{}, ErrNoArticle
	}

	title := pickTitle(meta, art.Title())
	tidy(art.Node, base, title)
	if prose := proseLength(art.Node); prose < minProse {
		return Article{}, fmt.Errorf("%w: only %d characters of text outside links", ErrNoArticle, prose)
	}
	if title == "" {
		if title = takeHeadingTitle(art.Node); title == "" {
			return Article{}, errors.New("no title found in the page")
		}
	}
	md, err := toMarkdown(art.Node, base)
	if err != nil {
		return Article{}, err
	}
	if strings.TrimSpace(md) == "" {
		return Article{}, ErrNoArticle
	}
	return Article{
		Title:     title,
		Author:    pickAuthor(art.Byline(), meta.byline),
		Published: pickPublished(art, meta),
		Source:    pickSource(base, meta.canonical),
		Markdown:  md,
	}, nil
}

// parsePageURL checks that pageURL is an absolute http(s) URL.
func parsePageURL(pageURL string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(pageURL))
	if err != nil {
		return nil, fmt.Errorf("page URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("page URL %q is not an absolute http(s) URL", pageURL)
	}
	return u, nil
}

// decode returns the page as UTF-8 text: as it is when it is valid UTF-8
// (with or without a byte-order mark), else in the encoding its byte-order
// mark or <meta charset> names, else as Windows-1252, the web's default.
func decode(page []byte) string {
	page = bytes.TrimPrefix(page, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(page) {
		return string(page)
	}
	enc, _, _ := charset.DetermineEncoding(page, "")
	text, err := enc.NewDecoder().Bytes(page)
	if err != nil {
		return strings.ToValidUTF8(string(page), "\uFFFD")
	}
	return string(text)
}

// countElements counts the element nodes below n.
func countElements(n *html.Node) int {
	count := 0
	for d := range n.Descendants() {
		if d.Type == html.ElementNode {
			count++
		}
	}
	return count
}

// protect runs f, turning a panic in the third-party code it calls into an
// error, so that no page can bring the bot down.
func protect(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s failed on this page: %s", what, clean(fmt.Sprint(r)))
		}
	}()
	return f()
}
