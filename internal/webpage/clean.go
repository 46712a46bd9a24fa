package webpage

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gutskin/corpus"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// chromeTags are elements that are never part of an article's text.
var chromeTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "nav": true, "form": true,
	"button": true, "input": true, "select": true, "textarea": true, "dialog": true, "iframe": true,
	"object": true, "embed": true, "svg": true, "canvas": true, "video": true, "audio": true,
	"picture": true, "img": true, "map": true, "aside": true, "footer": true, "menu": true,
}

// chromeRoles are ARIA roles of page furniture.
var chromeRoles = map[string]bool{
	"navigation": true, "banner": true, "contentinfo": true, "complementary": true, "search": true,
	"dialog": true, "alertdialog": true, "menu": true, "menubar": true, "toolbar": true,
}

// chromeClasses are words of a class or id that mark page furniture:
// "cookie-banner", "share-bar", "related-posts", "comments-area".
var chromeClasses = map[string]bool{
	"cookie": true, "cookies": true, "cookiebanner": true, "consent": true, "gdpr": true,
	"newsletter": true, "newsletters": true, "subscribe": true, "subscription": true, "signup": true, "optin": true,
	"share": true, "shares": true, "sharing": true, "sharebar": true, "sharedaddy": true, "social": true, "socials": true,
	"related": true, "comments": true, "comment": true, "respond": true, "disqus": true,
	"breadcrumb": true, "breadcrumbs": true, "promo": true, "advert": true, "advertisement": true, "ads": true, "ad": true,
	"sponsor": true, "sponsored": true, "sidebar": true, "popup": true, "modal": true, "toc": true,
	"pagination": true, "pager": true, "navbar": true, "navigation": true, "nav": true, "menu": true,
	"tags": true, "tagcloud": true, "byline": true, "dateline": true, "author": true, "bio": true,
	"meta": true, "widget": true, "skip": true,
}

// chromeClassPhrases are class or id fragments of several words.
var chromeClassPhrases = []string{"sign-up", "sr-only", "screen-reader", "visually-hidden", "visuallyhidden", "read-more", "also-like", "more-stories", "post-nav"}

// isChromeElement reports whether n is page furniture by its tag, role,
// class or id.
func isChromeElement(n *html.Node, scope *html.Node) bool {
	if chromeTags[n.Data] {
		return true
	}
	if n.Data == "header" && !isInside(n, scope) {
		return true
	}
	if chromeRoles[strings.ToLower(attr(n, "role"))] || strings.Contains(strings.ToLower(attr(n, "itemprop")), "author") {
		return true
	}
	for _, t := range classTokens(n) {
		if chromeClasses[t] {
			return true
		}
	}
	raw := strings.ToLower(attr(n, "class") + " " + attr(n, "id"))
	for _, p := range chromeClassPhrases {
		if strings.Contains(raw, p) {
			return true
		}
	}
	return false
}

// isJSONLD reports whether n is a JSON-LD script, which readability reads
// for the title, author and date.
func isJSONLD(n *html.Node) bool {
	return n.Data == "script" && strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json")
}

// removeChrome removes page furniture from doc before readability looks at
// it, and the article's h1, which is its title. An element that holds the
// article, its h1, or two fifths of the page's text stays whatever its
// class: a wrapper named "has-sidebar" or a page-wide ASP.NET <form> is no
// share bar.
func removeChrome(doc *html.Node, m pageMeta) {
	body := m.scope
	for a := range m.scope.Ancestors() {
		if a.Type == html.ElementNode && a.Data == "body" {
			body = a
		}
	}
	keep := func(n *html.Node) bool {
		return isInside(m.scope, n) || m.h1 != nil && isInside(m.h1, n) || m.lens[n]*5 > m.lens[body]*2
	}
	var doomed []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.Data != "html" && c.Data != "head" && c.Data != "body" && c.Data != "title" && c.Data != "meta" &&
				c.Data != "link" && !isJSONLD(c) && isChromeElement(c, m.scope) && !keep(c) {
				if (c.Data == "footer" || c.Data == "aside" || c.Data == "section") && isInside(c, m.scope) && holdsReferences(c) {
					// The article's notes in a <footer>: a <div> to
					// readability, which drops footers and asides.
					c.Data, c.DataAtom = "div", atom.Div
				} else {
					doomed = append(doomed, c)
					continue
				}
			}
			walk(c)
		}
	}
	walk(doc)
	for _, n := range doomed {
		remove(n)
	}
	if m.h1 != nil {
		remove(m.h1)
	}
	hideHeadingLevels(doc)
}

