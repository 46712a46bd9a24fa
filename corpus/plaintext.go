package corpus

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Plain-text articles are pasted from blogs: no markup, page chrome around
// the prose, headings as short lines of their own, and a "References:" line
// before the list.

var (
	bulletRe     = regexp.MustCompile(`^(?:[•·▪◦*-]|\d{1,3}[.)])\s+`)
	readLinkRe   = regexp.MustCompile(`(?i)^read\s+["“']`)
	trailingCite = regexp.MustCompile(`[⁰¹²³⁴⁵⁶⁷⁸⁹,]+$`)
)

// chromeLines are page furniture copied along with an article.
var chromeLines = map[string]bool{
	"share": true, "blog image": true, "image": true, "read other blogs": true, "blogs and insights": true,
	"related posts": true, "related articles": true, "leave a comment": true, "tweet": true, "pin it": true,
	"facebook": true, "twitter": true, "linkedin": true, "email": true, "print": true, "subscribe": true,
	"back to blog": true, "read more": true, "share this article": true, "share this post": true,
}

// dateLayouts are the ways blogs print a publication date.
var dateLayouts = []string{"January 2, 2006", "Jan 2, 2006", "2 January 2006", "2 Jan 2006", "2006-01-02", "January 2006", "02/01/2006"}

type textLine struct {
	text string
	line int
}

// group is a paragraph, a list item or a "References:" line: lines not
// separated by a blank line.
type group struct{ lines []textLine }

