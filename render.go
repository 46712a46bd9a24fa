package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"gutskin/corpus"
)

// notMedicalAdvice closes every answer.
const notMedicalAdvice = "Not medical advice. See a clinician for persistent or severe symptoms."

// jsonAnswer is the contract of `ask --json`: names and types are fixed,
// absent strings are "" and absent lists [], never null.
type jsonAnswer struct {
	Question    string        `json:"question"`
	Answers     []jsonPassage `json:"answers"`
	Urgent      string        `json:"urgent"`
	SeeAlso     []jsonArticle `json:"see_also"`
	Suggestions []jsonArticle `json:"suggestions"`
}

type jsonPassage struct {
	ID        string             `json:"id"`
	Passage   string             `json:"passage"`
	Section   string             `json:"section"`
	Score     float64            `json:"score"`
	Article   corpus.ArticleInfo `json:"article"`
	Citations []corpus.Reference `json:"citations"`
	// ArticleSources is the article's reference list when the passage cites
	// nothing of its own (see corpus.Hit); [] otherwise.
	ArticleSources []corpus.Reference `json:"article_sources"`
}

type jsonArticle struct {
	Title  string `json:"title"`
	Source string `json:"source"`
}

func toJSON(a corpus.Answer) jsonAnswer {
	out := jsonAnswer{Question: a.Question, Answers: []jsonPassage{}, Urgent: a.Urgent, SeeAlso: []jsonArticle{}, Suggestions: []jsonArticle{}}
	for _, h := range a.Hits {
		cites := h.Passage.Citations
		if cites == nil {
			cites = []corpus.Reference{}
		}
		sources := h.ArticleSources
		if sources == nil {
			sources = []corpus.Reference{}
		}
		out.Answers = append(out.Answers, jsonPassage{
			ID: h.Passage.ID, Passage: h.Passage.Text, Section: strings.Join(h.Passage.Section, " > "),
			Score: h.Score, Article: h.Passage.Article, Citations: cites, ArticleSources: sources,
		})
	}
	for _, s := range a.SeeAlso {
		out.SeeAlso = append(out.SeeAlso, jsonArticle{s.Title, s.Source})
	}
	for _, s := range a.Suggestions {
		out.Suggestions = append(out.Suggestions, jsonArticle{s.Title, s.Source})
	}
	return out
}

// writeText prints an answer for a person at a terminal. Matched terms are
// bold when the output is a terminal.
func writeText(w io.Writer, a corpus.Answer, bold bool) {
	if a.Urgent != "" {
		fmt.Fprintf(w, "!! %s\n\n", a.Urgent)
	}
	if len(a.Hits) == 0 {
		fmt.Fprintln(w, "I couldn't find an answer to that in the library.")
		if len(a.Suggestions) > 0 {
			fmt.Fprintln(w, "These articles come closest:")
			for _, s := range a.Suggestions {
				fmt.Fprintf(w, "  - %s%s\n", s.Title, linkSuffix(s.Source))
			}
		}
		return
	}
	for i, h := range a.Hits {
		if i > 0 {
			fmt.Fprintln(w)
		}
		p := h.Passage
		heading := p.Article.Title
		if len(p.Section) > 0 {
			heading += " › " + strings.Join(p.Section, " › ")
		}
		fmt.Fprintln(w, heading)
		fmt.Fprintln(w)
		text := p.Text
		if bold {
			text = emphasise(p.Text, h.Highlights, "\x1b[1m", "\x1b[0m")
		}
		fmt.Fprintln(w, wrap(text, 78, "  "))
		fmt.Fprintln(w)
		fmt.Fprintln(w, "  Sources")
		writeReferences(w, p.Citations)
		if len(h.ArticleSources) > 0 {
			fmt.Fprintln(w)
			fmt.Fprintln(w, "  "+articleSourcesHeading)
			writeReferences(w, h.ArticleSources)
		}
	}
	if len(a.SeeAlso) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "See also:")
		for _, s := range a.SeeAlso {
			fmt.Fprintf(w, "  - %s%s\n", s.Title, linkSuffix(s.Source))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, notMedicalAdvice)
}

// articleSourcesHeading introduces an answer's article sources: the
// article's reference list, shown when the passage cites nothing of its own,
// which must not read as backing the passage.
const articleSourcesHeading = "Sources of the article (not specific to this passage):"

// writeReferences prints references one per line, each with its label in
// brackets (blank for the article itself) and its link.
func writeReferences(w io.Writer, refs []corpus.Reference) {
	for _, c := range refs {
		label := "  "
		if c.Label != "" {
			label = "[" + c.Label + "]"
		}
		fmt.Fprintln(w, wrap(label+" "+c.Text+linkSuffix(linkFor(c)), 78, "  "))
	}
}

// linkFor is the link shown beside a reference, unless its text already
// holds it.
func linkFor(c corpus.Reference) string {
	if c.URL == "" || strings.Contains(c.Text, c.URL) {
		return ""
	}
	return c.URL
}

func linkSuffix(url string) string {
	if url == "" {
		return ""
	}
	return " · " + url
}

// emphasise wraps the highlighted byte ranges of text in open/close marks.
func emphasise(text string, spans []corpus.Span, open, close string) string {
	var b strings.Builder
	last := 0
	for _, s := range spans {
		if s.Start < last || s.End > len(text) || s.Start >= s.End {
			continue
		}
		b.WriteString(text[last:s.Start])
		b.WriteString(open + text[s.Start:s.End] + close)
		last = s.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// wrap breaks text into lines of at most width runes (ignoring escape
// codes), indenting each line.
func wrap(text string, width int, indent string) string {
	var lines []string
	line := ""
	visible := 0
	for _, word := range strings.Fields(text) {
		n := len([]rune(stripEscapes(word)))
		if visible > 0 && visible+1+n > width {
			lines = append(lines, indent+line)
			line, visible = "", 0
		}
		if visible > 0 {
			line += " "
			visible++
		}
		line += word
		visible += n
	}
	if line != "" {
		lines = append(lines, indent+line)
	}
	return strings.Join(lines, "\n")
}

func stripEscapes(s string) string {
	return strings.NewReplacer("\x1b[1m", "", "\x1b[0m", "").Replace(s)
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// writeReport prints a rebuild report for a moderator.
func writeReport(w io.Writer, r corpus.Report) {
	fmt.Fprintf(w, "Articles: %d in total (%d added, %d removed, %d changed)\n", r.Articles.Total, r.Articles.Added, r.Articles.Removed, r.Articles.Changed)
	fmt.Fprintf(w, "Passages: %d in total (%d added, %d removed)\n", r.Passages.Total, r.Passages.Added, r.Passages.Removed)
	if len(r.Skipped) > 0 {
		fmt.Fprintf(w, "Skipped %d file(s):\n", len(r.Skipped))
		for _, p := range r.Skipped {
			fmt.Fprintf(w, "  - %s\n", p)
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "Warnings:\n")
		for _, s := range r.Warnings {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
	fmt.Fprintf(w, "Took %d ms\n", r.DurationMS)
}
