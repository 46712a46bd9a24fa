package bot

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"gutskin/corpus"
)

// FuzzParseCustomID: whatever a client sends as custom_id, decoding never
// panics, and what decodes re-encodes to the same string within 100
// characters.
func FuzzParseCustomID(f *testing.F) {
	for _, s := range []string{"gs:n:abc234:1", "gs:v:u:abc234:0:3ac7f2025160", "gs:v:d:k:2:a:b:c", "gs:s:3", "gs:n:abc:01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCustomID(s)
		if err != nil {
			return
		}
		if got := c.encode(); got != s {
			t.Errorf("parse(%q) = %+v re-encodes to %q", s, c, got)
		}
		if len(s) > maxCustomIDLen {
			t.Errorf("accepted %d characters", len(s))
		}
	})
}

var leftoverMention = regexp.MustCompile(`<(@[!&]?|#)\d{1,25}>`)

// FuzzQuestionFromMessage: stripping the bot's mention and cleaning a
// member's text never panics and yields valid, bounded text without mention
// tokens.
func FuzzQuestionFromMessage(f *testing.F) {
	f.Add("<@42> does kefir help acne?", "42")
	f.Add("<@!42><@42> <@&7> <#9>\n\t hi", "42")
	f.Add("\xff\xfe<@42>", "42")
	f.Add(strings.Repeat("é", 600), "")
	f.Fuzz(func(t *testing.T, content, botID string) {
		rest, mentioned := stripMention(content, botID)
		if mentioned && botID != "" && strings.Contains(rest, "<@"+botID+">") {
			t.Errorf("mention left in %q", rest)
		}
		q := cleanQuestion(rest)
		if !utf8.ValidString(q) {
			t.Errorf("invalid UTF-8: %q", q)
		}
		if textLen(q) > maxQuestion {
			t.Errorf("%d characters, over %d", textLen(q), maxQuestion)
		}
		if q != strings.TrimSpace(q) || strings.Contains(q, "  ") {
			t.Errorf("untidy whitespace: %q", q)
		}
		if leftoverMention.MatchString(q) {
			t.Errorf("mention token left in %q", q)
		}
	})
}

// FuzzRenderPassage: any passage text and highlight renders within its
// budget as valid UTF-8.
func FuzzRenderPassage(f *testing.F) {
	f.Add("Kefir is a fermented milk drink. It is sour.", 0, 5, 30)
	f.Add(strings.Repeat("**__~~||`` ", 50), 3, 40, 120)
	f.Add("Ω😀 e.g. x. "+strings.Repeat("y", 300), 1, 7, 100)
	f.Fuzz(func(t *testing.T, text string, start, end, budget int) {
		if budget < 100 || budget > limitDescription {
			budget = 100 + abs(budget)%limitDescription
			if budget > limitDescription {
				budget = limitDescription
			}
		}
		out := renderPassage(text, []corpus.Span{{Start: start, End: end}}, budget, "https://example.org/a")
		if textLen(out) > budget {
			t.Errorf("%d characters, over %d", textLen(out), budget)
		}
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Errorf("invalid UTF-8 out of valid text: %q", out)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // the smallest int
			return 0
		}
		return -n
	}
	return n
}