// readPlainText reads a pasted blog article.
func readPlainText(src string) document {
	var doc document
	var lines []textLine
	for i, l := range strings.Split(src, "\n") {
		t := strings.TrimFunc(l, func(r rune) bool { return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' })
		lines = append(lines, textLine{t, i + 1})
	}
	titleAt := findTitle(lines)
	if titleAt >= 0 {
		doc.info.Title = lines[titleAt].text
		// Category lines above the title and a repeat of it are chrome.
		for i := 0; i <= titleAt; i++ {
			lines[i].text = ""
		}
		for i := titleAt + 1; i < len(lines) && i < titleAt+6; i++ {
			if lines[i].text == doc.info.Title {
				lines[i].text = ""
			}
		}
	}
	// Paragraphs are runs of non-blank lines; list items are lines of their
	// own.
	var groups []group
	var cur []textLine
	flush := func() {
		if len(cur) > 0 {
			groups = append(groups, group{cur})
			cur = nil
		}
	}
	for _, l := range lines {
		t := l.text
		switch {
		case t == "" || isChrome(t):
			flush()
		case doc.info.Published == "" && parseDate(t) != "":
			doc.info.Published = parseDate(t)
			flush()
		case referencesRe.MatchString(t):
			flush()
			groups = append(groups, group{[]textLine{l}})
		case bulletRe.MatchString(t):
			// A bullet starts a group of its own, which the lines wrapped
			// after it (no blank line between) continue.
			flush()
			cur = append(cur, l)
		default:
			cur = append(cur, l)
		}
	}
	flush()

	var section []string
	lists := 0
	leadIn := ""
	lastWasItem := false
	for gi := 0; gi < len(groups); gi++ {
		g := groups[gi]
		first := g.lines[0]
		joined := joinLines(g.lines)
		if referencesRe.MatchString(first.text) {
			gi += readReferences(&doc, groups[gi+1:])
			continue
		}
		isItem := bulletRe.MatchString(first.text)
		if isItem {
			if !lastWasItem {
				lists++
			}
			lastWasItem = true
			body := bulletRe.ReplaceAllString(joined, "")
			doc.blocks = append(doc.blocks, block{section: section, text: body, leadIn: leadIn, line: first.line, list: lists})
			continue
		}
		lastWasItem = false
		leadIn = ""
		if len(g.lines) == 1 && isHeading(joined) && gi+1 < len(groups) {
			section = []string{joined}
			continue
		}
		if strings.HasSuffix(joined, ":") && gi+1 < len(groups) && bulletRe.MatchString(groups[gi+1].lines[0].text) {
			leadIn = joined // it lives on inside each item
			continue
		}
		doc.blocks = append(doc.blocks, block{section: section, text: joined, line: first.line})
	}
	return doc
}

// readReferences reads the reference entries that follow a "References:"
// line into doc.refs, and returns how many of groups it used. The list ends
// at an entry that does not look like a reference (no year, DOI or link),
// which is page chrome; except that a numbered or bulleted entry followed
// by one that does look like a reference is an entry without a year.
func readReferences(doc *document, groups []group) int {
	type entry struct {
		label, text string
		line, group int
		marked      bool // it starts with a number, bullet or [label]
	}
	var entries []entry
	for gi, g := range groups {
		if referencesRe.MatchString(g.lines[0].text) {
			break // a second list, read on its own
		}
		// A run of lines that each look like a reference ("[1] …", or
		// unnumbered lines with a year) holds one entry a line; otherwise
		// the lines are one wrapped entry.
		lines := [][]textLine{g.lines}
		if len(g.lines) > 1 && !slices.ContainsFunc(g.lines, func(l textLine) bool { return !looksLikeReference(l.text) }) {
			lines = nil
			for _, l := range g.lines {
				lines = append(lines, []textLine{l})
			}
		}
		for _, e := range lines {
			joined := joinLines(e)
			label, rest := splitRefLabel(joined)
			entries = append(entries, entry{label, rest, e[0].line, gi, refLabelRe.MatchString(joined)})
		}
	}
	used := 0
	for i, e := range entries {
		if !looksLikeReference(e.text) && !(e.marked && i+1 < len(entries) && looksLikeReference(entries[i+1].text)) {
			return e.group + 1 // the list is over; the rest of this group is chrome
		}
		label := e.label
		if label == "" {
			label = strconv.Itoa(len(doc.refs) + 1)
		}
		doc.refs = append(doc.refs, rawRef{label: label, text: e.text, line: e.line})
		used = e.group + 1
	}
	return used
}

// findTitle returns the index of the title line: a line repeated among the
// first lines (blogs print it twice), else the first title-like line.
func findTitle(lines []textLine) int {
	var seen []int
	for i, l := range lines {
		if l.text == "" || isChrome(l.text) {
			continue
		}
		if wordCount(l.text) > 25 {
			break // prose has started
		}
		for _, j := range seen {
			if lines[j].text == l.text {
				return j
			}
		}
		seen = append(seen, i)
		if len(seen) > 12 {
			break
		}
	}
	for _, i := range seen {
		t := lines[i].text
		if n := wordCount(t); n >= 3 && n <= 20 && !strings.ContainsAny(t[len(t)-1:], ".,;") && parseDate(t) == "" && !bulletRe.MatchString(t) {
			return i
		}
	}
	return -1
}

func isChrome(t string) bool {
	return chromeLines[strings.ToLower(strings.Trim(t, " :.!"))] || readLinkRe.MatchString(t)
}

// isHeading reports whether a one-line paragraph is a section heading: short,
// capitalised, and not ending like a sentence.
func isHeading(t string) bool {
	n := wordCount(t)
	if n == 0 || n > 12 || bulletRe.MatchString(t) {
		return false
	}
	trimmed := trailingCite.ReplaceAllString(t, "")
	if trimmed == "" {
		return false // only markers or commas: no words to head a section
	}
	last := trimmed[len(trimmed)-1]
	if strings.ContainsRune(".,;:", rune(last)) {
		return false
	}
	r := []rune(t)[0]
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}

func looksLikeReference(t string) bool {
	return yearRe.MatchString(t) || doiRe.MatchString(t) || urlRe.MatchString(t)
}

func parseDate(t string) string {
	t = strings.TrimSpace(t)
	if len(t) > 30 {
		return ""
	}
	for _, layout := range dateLayouts {
		if d, err := time.Parse(layout, t); err == nil {
			if layout == "January 2006" {
				return d.Format("2006")
			}
			return d.Format("2006-01-02")
		}
	}
	return ""
}

func joinLines(ls []textLine) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.text
	}
	return collapseSpaces(strings.Join(parts, " "))
}