// holdsReferences reports whether n holds a reference list: a heading such
// as "References" or a list of footnotes.
func holdsReferences(n *html.Node) bool {
	for d := range n.Descendants() {
		if headingLevel(d) != 0 && referencesRe.MatchString(clean(textOf(d))) || d.Type == html.ElementNode && d.Data == "ol" && isFootnoteList(d) {
			return true
		}
	}
	return false
}

// levelAttr keeps a heading's level while readability looks at the page.
const levelAttr = "data-gutskin-level"

// hideHeadingLevels makes every heading below root an h6 that remembers its
// level in levelAttr. Readability drops the first h1 or h2 that resembles
// the page's title, which may be a section's ("Is rosacea linked to the
// gut?" under "Rosacea and the gut"), and makes every h1 an h2, which
// flattens an article whose sections are h1s; neither happens to an h6.
// restoreHeadingLevels undoes it.
func hideHeadingLevels(root *html.Node) {
	for _, h := range elements(root, "h1", "h2", "h3", "h4", "h5", "h6") {
		setAttr(h, levelAttr, strconv.Itoa(headingLevel(h)))
		setHeadingLevel(h, 6)
	}
}

// restoreHeadingLevels gives every heading below root back the level
// hideHeadingLevels took.
func restoreHeadingLevels(root *html.Node) {
	for _, h := range elements(root, "h6") {
		for i, a := range h.Attr {
			if a.Namespace == "" && a.Key == levelAttr {
				if level, err := strconv.Atoi(a.Val); err == nil {
					setHeadingLevel(h, level)
				}
				h.Attr = append(h.Attr[:i], h.Attr[i+1:]...)
				break
			}
		}
	}
}

var (
	// citeRe is the inside of a citation marker: "1", "1,2", "1–3", "2, 4-6".
	citeRe = regexp.MustCompile(`^\d{1,4}(?:[-–—]\d{1,4})?(?:[,;]\d{1,4}(?:[-–—]\d{1,4})?)*$`)
	// exponentRe is a superscript that reads as a power: "9", "-3", "2".
	exponentRe = regexp.MustCompile(`^[-−]?\d{1,3}$`)
	// backlinkRe is the text of a footnote's link back to its marker.
	backlinkRe = regexp.MustCompile(`^(?:[↩↑⤴^]|\x{21A9}\x{FE0E}|back|return|jump up)\s*\S{0,3}$`)
	// referencesRe is a reference list's heading; notesRe is one only
	// when a list follows it.
	referencesRe = regexp.MustCompile(`(?i)^(?:references?|sources?|bibliography|works cited|literature cited|citations?)\s*:?$`)
	notesRe      = regexp.MustCompile(`(?i)^(?:footnotes|endnotes|notes)\s*:?$`)
	// chromeHeadingRe is a heading over page furniture, whose section goes.
	chromeHeadingRe = regexp.MustCompile(`(?i)^(?:related(?: posts| articles| reading| stories| content)?|you (?:may|might) also (?:like|enjoy)|more (?:from|like this|stories|posts|articles|to read).*|read (?:next|more|also)|recommended(?: for you| reading| posts)?|(?:most )?popular(?: posts)?|trending(?: now)?|latest posts|recent posts|comments?(?: \(\d+\))?|\d+ (?:comments?|responses?|replies)|leave a (?:comment|reply)|join the (?:conversation|discussion)|share(?: this(?: post| article| page)?)?|about the author|tags|categories|follow us.*|.*\bnewsletter\b.*|subscribe.*|sign up.*)\s*:?$`)
	// bylineLineRe is a line that starts as a byline does: "By Jo Roe",
	// "Written by …", "Posted on …", "Updated 3 May", "5 min read".
	bylineLineRe = regexp.MustCompile(`^(?:[Bb]y\s+(?:(?:Dr|Prof)\.?\s+)?\p{Lu}|(?i:written by|posted (?:by|on|in)|(?:first |last )?(?:published|updated)(?: on)?:?\s+\S*\d|\d+\s*min(?:ute)?s? read))`)
)

