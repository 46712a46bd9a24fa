package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Passage sizes, in words. Passages shorter than minPassageWords rarely
// answer anything alone; longer than maxPassageWords they bury the answer.
const (
	minPassageWords    = 25
	maxPassageWords    = 160
	targetPassageWords = 110
)

// unit is a passage under construction.
type unit struct {
	section   []string
	leadIn    string
	body      string
	line      int
	list      int
	citations []Reference
}

func (u unit) text() string {
	if u.leadIn == "" {
		return u.body
	}
	return u.leadIn + " " + u.body
}

func (u unit) words() int { return wordCount(u.text()) }

// assemble resolves a document's citations and cuts it into passages.
func assemble(file, slug string, doc document) (Article, []Problem) {
	art := Article{Slug: slug, File: file, ArticleInfo: doc.info, Tags: doc.tags}
	if art.Tags == nil {
		art.Tags = []string{}
	}
	var problems []Problem
	for _, p := range doc.problems {
		p.File = file
		problems = append(problems, p)
	}
	byLabel := map[string]int{}
	for _, r := range doc.refs {
		if _, dup := byLabel[r.label]; dup {
			problems = append(problems, Problem{File: file, Line: r.line, Reason: "reference [" + r.label + "] is listed twice; the first is used"})
			continue
		}
		byLabel[r.label] = len(art.References)
		art.References = append(art.References, parseReference(r.label, collapseSpaces(strings.ReplaceAll(r.text, "\n", " "))))
	}
	authorYear := newAuthorYearIndex(art.References)
	resolve := func(m citeMark) (Reference, bool) {
		if m.label != "" {
			i, ok := byLabel[m.label]
			if !ok {
				return Reference{}, false
			}
			return art.References[i], true
		}
		return authorYear.find(m.author, m.year)
	}
	accept := func(m citeMark) bool { _, ok := resolve(m); return ok }

	var units []unit
	// Citations of blocks holding only markers wait for a passage of their
	// own section: the next one, else the one before them (see settle).
	var pending []pendingCite
	var pendingSection []string
	pendingLine := 0
	settle := func() {
		if len(pending) == 0 {
			return
		}
		if last := len(units) - 1; last >= 0 && slices.Equal(units[last].section, pendingSection) {
			for _, p := range pending {
				units[last].citations = addCitation(units[last].citations, p.ref)
			}
		} else {
			// Giving them to another section's passage would credit it
			// with sources it does not use.
			where := "the title"
			if len(pendingSection) > 0 {
				where = strconv.Quote(strings.Join(pendingSection, " > "))
			}
			for _, p := range pending {
				problems = append(problems, Problem{File: file, Line: pendingLine,
					Reason: fmt.Sprintf("%s stands alone under %s, a section with no text to cite it; ignored", p.what, where)})
			}
		}
		pending = nil
	}
	leadWarned := map[string]bool{}
	for _, b := range doc.blocks {
		// A lead-in is part of each of its items' passages, and so are its
		// markers; an unresolved one is reported once per lead-in.
		leadIn, leadMarks := extractMarkers(strings.ReplaceAll(b.leadIn, "\n", " "), accept)
		var leadCites []Reference
		for _, m := range leadMarks {
			if ref, ok := resolve(m); ok {
				leadCites = addCitation(leadCites, ref)
			} else if !leadWarned[b.leadIn] {
				problems = append(problems, Problem{File: file, Line: b.line, Reason: describeMark(m) + unresolvedMarker})
			}
		}
		leadWarned[b.leadIn] = true
		for _, chunk := range splitLong(strings.ReplaceAll(b.text, "\n", " "), maxPassageWords-wordCount(leadIn)) {
			clean, marks := extractMarkers(chunk, accept)
			cites := slices.Clone(leadCites)
			var what []string // how each new citation was written
			for _, r := range leadCites {
				what = append(what, "marker ["+r.Label+"]")
			}
			for _, m := range marks {
				ref, ok := resolve(m)
				if !ok {
					problems = append(problems, Problem{File: file, Line: b.line, Reason: describeMark(m) + unresolvedMarker})
					continue
				}
				if !hasCitation(cites, ref) {
					cites = append(cites, ref)
					what = append(what, describeMark(m))
				}
			}
			if !hasWords(clean) {
				if !slices.Equal(pendingSection, b.section) {
					settle()
				}
				if len(pending) == 0 {
					pendingSection, pendingLine = b.section, b.line
				}
				for i, r := range cites {
					if !slices.ContainsFunc(pending, func(p pendingCite) bool { return sameCitation(p.ref, r) }) {
						pending = append(pending, pendingCite{ref: r, what: what[i]})
					}
				}
				continue
			}
			if len(pending) > 0 {
				// The next passage takes them when it is of their section,
				// or of a subsection when their section has no passage
				// before them.
				last := len(units) - 1
				before := last >= 0 && slices.Equal(units[last].section, pendingSection)
				if slices.Equal(b.section, pendingSection) || !before && isSubsection(b.section, pendingSection) {
					for _, p := range pending {
						cites = addCitation(cites, p.ref)
					}
					pending = nil
				} else {
					settle()
				}
			}
			units = append(units, unit{section: b.section, leadIn: leadIn, body: clean, line: b.line, list: b.list, citations: cites})
		}
	}
	settle()
	units = mergeSmall(units)

	seen := map[string]int{}
	order := map[string]int{}
	for i, r := range art.References {
		order[r.Label] = i
	}
	for _, u := range units {
		text := u.text()
		id := passageID(slug, text)
		if n := seen[id]; n > 0 {
			seen[id] = n + 1
			id += "-" + strconv.Itoa(n+1)
		} else {
			seen[id] = 1
		}
		cites := u.citations
		slices.SortStableFunc(cites, func(a, b Reference) int { return order[a.Label] - order[b.Label] })
		if len(cites) == 0 {
			cites = []Reference{{Label: "", Text: art.Title, URL: art.Source}}
		}
		section := u.section
		if section == nil {
			section = []string{}
		}
		art.Passages = append(art.Passages, Passage{ID: id, Slug: slug, Section: section, Text: text, Article: art.ArticleInfo, Citations: cites,
			Questions: doc.questions[sectionKey(u.section)]})
	}
	if art.References == nil {
		art.References = []Reference{}
	}
	return art, capWarnings(problems)
}

