package corpus

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"go.yaml.in/yaml/v3"
)

// document is what a reader extracts from one file, before citations are
// resolved and passages are cut.
type document struct {
	info   ArticleInfo
	tags   []string
	blocks []block
	refs   []rawRef
	// problems are warnings found while reading (bad dates and the like).
	problems []Problem
	// questions are the members' questions a section answers, by section
	// key (see sectionKey).
	questions map[string][]string
}

// sectionKey identifies a section path in document.questions.
func sectionKey(section []string) string { return strings.Join(section, "\x00") }

// block is one paragraph or list item with its citation markers still in the
// text.
type block struct {
	section []string
	text    string
	// leadIn is the sentence that introduces a list item's list.
	leadIn string
	line   int
	// list groups the items of one list; 0 for paragraphs.
	list int
}

// rawRef is one reference-list entry as written.
type rawRef struct {
	label string
	text  string
	line  int
}

// frontMatter is the YAML header of a Markdown article.
type frontMatter struct {
	Title     yaml.Node `yaml:"title"`
	Source    yaml.Node `yaml:"source"`
	Author    yaml.Node `yaml:"author"`
	Published yaml.Node `yaml:"published"`
	Tags      yaml.Node `yaml:"tags"`
}

var (
	// Tables, strikethrough and task lists (GFM) are parsed so their syntax
	// never reaches a passage; Linkify is left out, as it would rewrite
	// "www.…" to "http://www.…".
	markdownParser = goldmark.New(goldmark.WithExtensions(extension.Footnote, extension.Table, extension.Strikethrough, extension.TaskList), goldmark.WithParserOptions(
		parser.WithASTTransformers(util.Prioritized(keepUnreferencedFootnotes{}, 998)))).Parser()
	yamlLineRe = regexp.MustCompile(`line (\d+)`)
)

// The words that label a reference list, in both readers: listLabels head
// one on their own; singleLabels only when a reference follows.
const (
	listLabels   = `references|sources|bibliography|works cited|literature|citations`
	singleLabels = `reference|source|citation`
)

var (
	// referencesRe is a reference list's heading: "References", "Sources:".
	referencesRe = regexp.MustCompile(`(?i)^\s*(?:` + listLabels + `)\s*:?\s*$`)
	// sourceLineRe is a reference list's label with its first entry on the
	// same line: "Source: Alves E (2022) …".
	sourceLineRe = regexp.MustCompile(`(?i)^\s*(?:` + listLabels + `|` + singleLabels + `)\s*:\s*(\S.*)$`)
	// singleRefHeaderRe is "Source:" or "Reference", which label a list
	// only when a reference follows.
	singleRefHeaderRe = regexp.MustCompile(`(?i)^\s*(?:` + singleLabels + `)\s*:?\s*$`)
)

// readMarkdown reads a Markdown article with optional YAML front matter.
func readMarkdown(src string) (document, error) {
	var doc document
	body, bodyLine, err := splitFrontMatter(src, &doc)
	if err != nil {
		return doc, err
	}
	source := []byte(body)
	root := markdownParser.Parse(text.NewReader(source))
	w := &mdWalker{src: source, lineOffset: bodyLine - 1, doc: &doc, footnotes: map[int]string{}}
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if list, ok := n.(*extast.FootnoteList); ok {
			for fn := list.FirstChild(); fn != nil; fn = fn.NextSibling() {
				if f, ok := fn.(*extast.Footnote); ok {
					w.footnotes[f.Index] = string(f.Ref)
				}
			}
		}
	}
	w.walk(root)
	if w.err != nil {
		return doc, w.err
	}
	// Footnote definitions join the reference list in document order.
	slices.SortStableFunc(w.footnoteRefs, func(a, b rawRef) int { return a.line - b.line })
	doc.refs = append(doc.refs, w.footnoteRefs...)
	return doc, nil
}

// keepUnreferencedFootnotes runs before goldmark's footnote transformer,
// which drops definitions no marker points to, and moves those into a list
// of their own: they are reference entries all the same, and a "[1]" marker
// may name them.
type keepUnreferencedFootnotes struct{}

