package webpage

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// attr returns n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// setAttr sets n's attribute key to val.
func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

// textOf returns the text below n, as written.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// invisible are characters that carry nothing in text taken from a page:
// the soft hyphen, zero-width spaces and joiners, and the byte-order mark.
var invisible = strings.NewReplacer("\u00AD", "", "\u200B", "", "\u200C", "", "\u200D", "", "\u2060", "", "\uFEFF", "")

// clean makes s one line of valid text: invalid UTF-8 replaced, control
// and invisible characters removed, white space collapsed.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(invisible.Replace(s)), " ")
}

// textLengths returns the number of non-space characters below every node
// of the tree at root, scripts and styles not counted.
func textLengths(root *html.Node) map[*html.Node]int {
	lens := map[*html.Node]int{}
	var walk func(n *html.Node) int
	walk = func(n *html.Node) int {
		total := 0
		if n.Type == html.TextNode {
			for _, r := range n.Data {
				if !unicode.IsSpace(r) {
					total++
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			total += walk(c)
		}
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "template") {
			total = 0
		}
		lens[n] = total
		return total
	}
	walk(root)
	return lens
}

// isInside reports whether n is inner or below it.
func isInside(n, inner *html.Node) bool {
	if n == nil || inner == nil {
		return false
	}
	for c := n; c != nil; c = c.Parent {
		if c == inner {
			return true
		}
	}
	return false
}

// inSVG reports whether n is inside an <svg> (whose <title> is no page's).
func inSVG(n *html.Node) bool {
	for a := range n.Ancestors() {
		if a.Type == html.ElementNode && a.Data == "svg" {
			return true
		}
	}
	return false
}

// classTokens returns the words of n's class and id, lowercased and split
// at anything that is not a letter or digit: "share-bar" gives "share" and
// "bar".
func classTokens(n *html.Node) []string {
	return strings.FieldsFunc(strings.ToLower(attr(n, "class")+" "+attr(n, "id")), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// remove takes n out of the tree.
func remove(n *html.Node) {
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

// unwrap replaces n by its children.
func unwrap(n *html.Node) {
	p := n.Parent
	if p == nil {
		return
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		p.InsertBefore(c, n)
		c = next
	}
	p.RemoveChild(n)
}

// replaceWithText replaces n by a text node holding s.
func replaceWithText(n *html.Node, s string) {
	if n.Parent == nil {
		return
	}
	n.Parent.InsertBefore(&html.Node{Type: html.TextNode, Data: s}, n)
	n.Parent.RemoveChild(n)
}

// elements returns the elements below root named one of names, in document
// order, so the caller may change the tree while going through them.
func elements(root *html.Node, names ...string) []*html.Node {
	var out []*html.Node
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, name := range names {
			if n.Data == name {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// blockTags end a run of inline text.
var blockTags = map[string]bool{
	"p": true, "div": true, "li": true, "ul": true, "ol": true, "dl": true, "dt": true, "dd": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true,
	"section": true, "article": true, "table": true, "tr": true, "td": true, "th": true, "pre": true,
	"figure": true, "figcaption": true, "header": true, "footer": true, "main": true, "br": true, "hr": true,
}

// charBefore returns the last character of the text that precedes n within
// its block, or 0 when n starts its block. It looks at no more than a few
// hundred nodes, so a page of many markers stays linear.
func charBefore(n *html.Node) rune {
	budget := 300
	for cur := n; cur != nil && budget > 0; cur = cur.Parent {
		for s := cur.PrevSibling; s != nil && budget > 0; s = s.PrevSibling {
			if s.Type == html.ElementNode && blockTags[s.Data] {
				return 0
			}
			if r := lastRune(s, &budget); r != 0 {
				return r
			}
		}
		if p := cur.Parent; p == nil || p.Type == html.ElementNode && blockTags[p.Data] {
			return 0
		}
	}
	return 0
}

// lastRune returns the last character of the text below n, or 0 when it
// has none or *budget nodes have been looked at.
func lastRune(n *html.Node, budget *int) rune {
	*budget--
	if *budget < 0 {
		return 0
	}
	if n.Type == html.TextNode {
		r, _ := utf8.DecodeLastRuneInString(n.Data)
		if r == utf8.RuneError {
			return 0
		}
		return r
	}
	for c := n.LastChild; c != nil && *budget > 0; c = c.PrevSibling {
		if r := lastRune(c, budget); r != 0 {
			return r
		}
	}
	return 0
}

// headingLevel returns 1–6 for h1–h6 and 0 for anything else.
func headingLevel(n *html.Node) int {
	if n.Type == html.ElementNode && len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
		return int(n.Data[1] - '0')
	}
	return 0
}

// setHeadingLevel renames heading n to h<level>, level kept within 1–6.
func setHeadingLevel(n *html.Node, level int) {
	level = min(max(level, 1), 6)
	n.Data = "h" + string(rune('0'+level))
	n.DataAtom = atom.Lookup([]byte(n.Data))
}