// superDigits write a power such as 10⁹.
var superDigits = strings.NewReplacer("0", "⁰", "1", "¹", "2", "²", "3", "³", "4", "⁴", "5", "⁵", "6", "⁶", "7", "⁷", "8", "⁸", "9", "⁹", "-", "⁻", "−", "⁻")

// citeMarker returns the marker "[1]", "[1, 2]" or "[1–3]" for the text of
// a superscript or in-page link, and false when the text is no citation.
func citeMarker(text string) (string, bool) {
	t := strings.TrimSpace(text)
	if len(t) >= 2 && (t[0] == '[' && t[len(t)-1] == ']' || t[0] == '(' && t[len(t)-1] == ')') {
		t = t[1 : len(t)-1]
	}
	t = strings.Join(strings.Fields(t), "")
	if !citeRe.MatchString(t) {
		return "", false
	}
	t = strings.NewReplacer(";", ",", "-", "–", "—", "–").Replace(t)
	return "[" + strings.ReplaceAll(t, ",", ", ") + "]", true
}

// markerText returns marker with a space before it unless the text before
// n ends in white space or an opening bracket.
func markerText(n *html.Node, marker string) string {
	r := charBefore(n)
	if r == 0 || unicode.IsSpace(r) || r == '(' || r == '[' {
		return marker
	}
	return " " + marker
}

// tidy cleans readability's output at root for Markdown: see the package
// documentation.
func tidy(root *html.Node, base *url.URL, title string) {
	for _, n := range elements(root, "img", "picture", "svg", "video", "audio", "canvas", "source", "iframe", "object", "embed", "map", "button", "input", "select", "textarea", "form") {
		remove(n)
	}
	for _, fc := range elements(root, "figcaption") {
		if fig := fc.Parent; fig != nil && len(elements(fig, "table")) == 0 {
			remove(fc) // a photo's caption or credit
		}
	}
	restoreHeadingLevels(root)
	tidyCitations(root)
	tidyLinks(root, base)
	tidyHeadings(root, title)
	dropChromeBlocks(root)
}

// tidyCitations turns citation superscripts into markers: <sup>1</sup> and
// <sup><a href="#ref-1">1</a></sup> become " [1]". A superscript number
// right after a digit with no link in it is a power, written 10⁹.
func tidyCitations(root *html.Node) {
	for _, sup := range elements(root, "sup") {
		if sup.Parent == nil {
			continue
		}
		text := clean(textOf(sup))
		linked := len(elements(sup, "a")) > 0
		if r := charBefore(sup); !linked && unicode.IsDigit(r) && exponentRe.MatchString(text) {
			replaceWithText(sup, superDigits.Replace(text))
			continue
		}
		if marker, ok := citeMarker(text); ok {
			replaceWithText(sup, markerText(sup, marker))
			continue
		}
		unwrap(sup)
	}
}

// tidyLinks makes in-page anchor links plain text (a number among them a
// citation marker, a footnote's "↩" nothing), resolves relative links
// against the page and unwraps links that lead nowhere a reader can go.
func tidyLinks(root *html.Node, base *url.URL) {
	page := *base
	page.Fragment, page.RawFragment = "", ""
	for _, a := range elements(root, "a") {
		if a.Parent == nil {
			continue
		}
		text := clean(textOf(a))
		if text == "" {
			remove(a)
			continue
		}
		href := strings.TrimSpace(attr(a, "href"))
		u, err := base.Parse(href)
		inPage := strings.HasPrefix(href, "#")
		if err == nil && u.Fragment != "" {
			v := *u
			v.Fragment, v.RawFragment = "", ""
			inPage = inPage || v.String() == page.String()
		}
		switch {
		case href == "" || err != nil:
			unwrap(a)
		case inPage:
			if marker, ok := citeMarker(text); ok {
				replaceWithText(a, markerText(a, marker))
			} else if backlinkRe.MatchString(strings.ToLower(text)) {
				remove(a)
			} else {
				unwrap(a)
			}
		case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto":
			unwrap(a)
		default:
			setAttr(a, "href", u.String())
		}
	}
}

