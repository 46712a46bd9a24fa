package corpus

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Plain-text articles are pasted from blogs: no markup, page chrome around
// the prose, headings as short lines of their own, and a "References:" line
// before the list.

var (
	bulletRe     = regexp.MustCompile(`^(?:[•·▪◦‣●○■–*-]|\d{1,3}[.)])\s+`)
	trailingCite = regexp.MustCompile(`[⁰¹²³⁴⁵⁶⁷⁸⁹,]+$`)
)

// maxRelatedTitles bounds how many lines after a "Related posts" line are
// taken for other posts' titles.
const maxRelatedTitles = 8

// dateLayouts are the ways blogs print a publication date.
var dateLayouts = []string{"January 2, 2006", "Jan 2, 2006", "2 January 2006", "2 Jan 2006", "2006-01-02", "January 2006", "02/01/2006"}

type textLine struct {
	text string
	line int
	// indent is the width of the white space the line started with.
	indent int
}

// group is a paragraph, a list item, a heading or a "References:" line:
// lines not separated by a blank line.
type group struct {
	lines []textLine
	// heading marks a short line standing directly above a list, as notes
	// head their lists ("what it means" / "- …").
	heading bool
	// refs marks the label a reference list starts at.
	refs bool
}

func isPad(r rune) bool { return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' }

// readPlainText reads a pasted blog article.
func readPlainText(src string) document {
	var doc document
	var lines []textLine
	for i, l := range strings.Split(src, "\n") {
		t := strings.TrimFunc(l, isPad)
		indent := len(l) - len(strings.TrimLeftFunc(l, isPad))
		lines = append(lines, textLine{t, i + 1, indent})
	}
	titleAt := findTitle(lines)
	if titleAt >= 0 {
		doc.info.Title = lines[titleAt].text
		// Category lines above the title and a repeat of it are chrome;
		// a byline or date there still names the author and the date.
		for i := 0; i <= titleAt; i++ {
			readHeadMeta(&doc, lines, i)
			lines[i].text = ""
		}
		for i := titleAt + 1; i < len(lines) && i < titleAt+6; i++ {
			if lines[i].text == doc.info.Title {
				lines[i].text = ""
			}
		}
	}
	groups := splitGroups(&doc, lines)

	var section []string
	// A heading with no text before the next heading, written in the other
	// case (capitals against not), is that heading's parent: "known vs
	// claimed" over "KNOWN" and "CLAIMED". Headings of the parent's case
	// close it.
	headingOnly := false
	setSection := func(h string) {
		// A section nested under a parent is two deep; a parent opens one.
		if n := len(section); n > 0 && (n == 2 || headingOnly) && isAllCaps(section[0]) != isAllCaps(h) {
			section = []string{section[0], h}
		} else {
			section = []string{h}
		}
		headingOnly = true
	}
	lists := 0
	leadIn := ""
	lastWasItem := false
	for gi := 0; gi < len(groups); gi++ {
		g := groups[gi]
		first := g.lines[0]
		if g.refs {
			gi += readReferences(&doc, groups[gi+1:])
			continue
		}
		joined := joinLines(g.lines)
		if g.heading {
			lastWasItem, leadIn = false, ""
			setSection(joined)
			continue
		}
		isItem := bulletRe.MatchString(first.text)
		if isItem {
			body, ok := withoutCTA(bulletRe.ReplaceAllString(joined, ""))
			if !ok {
				continue
			}
			if !lastWasItem {
				lists++
			}
			lastWasItem, headingOnly = true, false
			doc.blocks = append(doc.blocks, block{section: section, text: body, leadIn: leadIn, line: first.line, list: lists})
			continue
		}
		joined, ok := withoutCTA(joined)
		if !ok {
			continue
		}
		lastWasItem = false
		leadIn = ""
		if len(g.lines) == 1 && isHeading(joined) && gi+1 < len(groups) {
			setSection(joined)
			continue
		}
		headingOnly = false
		if strings.HasSuffix(joined, ":") && gi+1 < len(groups) && bulletRe.MatchString(groups[gi+1].lines[0].text) {
			leadIn = joined // it lives on inside each item
			continue
		}
		doc.blocks = append(doc.blocks, block{section: section, text: joined, line: first.line})
	}
	return doc
}

// withoutCTA drops the calls to action from a paragraph or list item. It
// reports false when nothing but calls to action was there.
func withoutCTA(text string) (string, bool) {
	kept := dropCTASentences(text)
	if kept != text && !hasWords(kept) {
		return "", false
	}
	return kept, true
}

// splitGroups cuts the lines into groups, dropping page chrome on the way,
// and reads the byline, date and tag lines into doc.
func splitGroups(doc *document, lines []textLine) []group {
	var groups []group
	var cur []textLine
	flush := func() {
		if len(cur) > 0 {
			groups = append(groups, group{lines: cur})
			cur = nil
		}
	}
	// skipRun drops lines up to the next blank or ruled line: the rest of a
	// sign-up box, or of one comment.
	skipRun := false
	// inComments drops a comment thread, up to a reference list if one
	// follows it.
	inComments := false
	// related counts the other posts' titles still to drop after a
	// "Related posts" line.
	related := 0
	for i, l := range lines {
		t := l.text
		blank := t == "" || ruleRe.MatchString(t)
		if skipRun {
			skipRun = !blank
			continue
		}
		if inComments {
			if !isRefsHeader(lines, i) {
				continue
			}
			inComments = false
		}
		if related > 0 && !blank {
			if isPostTitle(t) && !isRefsHeader(lines, i) && !commentHeaderRe.MatchString(t) {
				related--
				continue
			}
			related = 0
		}
		if blank {
			flush()
			continue
		}
		if doc.info.Published == "" && parseDate(t) != "" {
			doc.info.Published = parseDate(t)
			flush()
			continue
		}
		switch {
		case commentHeaderRe.MatchString(t):
			inComments = true
		case relatedHeaderRe.MatchString(t):
			related = maxRelatedTitles
		case commentMetaRe.MatchString(t):
			skipRun = true
		case isFormLine(t), followersRe.MatchString(t):
			// A sign-up box or an author box: its title and blurb above the
			// form go with it, and what follows up to a blank line.
			if len(cur) <= 4 && wordCount(joinLines(cur)) <= 50 {
				cur = nil
			}
			skipRun = true
		case len(groups) == 0 && len(cur) == 0 && bylineNameAt(lines, i):
			// The author's name on a line of its own, above the date.
			doc.info.Author = cmp.Or(doc.info.Author, t)
			continue
		}
		if inComments || related > 0 || skipRun {
			flush()
			continue
		}
		if m, ok := readMetaLine(t); ok {
			if doc.info.Author == "" {
				doc.info.Author = m.author
			}
			if doc.info.Published == "" {
				doc.info.Published = m.published
			}
			flush()
			continue
		}
		if tags, ok := readTagLine(t); ok {
			for _, tag := range tags {
				if !slices.ContainsFunc(doc.tags, func(have string) bool { return strings.EqualFold(have, tag) }) {
					doc.tags = append(doc.tags, tag)
				}
			}
			flush()
			continue
		}
		if isChromeShape(t) || isCTALine(t) {
			flush()
			continue
		}
		if isRefsHeader(lines, i) {
			flush()
			groups = append(groups, group{lines: []textLine{l}, refs: true})
			continue
		}
		if sub := sourceLineRe.FindStringSubmatch(t); sub != nil && looksLikeReference(sub[1]) {
			// "Source: Alves E (2022) …": the label, then its first entry.
			flush()
			groups = append(groups, group{lines: []textLine{{text: "Sources:", line: l.line}}, refs: true})
			cur = append(cur, textLine{text: strings.TrimSpace(sub[1]), line: l.line, indent: l.indent})
			continue
		}
		if bulletRe.MatchString(t) {
			// Short lines directly above a list, with no blank line
			// between, head it, as in notes.
			if noteHeadings(cur) {
				for _, h := range cur {
					groups = append(groups, group{lines: []textLine{h}, heading: true})
				}
				cur = nil
			}
			// A bullet starts a group of its own, which the lines wrapped
			// after it (no blank line between) continue.
			flush()
			cur = append(cur, l)
			continue
		}
		if len(cur) > 0 && bulletRe.MatchString(cur[0].text) && l.indent <= cur[0].indent && isHeading(t) &&
			i+1 < len(lines) && bulletRe.MatchString(lines[i+1].text) {
			// Not the item's wrapped text but the heading of the next
			// list: "- last item" / "CLAIMED" / "- next item".
			flush()
		}
		cur = append(cur, l)
	}
	flush()
	return groups
}

// readHeadMeta reads the author and publication date from lines[i], one
// of the lines above the title, when it gives them.
func readHeadMeta(doc *document, lines []textLine, i int) {
	t := lines[i].text
	if m, ok := readMetaLine(t); ok {
		doc.info.Author = cmp.Or(doc.info.Author, m.author)
		doc.info.Published = cmp.Or(doc.info.Published, m.published)
	} else if d := parseDate(t); d != "" {
		doc.info.Published = cmp.Or(doc.info.Published, d)
	} else if bylineNameAt(lines, i) {
		doc.info.Author = cmp.Or(doc.info.Author, t)
	}
}

// isRefsHeader reports whether lines[i] labels a reference list:
// "References:", "Sources", or "Source:" with a reference on the next line.
func isRefsHeader(lines []textLine, i int) bool {
	t := lines[i].text
	if referencesRe.MatchString(t) {
		return true
	}
	if !singleRefHeaderRe.MatchString(t) {
		return false
	}
	for _, l := range lines[i+1:] {
		if l.text != "" {
			_, rest := splitRefLabel(l.text)
			return looksLikeReference(rest)
		}
	}
	return false
}

// isPostTitle reports whether t could be another post's title in a
// "Related posts" list: short, and not ending like a sentence.
func isPostTitle(t string) bool {
	t = bulletRe.ReplaceAllString(t, "")
	n := wordCount(t)
	return n > 0 && n <= 15 && !strings.ContainsAny(t[len(t)-1:], ".,;:")
}

// noteHeadings reports whether cur, the lines directly above a list item,
// are headings: at most three short lines not ending like a sentence, each
// after the first starting a new phrase with a capital.
func noteHeadings(cur []textLine) bool {
	if len(cur) == 0 || len(cur) > 3 {
		return false
	}
	for i, l := range cur {
		if bulletRe.MatchString(l.text) || !isNoteHeading(l.text) || i > 0 && !startsUpper(l.text) {
			return false
		}
	}
	return true
}

// isNoteHeading reports whether t is short and ends like a heading, in
// whatever case it is written.
func isNoteHeading(t string) bool {
	if n := wordCount(t); n == 0 || n > 12 || !hasWords(t) {
		return false
	}
	trimmed := trailingCite.ReplaceAllString(t, "")
	return trimmed != "" && !strings.ContainsRune(".,;:", rune(trimmed[len(trimmed)-1]))
}

// startsUpper reports whether t starts with a capital or a digit.
func startsUpper(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}

// isAllCaps reports whether t has letters and none of them is lowercase.
func isAllCaps(t string) bool {
	letters := 0
	for _, r := range t {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
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
		if g.refs {
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
	// nav is the last menu or breadcrumb line: the site's header, whose
	// name is no title, comes before it.
	nav := -1
	for i, l := range lines {
		if isBreadcrumb(l.text) || isBar(l.text) || strings.EqualFold(l.text, "menu") {
			nav = i
		}
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
	// An author's name above its date ("Jane Roe" / "Mar 3, 2025") is no
	// title when a title-like line comes after it, nor is the site's name
	// above its menu when one comes after the menu.
	var candidates, afterNav []int
	for _, i := range seen {
		t := lines[i].text
		if n := wordCount(t); n >= 3 && n <= 20 && !strings.ContainsAny(t[len(t)-1:], ".,;") && parseDate(t) == "" && !bulletRe.MatchString(t) {
			candidates = append(candidates, i)
			if i > nav {
				afterNav = append(afterNav, i)
			}
		}
	}
	if len(afterNav) > 0 {
		candidates = afterNav
	}
	for k, i := range candidates {
		if k == len(candidates)-1 || !bylineNameAt(lines, i) {
			return i
		}
	}
	return -1
}

// isChrome reports whether a whole line is page chrome or calls to action.
func isChrome(t string) bool {
	return isChromeLine(t) || isCTALine(t)
}

// isCTALine reports whether every sentence of t is a call to action.
func isCTALine(t string) bool {
	if !mayStartWithCTA(t) {
		return false
	}
	found := false
	for _, s := range splitSentences(t) {
		if !hasWords(s) {
			continue
		}
		if !isCTASentence(s) && !isChromeSentence(s) {
			return false
		}
		found = true
	}
	return found
}

// isHeading reports whether a one-line paragraph is a section heading: short,
// capitalised, and not ending like a sentence.
func isHeading(t string) bool {
	return !bulletRe.MatchString(t) && isNoteHeading(t) && startsUpper(t)
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
