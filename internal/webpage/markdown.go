package webpage

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// toMarkdown writes the article at root as Markdown.
func toMarkdown(root *html.Node, pageURL *url.URL) (string, error) {
	conv := converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		// No "<!--THE END-->" comment between adjacent lists: the corpus
		// reader would keep it as an HTML block.
		commonmark.NewCommonmarkPlugin(commonmark.WithListEndComment(false)),
		// The corpus reader parses GFM tables and strikethrough.
		table.NewTablePlugin(),
		strikethrough.NewStrikethroughPlugin(),
	))
	// The converter merges adjacent text nodes one concatenation at a time,
	// which is slow for the many that replacing markers leaves.
	mergeTextNodes(root)
	var out []byte
	err := protect("Markdown converter", func() error {
		var err error
		out, err = conv.ConvertNode(root, converter.WithDomain(pageURL.String()))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("convert to Markdown: %w", err)
	}
	return tidyMarkdown(string(out)), nil
}

// mergeTextNodes joins every run of adjacent text nodes below root into
// one.
func mergeTextNodes(root *html.Node) {
	for n := range root.Descendants() {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.TextNode || c.NextSibling == nil || c.NextSibling.Type != html.TextNode {
				continue
			}
			var b strings.Builder
			b.WriteString(c.Data)
			for c.NextSibling != nil && c.NextSibling.Type == html.TextNode {
				b.WriteString(c.NextSibling.Data)
				n.RemoveChild(c.NextSibling)
			}
			c.Data = b.String()
		}
	}
}

// escapedMarkerRe is a citation marker the converter escaped: `\[1]`,
// `\[1, 2]` or `\[1–3]`.
var escapedMarkerRe = regexp.MustCompile(`\\\[(\^?\d{1,4}(?:\s*[-–—]\s*\d{1,4})?(?:\s*[,;]\s*\d{1,4}(?:\s*[-–—]\s*\d{1,4})?)*)\]`)

// unescapeMarkers turns the converter's `\[1]` back into "[1]", except
// where "(" or "[" follows, or ":" at the start of a line, which would make
// it a link or a link definition.
func unescapeMarkers(md string) string {
	var b strings.Builder
	last := 0
	line, scanned := 0, 0 // where the line of the match starts; how far that is known
	for _, m := range escapedMarkerRe.FindAllStringSubmatchIndex(md, -1) {
		if i := strings.LastIndexByte(md[scanned:m[0]], '\n'); i >= 0 {
			line = scanned + i + 1
		}
		scanned = m[0]
		if m[1] < len(md) {
			next := md[m[1]]
			if next == '(' || next == '[' || next == ':' && strings.TrimLeft(md[line:m[0]], " ") == "" {
				continue
			}
		}
		b.WriteString(md[last:m[0]])
		b.WriteString("[" + md[m[2]:m[3]] + "]")
		last = m[1]
	}
	b.WriteString(md[last:])
	return b.String()
}

// blankLinesRe is a run of blank lines.
var blankLinesRe = regexp.MustCompile(`\n[ \t]*\n(?:[ \t]*\n)+`)

// tidyMarkdown undoes the converter's escaping of citation markers, and
// leaves only valid, NFC-normalised text without control characters, with
// no trailing space and no run of blank lines.
func tidyMarkdown(md string) string {
	md = unescapeMarkers(md)
	md = invisible.Replace(strings.ToValidUTF8(md, "\uFFFD"))
	md = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		if r == '\r' || r == '\v' || r == '\f' {
			return '\n'
		}
		return -1
	}, md)
	md = norm.NFC.String(md)
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	md = blankLinesRe.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	md = strings.TrimSpace(md)
	if md == "" {
		return ""
	}
	return md + "\n"
}