// tidyHeadings drops empty headings, the one that repeats the title and
// those over page furniture (with their section), names the reference
// list's heading "References", and re-levels the rest so the article's top
// sections are h2.
func tidyHeadings(root *html.Node, title string) {
	first := true
	for _, h := range elements(root, "h1", "h2", "h3", "h4", "h5", "h6") {
		if h.Parent == nil {
			continue
		}
		text := clean(textOf(h))
		switch {
		case text == "":
			remove(h)
			continue
		case first && sameTitle(text, title):
			remove(h)
			first = false
			continue
		case referencesRe.MatchString(text) || notesRe.MatchString(text) && followedByList(h):
			setReferencesHeading(h)
		case utf8.RuneCountInString(text) <= 80 && (chromeHeadingRe.MatchString(text) || corpus.IsCallToAction(text)):
			removeSection(h)
		}
		first = false
	}
	// A paragraph that only says "References:" over a list heads it too.
	for _, p := range elements(root, "p") {
		if text := clean(textOf(p)); p.Parent != nil && (referencesRe.MatchString(text) || notesRe.MatchString(text)) && followedByList(p) {
			setReferencesHeading(p)
		}
	}
	// A footnote list (items with ids such as "fn:1" or "ref-2") under no
	// References heading gets one.
	if !hasReferencesHeading(root) {
		for _, ol := range elements(root, "ol") {
			if isFootnoteList(ol) {
				if prev := prevElement(ol); prev != nil && prev.Data == "hr" {
					remove(prev)
				}
				h := &html.Node{Type: html.ElementNode, Data: "h2"}
				setReferencesHeading(h)
				ol.Parent.InsertBefore(h, ol)
				break
			}
		}
	}
	// Re-level: the highest section heading becomes h2.
	top := 0
	for _, h := range elements(root, "h1", "h2", "h3", "h4", "h5", "h6") {
		if l := headingLevel(h); !isReferencesHeading(h) && (top == 0 || l < top) {
			top = l
		}
	}
	if top != 0 && top != 2 {
		for _, h := range elements(root, "h1", "h2", "h3", "h4", "h5", "h6") {
			if !isReferencesHeading(h) {
				setHeadingLevel(h, max(headingLevel(h)-top+2, 2))
			}
		}
	}
}

// setReferencesHeading makes n an h2 that reads "References".
func setReferencesHeading(n *html.Node) {
	for n.FirstChild != nil {
		n.RemoveChild(n.FirstChild)
	}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: "References"})
	n.Attr = nil
	setHeadingLevel(n, 2)
}

func isReferencesHeading(n *html.Node) bool {
	return headingLevel(n) == 2 && textOf(n) == "References"
}

// footnoteIDRe is the id of a footnote or reference list item.
var footnoteIDRe = regexp.MustCompile(`(?i)^(?:fn|footnote|ref|reference|cite|citation|note|endnote|bib)[-_:.]?[a-z]*[-_:.]?\d`)

// isFootnoteList reports whether every item of ol has a footnote's id.
func isFootnoteList(ol *html.Node) bool {
	items := 0
	for c := ol.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "li" {
			if !footnoteIDRe.MatchString(attr(c, "id")) {
				return false
			}
			items++
		}
	}
	return items > 0 && ol.Parent != nil
}

func hasReferencesHeading(root *html.Node) bool {
	for _, h := range elements(root, "h2") {
		if isReferencesHeading(h) {
			return true
		}
	}
	return false
}

// prevElement returns the element before n among its siblings, skipping
// white space.
func prevElement(n *html.Node) *html.Node {
	for s := n.PrevSibling; s != nil; s = s.PrevSibling {
		if s.Type == html.ElementNode {
			return s
		}
		if s.Type == html.TextNode && strings.TrimSpace(s.Data) != "" {
			return nil
		}
	}
	return nil
}