func (keepUnreferencedFootnotes) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var unreferenced []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if f, ok := n.(*extast.Footnote); ok && entering {
			if f.Index < 0 {
				unreferenced = append(unreferenced, f)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if len(unreferenced) == 0 {
		return
	}
	kept := extast.NewFootnoteList()
	for _, f := range unreferenced {
		kept.AppendChild(kept, f) // detaches f from goldmark's list
	}
	doc.AppendChild(doc, kept)
}

// splitFrontMatter parses a leading "---" YAML block into doc.info and
// returns the rest of the file with the line number it starts at.
func splitFrontMatter(src string, doc *document) (string, int, error) {
	const unclosed = "front matter opened with --- is never closed"
	first, _, _ := strings.Cut(src, "\n")
	if !isDelimiter(first, "---") {
		return src, 1, nil
	}
	// Lines are compared after trimming, since editors leave trailing
	// spaces and tabs on the "---" lines (and a raw CRLF file its "\r").
	headerStart := len(first) + 1
	bodyStart := -1
	header := ""
	for off := headerStart; off < len(src); {
		l, _, found := strings.Cut(src[off:], "\n")
		if isDelimiter(l, "---", "...") {
			// The header excludes the newline before the closing line.
			header = strings.TrimSuffix(src[headerStart:off], "\n")
			bodyStart = min(off+len(l)+1, len(src))
			break
		}
		if !found {
			break
		}
		off += len(l) + 1
	}
	if bodyStart < 0 {
		return "", 0, &parseError{line: 1, msg: unclosed}
	}
	bodyLine := strings.Count(src[:bodyStart], "\n") + 1
	var fm frontMatter
	if err := yaml.Unmarshal([]byte(header), &fm); err != nil {
		// The header starts on file line 2.
		return "", 0, yamlError(err, 2, "broken front matter")
	}
	scalar := func(field string, n *yaml.Node) (string, error) {
		switch n.Kind {
		case 0:
			return "", nil
		case yaml.ScalarNode:
			if n.Tag == "!!null" {
				return "", nil
			}
			return strings.TrimSpace(n.Value), nil
		default:
			return "", &parseError{line: n.Line + 1, msg: fmt.Sprintf("front matter field %q must be a single value", field)}
		}
	}
	var errs [4]error
	doc.info.Title, errs[0] = scalar("title", &fm.Title)
	doc.info.Source, errs[1] = scalar("source", &fm.Source)
	doc.info.Author, errs[2] = scalar("author", &fm.Author)
	published, errPub := scalar("published", &fm.Published)
	errs[3] = errPub
	for _, err := range errs {
		if err != nil {
			return "", 0, err
		}
	}
	if published != "" {
		if validPublished(published) {
			doc.info.Published = published
		} else {
			doc.problems = append(doc.problems, Problem{Line: fm.Published.Line + 1,
				Reason: fmt.Sprintf("published %q is not YYYY-MM-DD or YYYY; left out", published)})
		}
	}
	switch fm.Tags.Kind {
	case yaml.ScalarNode:
		if v := strings.TrimSpace(fm.Tags.Value); v != "" {
			doc.tags = []string{v}
		}
	case yaml.SequenceNode:
		for _, t := range fm.Tags.Content {
			if t.Kind == yaml.ScalarNode && strings.TrimSpace(t.Value) != "" {
				doc.tags = append(doc.tags, strings.TrimSpace(t.Value))
			}
		}
	}
	return src[bodyStart:], bodyLine, nil
}

// isDelimiter reports whether line is one of marks once trailing spaces,
// tabs and carriage returns are trimmed.
func isDelimiter(line string, marks ...string) bool {
	return slices.Contains(marks, strings.TrimRight(line, " \t\r"))
}

// yamlError turns a YAML error into a one-line problem at a file line:
// YAML line n is file line first+n-1, and an error YAML reports without a
// line is on the first. Of several unmarshal errors (one per line), the
// first is kept.
func yamlError(err error, first int, what string) *parseError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimSpace(strings.TrimPrefix(msg, "unmarshal errors:"))
	msg, _, _ = strings.Cut(msg, "\n")
	line := first
	if m := yamlLineRe.FindStringSubmatchIndex(msg); m != nil && m[0] == 0 {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		line = first + n - 1
		msg = strings.TrimSpace(strings.TrimPrefix(msg[m[1]:], ":"))
	}
	// Lines named inside the message ("already defined at line 1") are
	// YAML lines too.
	msg = yamlLineRe.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "line "))
		return "line " + strconv.Itoa(first+n-1)
	})
	return &parseError{line: line, msg: what + ": " + msg}
}

