package bot

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
)

// Discord's length limits (GUIDE §3). Lengths are counted by textLen.
const (
	limitContent     = 2000
	limitTitle       = 256
	limitDescription = 4096
	limitFieldName   = 256
	limitFieldValue  = 1024
	limitFooter      = 2048
	limitEmbedTotal  = 6000
	limitChoices     = 25
	limitChoice      = 100
)

// textLen counts s as Discord's limits do, conservatively: in UTF-16 code
// units, so an emoji outside the BMP counts as two.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// cut returns the longest prefix of s (on a rune boundary) whose textLen is
// at most max.
func cut(s string, max int) string {
	if max <= 0 {
		return ""
	}
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > max {
			return s[:i]
		}
	}
	return s
}

// ellipsize shortens s to at most max (textLen), cutting at a word boundary
// when one is near and ending in "…".
func ellipsize(s string, max int) string {
	if textLen(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	head := cut(s, max-1)
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i > len(head)/2 {
		head = head[:i]
	}
	return strings.TrimRightFunc(head, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ')' }) + "…"
}

// markdownSpecial are the characters that change Discord's rendering
// mid-text.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, "~", `\~`, "`", "\\`", `|`, `\|`, `[`, `\[`, `]`, `\]`,
)

// escapeMarkdown makes text render literally (mentions still render, and
// never ping: every message sets allowed_mentions parse to []).
func escapeMarkdown(s string) string {
	s = markdownEscaper.Replace(s)
	// A line starting with '>' or '#' or "- " would become a quote, a
	// heading or a list.
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		if strings.HasPrefix(t, ">") || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "- ") {
			lines[i] = l[:len(l)-len(t)] + `\` + t
		}
	}
	return strings.Join(lines, "\n")
}

// maxURL bounds the URLs the bot sends (embed URLs and links), so that
// messages fit by construction.
const maxURL = 2000

// webURL returns u, normalized, when it is an absolute http(s) URL Discord
// will accept in an embed or link and at most maxURL long, else "". The
// length is that of the normalized URL, which percent-encoding can make
// several times longer than u.
func webURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	if s := p.String(); len(s) <= maxURL {
		return s
	}
	return ""
}

// link renders a masked link, or just the text when the URL is unusable.
// The text is escaped; the URL is wrapped in <> so Discord shows no
// preview.
func link(text, u string) string {
	text = escapeMarkdown(text)
	if w := webURL(u); w != "" {
		return "[" + text + "](<" + strings.ReplaceAll(w, ">", "%3E") + ">)"
	}
	return text
}

var (
	mentionToken = regexp.MustCompile(`<(@[!&]?|#)\d{1,25}>`)
	spaceRun     = regexp.MustCompile(`\s+`)
)

// maxQuestion bounds the question text the bot searches for.
const maxQuestion = 500

// cleanQuestion turns a member's text into a search question: mention and
// channel tokens out, whitespace collapsed, length bounded.
func cleanQuestion(s string) string {
	s = mentionToken.ReplaceAllString(s, " ")
	s = strings.ToValidUTF8(s, " ")
	s = strings.TrimSpace(spaceRun.ReplaceAllString(s, " "))
	if len(s) > maxQuestion {
		s = cut(s, maxQuestion)
		if i := strings.LastIndexByte(s, ' '); i > maxQuestion/2 {
			s = s[:i]
		}
	}
	return s
}

// mentionsUser reports whether content mentions the user explicitly (<@id>
// or <@!id>), and returns the content with those mentions removed.
func stripMention(content, userID string) (rest string, mentioned bool) {
	if userID == "" {
		return content, false
	}
	for _, tok := range []string{"<@" + userID + ">", "<@!" + userID + ">"} {
		if strings.Contains(content, tok) {
			mentioned = true
			content = strings.ReplaceAll(content, tok, " ")
		}
	}
	return content, mentioned
}