// removeSection removes heading h and what follows it up to the next
// heading of its level or higher.
func removeSection(h *html.Node) {
	level := headingLevel(h)
	for s := h.NextSibling; s != nil; {
		if l := headingLevel(s); l != 0 && l <= level {
			break
		}
		next := s.NextSibling
		remove(s)
		s = next
	}
	remove(h)
}

// followedByList reports whether the element after n is a list.
func followedByList(n *html.Node) bool {
	next := nextElement(n)
	return next != nil && (next.Data == "ol" || next.Data == "ul")
}

// nextElement returns the element after n among its siblings.
func nextElement(n *html.Node) *html.Node {
	for s := n.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.ElementNode {
			return s
		}
		if s.Type == html.TextNode && strings.TrimSpace(s.Data) != "" {
			return nil
		}
	}
	return nil
}

// sameTitle reports whether heading repeats title: the same words, give or
// take punctuation and case.
func sameTitle(heading, title string) bool {
	h, t := alnumKey(heading), alnumKey(title)
	return h != "" && (h == t || len(h) >= 12 && strings.HasPrefix(t, h) && len(h)*5 >= len(t)*4)
}

// dropChromeBlocks removes short blocks that are page chrome: a byline or
// date line before the article's text, and anywhere a call to action or
// site furniture as corpus.IsCallToAction judges it ("Share: Facebook · X",
// "Subscribe to our newsletter", "© 2025 …"). Entries of the reference list
// stay whatever they say.
func dropChromeBlocks(root *html.Node) {
	refLists := referenceLists(root)
	leading := true
	for _, n := range elements(root, "p", "li", "div", "dt", "dd", "section", "blockquote", "h2", "h3", "h4", "h5", "h6") {
		if n.Parent == nil || !isInside(n, root) {
			continue
		}
		text := clean(textOf(n))
		if headingLevel(n) != 0 {
			if !isReferencesHeading(n) {
				leading = false
			}
			continue
		}
		if hasBlockChild(n) || text == "" {
			continue
		}
		short := utf8.RuneCountInString(text) <= 300
		if leading && utf8.RuneCountInString(text) <= 150 && (bylineLineRe.MatchString(text) || parseDate(text) != "") {
			remove(n)
			continue
		}
		if utf8.RuneCountInString(text) >= 120 {
			leading = false
		}
		if short && !inReferences(n, refLists) && corpus.IsCallToAction(text) {
			remove(n)
		}
	}
}

// hasBlockChild reports whether n holds a block element.
func hasBlockChild(n *html.Node) bool {
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && blockTags[d.Data] && d.Data != "br" {
			return true
		}
	}
	return false
}

// referenceLists returns the lists that follow a References heading among
// its siblings, up to the next heading.
func referenceLists(root *html.Node) map[*html.Node]bool {
	lists := map[*html.Node]bool{}
	for _, h := range elements(root, "h2") {
		if !isReferencesHeading(h) {
			continue
		}
		for s := h.NextSibling; s != nil && headingLevel(s) == 0; s = s.NextSibling {
			if s.Type == html.ElementNode && (s.Data == "ol" || s.Data == "ul") {
				lists[s] = true
			}
		}
	}
	return lists
}

// inReferences reports whether n is inside one of the reference lists.
func inReferences(n *html.Node, lists map[*html.Node]bool) bool {
	for a := range n.Ancestors() {
		if lists[a] {
			return true
		}
	}
	return false
}

// proseLength counts the characters of text below root outside links and
// headings.
func proseLength(root *html.Node) int {
	count := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "a" || headingLevel(n) != 0) {
			return
		}
		if n.Type == html.TextNode {
			for _, r := range n.Data {
				if !unicode.IsSpace(r) {
					count++
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return count
}

// takeHeadingTitle removes the first heading below root and returns its
// text, for a page that names no title elsewhere. It returns "" and leaves
// the heading when there is none or it is too long to be a title.
func takeHeadingTitle(root *html.Node) string {
	hs := elements(root, "h1", "h2", "h3", "h4", "h5", "h6")
	if len(hs) == 0 || isReferencesHeading(hs[0]) {
		return ""
	}
	t := clean(textOf(hs[0]))
	if utf8.RuneCountInString(t) > maxTitle {
		return ""
	}
	remove(hs[0])
	return t
}