func validPublished(s string) bool {
	for _, layout := range []string{"2006-01-02", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// mdWalker turns goldmark's syntax tree into blocks and references.
type mdWalker struct {
	src        []byte
	lineOffset int
	doc        *document
	footnotes  map[int]string // footnote index → its label

	headings []heading
	inRefs   bool
	refLevel int
	// looseRefs is set by a "Sources:" paragraph (not a heading): the
	// paragraphs and lists after it are references while they look like
	// references, up to the next heading.
	looseRefs bool
	// lastPara is the index in doc.blocks of the paragraph just read, or -1.
	lastPara int
	lists    int
	// footnoteRefs are the footnote definitions, which goldmark gathers at
	// the end of the document in order of first use.
	footnoteRefs []rawRef
	// err is a problem that makes the file unreadable.
	err error
}

type heading struct {
	level int
	text  string
}

func (w *mdWalker) walk(parent ast.Node) {
	w.lastPara = -1
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			w.heading(n)
			w.lastPara = -1
		case *ast.Paragraph, *ast.TextBlock:
			w.paragraph(n)
		case *extast.Table:
			w.addText(w.tableText(n), w.line(n))
		case *ast.List:
			w.list(n)
			w.lastPara = -1
		case *ast.Blockquote:
			w.walk(n)
		case *extast.FootnoteList:
			for fn := n.FirstChild(); fn != nil; fn = fn.NextSibling() {
				if f, ok := fn.(*extast.Footnote); ok {
					w.footnoteRefs = append(w.footnoteRefs, rawRef{label: string(f.Ref), text: w.blockText(f), line: w.line(f)})
				}
			}
		case *ast.HTMLBlock:
			raw := w.rawText(n)
			if strings.HasPrefix(raw, "<!--") && !strings.Contains(raw[4:], "-->") && w.err == nil {
				// An open comment runs to the end of the file, hiding it.
				w.err = &parseError{line: w.line(n), msg: "HTML comment is never closed with -->, so it would hide the rest of the file"}
			}
			if !w.questionsComment(n, raw) {
				w.lastPara = -1
			}
		default:
			// Code, HTML and thematic breaks are not prose to answer from.
			w.lastPara = -1
		}
	}
}

func (w *mdWalker) heading(h *ast.Heading) {
	title := w.inlineText(h)
	w.looseRefs = false
	if w.inRefs && h.Level <= w.refLevel {
		w.inRefs = false
	}
	if referencesRe.MatchString(title) {
		w.inRefs, w.refLevel = true, h.Level
		return
	}
	for len(w.headings) > 0 && w.headings[len(w.headings)-1].level >= h.Level {
		w.headings = w.headings[:len(w.headings)-1]
	}
	if len(w.headings) == 0 && h.Level == 1 && strings.EqualFold(title, w.doc.info.Title) {
		return // a repeat of the front-matter title is not a section
	}
	if w.doc.info.Title == "" && h.Level == 1 && len(w.doc.blocks) == 0 {
		w.doc.info.Title = title // no front matter title: the first H1 names the article
		return
	}
	w.headings = append(w.headings, heading{h.Level, title})
}

// maxQuestionsPerSection bounds what one comment adds to the index.
const maxQuestionsPerSection = 50