// pendingCite is a citation of a block holding only markers, with how it
// was written ("marker [1]"), for a warning if no passage takes it.
type pendingCite struct {
	ref  Reference
	what string
}

// isSubsection reports whether section lies below parent.
func isSubsection(section, parent []string) bool {
	return len(section) > len(parent) && slices.Equal(section[:len(parent)], parent)
}

// maxWarningsPerFile keeps a broken file from flooding a moderator's report.
const maxWarningsPerFile = 20

func capWarnings(problems []Problem) []Problem {
	if len(problems) <= maxWarningsPerFile {
		return problems
	}
	rest := len(problems) - maxWarningsPerFile + 1
	out := slices.Clone(problems[:maxWarningsPerFile-1])
	return append(out, Problem{File: problems[0].File, Reason: fmt.Sprintf("and %d more warnings like these", rest)})
}

func addCitation(list []Reference, r Reference) []Reference {
	if hasCitation(list, r) {
		return list
	}
	return append(list, r)
}

func hasCitation(list []Reference, r Reference) bool {
	return slices.ContainsFunc(list, func(have Reference) bool { return sameCitation(have, r) })
}

func sameCitation(a, b Reference) bool { return a.Label == b.Label && a.Text == b.Text }

// passageID depends only on the article and the passage text, so it is
// stable across rebuilds while the text is unchanged.
func passageID(slug, text string) string {
	sum := sha256.Sum256([]byte(slug + "\x00" + text))
	return hex.EncodeToString(sum[:6])
}

// mergeSmall joins fragments too short to answer anything with a neighbour
// in the same section: the next one if it fits, else the previous one.
func mergeSmall(units []unit) []unit {
	// One pass: out holds units that are done, except that its last one may
	// still take in a small successor. A merged unit is looked at again,
	// since it may still be small. (Restarting the scan after each merge
	// gives the same result but takes quadratic time on a file of many tiny
	// paragraphs.)
	out := make([]unit, 0, len(units))
	for i := 0; i < len(units); {
		cur := units[i]
		i++
		for cur.words() < minPassageWords {
			if i < len(units) && sameSection(cur, units[i]) && cur.words()+units[i].words() <= maxPassageWords {
				cur = join(cur, units[i])
				i++
				continue
			}
			if last := len(out) - 1; last >= 0 && sameSection(cur, out[last]) && cur.words()+out[last].words() <= maxPassageWords {
				cur = join(out[last], cur)
				out = out[:last]
				continue
			}
			break
		}
		out = append(out, cur)
	}
	return out
}

func sameSection(a, b unit) bool { return slices.Equal(a.section, b.section) }

// join appends b to a. Items of one list share their lead-in once.
func join(a, b unit) unit {
	out := a
	out.citations = slices.Clone(a.citations)
	for _, r := range b.citations {
		out.citations = addCitation(out.citations, r)
	}
	switch {
	case a.list != 0 && a.list == b.list:
		out.body = a.body + " " + b.body
	case b.leadIn != "":
		out.body = a.text() + " " + b.text()
		out.leadIn = ""
	default:
		out.body = a.body + " " + b.body
	}
	if b.list != a.list {
		out.list = 0
	}
	return out
}

// splitLong cuts text longer than limit words at sentence boundaries into
// chunks of similar size.
func splitLong(text string, limit int) []string {
	words := wordCount(text)
	if words <= limit || limit <= 0 {
		return []string{text}
	}
	sentences := splitSentences(text)
	chunks := (words + targetPassageWords - 1) / targetPassageWords
	goal := words / chunks
	var out []string
	var cur []string
	curWords := 0
	for _, s := range sentences {
		n := wordCount(s)
		if curWords > 0 && (curWords+n > limit || curWords >= goal) {
			out = append(out, strings.Join(cur, " "))
			cur, curWords = nil, 0
		}
		cur = append(cur, s)
		curWords += n
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

// splitSentences splits prose into sentences (see SentenceEnds), with
// white space collapsed.
func splitSentences(text string) []string {
	text = strings.Join(strings.Fields(text), " ")
	var out []string
	start := 0
	for _, end := range SentenceEnds(text) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

func wordCount(s string) int { return len(strings.Fields(s)) }

func hasWords(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// unresolvedMarker ends the warning about a citation marker that points at
// no reference.
const unresolvedMarker = " points at no reference"

// IsUnresolvedMarker reports whether p warns of a citation marker that
// points at no reference, which a preview lists on its own.
func IsUnresolvedMarker(p Problem) bool { return strings.HasSuffix(p.Reason, unresolvedMarker) }