// questionsComment reads an HTML comment of the form
//
//	<!-- questions:
//	- how do members ask this?
//	-->
//
// whose inside is YAML, and files its questions under the current section.
// It reports whether the block was such a comment; a broken one is a
// warning, never a reason to skip the article.
func (w *mdWalker) questionsComment(n *ast.HTMLBlock, raw string) bool {
	body, ok := strings.CutPrefix(raw, "<!--")
	if !ok {
		return false
	}
	body, closed := strings.CutSuffix(body, "-->")
	start := strings.Index(body, "questions:")
	if start < 0 || strings.TrimSpace(body[:start]) != "" || !closed {
		return false // not ours, or unclosed: reported as such
	}
	// The YAML's first line is the file line "questions:" stands on.
	first := w.line(n) + strings.Count(body[:start], "\n")
	if w.inRefs {
		w.doc.problems = append(w.doc.problems, Problem{Line: first, Reason: "questions comment sits in the references, where no passage is; ignored"})
		return true
	}
	var c struct {
		Questions []string `yaml:"questions"`
	}
	if err := yaml.Unmarshal([]byte(body[start:]), &c); err != nil {
		pe := yamlError(err, first, "questions comment is not a YAML list of questions")
		w.doc.problems = append(w.doc.problems, Problem{Line: pe.line, Reason: pe.msg + "; ignored"})
		return true
	}
	if w.doc.questions == nil {
		w.doc.questions = map[string][]string{}
	}
	key := sectionKey(w.section())
	for _, q := range c.Questions {
		if q = collapseSpaces(strings.TrimSpace(q)); q != "" && len(w.doc.questions[key]) < maxQuestionsPerSection {
			w.doc.questions[key] = append(w.doc.questions[key], q)
		}
	}
	return true
}

// rawText returns an HTML block as written, without surrounding space.
func (w *mdWalker) rawText(n *ast.HTMLBlock) string {
	var raw strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		raw.Write(seg.Value(w.src))
	}
	if n.HasClosure() {
		closure := n.ClosureLine
		raw.Write(closure.Value(w.src))
	}
	return strings.TrimSpace(raw.String())
}

func (w *mdWalker) section() []string {
	out := make([]string, len(w.headings))
	for i, h := range w.headings {
		out[i] = h.text
	}
	return out
}

func (w *mdWalker) paragraph(n ast.Node) {
	w.addText(w.inlineText(n), w.line(n))
}

// addText adds a paragraph's text (or a table's) that starts at line: as
// a block, or in a reference section as reference entries.
func (w *mdWalker) addText(t string, line int) {
	if t == "" {
		return
	}
	if w.inRefs {
		w.addRefLines(t, line)
		return
	}
	if w.refsParagraph(t, line) {
		w.lastPara = -1
		return
	}
	w.doc.blocks = append(w.doc.blocks, block{section: w.section(), text: t, line: line})
	w.lastPara = len(w.doc.blocks) - 1
}

// refsParagraph reads a paragraph that labels a reference list without a
// heading: "Sources:" or "**References**" alone, or "Source: Alves E
// (2022) …" with the first entry after the label; and, after such a
// label, a paragraph that looks like a reference. It reports whether t
// was read as such.
func (w *mdWalker) refsParagraph(t string, line int) bool {
	first, rest, _ := strings.Cut(t, "\n")
	switch sub := sourceLineRe.FindStringSubmatch(first); {
	case referencesRe.MatchString(t):
		w.looseRefs = true
		return true
	case sub != nil && looksLikeReference(sub[1]):
		w.looseRefs = true
		w.addRefLines(strings.TrimSpace(sub[1]+"\n"+rest), line)
		return true
	case w.looseRefs && looksLikeReference(t):
		w.addRefLines(t, line)
		return true
	}
	w.looseRefs = false
	return false
}

// tableText renders a table as one line a row, each cell named by its
// column's header: "Food: kefir; Effect: maybe helps."
func (w *mdWalker) tableText(t *extast.Table) string {
	var header, rows []string
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		var cells []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, strings.ReplaceAll(w.inlineText(c), "\n", " "))
		}
		if _, ok := r.(*extast.TableHeader); ok {
			header = cells
			continue
		}
		var parts []string
		for i, c := range cells {
			if c == "" {
				continue
			}
			if i < len(header) && header[i] != "" {
				c = header[i] + ": " + c
			}
			parts = append(parts, c)
		}
		if len(parts) > 0 {
			rows = append(rows, strings.TrimRight(strings.Join(parts, "; "), ".")+".")
		}
	}
	return strings.Join(rows, "\n")
}

// addRefLines adds a paragraph of the reference section: one entry, or one
// entry per line when each line holds a year.
func (w *mdWalker) addRefLines(t string, line int) {
	lines := strings.Split(t, "\n")
	each := len(lines) > 1
	for _, l := range lines {
		if !yearRe.MatchString(l) {
			each = false
		}
	}
	if !each {
		lines = []string{strings.Join(lines, " ")}
	}
	for i, l := range lines {
		label, rest := splitRefLabel(l)
		if label == "" {
			label = strconv.Itoa(len(w.doc.refs) + 1)
		}
		w.doc.refs = append(w.doc.refs, rawRef{label: label, text: rest, line: line + i})
	}
}

func (w *mdWalker) list(l *ast.List) {
	w.lists++
	listID := w.lists
	leadIn := ""
	inRefs := w.inRefs
	if w.looseRefs {
		// After a "Sources:" paragraph, a list with a reference in it is
		// the list.
		inRefs = w.hasReference(l)
		w.looseRefs = inRefs
	}
	if w.lastPara >= 0 && !inRefs && w.hasItemText(l) {
		if p := w.doc.blocks[w.lastPara].text; strings.HasSuffix(strings.TrimSpace(p), ":") {
			// The lead-in lives on inside each item instead of alone.
			leadIn = p
			w.doc.blocks = w.doc.blocks[:w.lastPara]
		}
	}
	number := l.Start
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		t := w.blockText(item)
		if t == "" {
			continue
		}
		if inRefs {
			label := ""
			if l.IsOrdered() {
				label = strconv.Itoa(number)
			}
			if explicit, rest := splitRefLabel(t); explicit != "" {
				label, t = explicit, rest
			}
			if label == "" {
				label = strconv.Itoa(len(w.doc.refs) + 1)
			}
			w.doc.refs = append(w.doc.refs, rawRef{label: label, text: t, line: w.line(item)})
		} else {
			w.doc.blocks = append(w.doc.blocks, block{section: w.section(), text: t, leadIn: leadIn, line: w.line(item), list: listID})
		}
		number++
	}
}

// hasReference reports whether any item of l looks like a reference.
func (w *mdWalker) hasReference(l *ast.List) bool {
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		if looksLikeReference(w.blockText(item)) {
			return true
		}
	}
	return false
}

// hasItemText reports whether any item of l holds text, so a lead-in moved
// into its items is not lost with a list of images or code.
func (w *mdWalker) hasItemText(l *ast.List) bool {
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		if w.blockText(item) != "" {
			return true
		}
	}
	return false
}

// blockText flattens a container (list item, footnote) to one line of text.
func (w *mdWalker) blockText(n ast.Node) string {
	var parts []string
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch node := c.(type) {
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *extast.Table:
			t := ""
			if table, ok := c.(*extast.Table); ok {
				t = w.tableText(table)
			} else {
				t = w.inlineText(c)
			}
			if t = strings.ReplaceAll(t, "\n", " "); t != "" {
				parts = append(parts, t)
			}
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			if raw := w.rawText(node); strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(raw, "<!--")), "questions:") {
				w.doc.problems = append(w.doc.problems, Problem{Line: w.line(c), Reason: "questions comment inside a list item or footnote; put it under the heading; ignored"})
			}
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(parts, " ")
}

// inlineText renders a block's inline content as plain text. Soft line
// breaks become "\n" so reference sections can tell lines apart; callers
// that want prose fold them. Footnote references become "[^label]" so the
// marker reader treats all marker styles alike.
func (w *mdWalker) inlineText(n ast.Node) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(unescape(c.Segment.Value(w.src)))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte('\n')
			}
		case *ast.String:
			b.Write(unescape(c.Value))
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if s, ok := t.(*ast.Text); ok {
					b.Write(s.Segment.Value(w.src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			b.Write(c.URL(w.src))
			return ast.WalkSkipChildren, nil
		case *ast.Image, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *extast.FootnoteLink:
			if label, ok := w.footnotes[c.Index]; ok {
				b.WriteString("[^" + label + "]")
			}
		case *extast.FootnoteBacklink:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(collapseSpaces(b.String()))
}

func unescape(v []byte) []byte {
	return util.UnescapePunctuations(util.ResolveNumericReferences(util.ResolveEntityNames(bytes.Clone(v))))
}

// line returns the 1-based file line where block n starts.
func (w *mdWalker) line(n ast.Node) int {
	for c := n; c != nil; c = c.FirstChild() {
		if c.Type() == ast.TypeBlock && c.Lines().Len() > 0 {
			return lineAt(w.src, c.Lines().At(0).Start) + w.lineOffset
		}
	}
	if n.Pos() >= 0 {
		return lineAt(w.src, n.Pos()) + w.lineOffset
	}
	return 0
}
