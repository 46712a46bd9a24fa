package discordfake

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf16"
)

// Discord's limits (discord-api-docs, 2026-08).
const (
	maxContent       = 2000
	maxEmbeds        = 10
	maxEmbedTitle    = 256
	maxEmbedDesc     = 4096
	maxEmbedFields   = 25
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxFooterText    = 2048
	maxAuthorName    = 256
	maxEmbedTotal    = 6000
	maxActionRows    = 5
	maxRowButtons    = 5
	maxCustomID      = 100
	maxButtonLabel   = 80
	maxChoices       = 25
	maxChoiceName    = 100
	maxChoiceValue   = 100
	ephemeralFlag    = 1 << 6
	loadingFlag      = 1 << 7
	suppressEmbedsFl = 1 << 2
)

// textLen counts a string as Discord's limits do, conservatively: in UTF-16
// code units, so a character outside the BMP counts twice.
func textLen(s string) int {
	n := 0
	for _, r := range s { // invalid bytes range as U+FFFD, one unit
		n += utf16.RuneLen(r)
	}
	return n
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// validateMessage checks a message body (create, edit or interaction
// response data) against Discord's limits. creating requires the message to
// have something to show.
func validateMessage(m map[string]any, creating bool) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	content := str(m["content"])
	if n := textLen(content); n > maxContent {
		bad("content: %d characters, over %d", n, maxContent)
	}
	embeds, _ := m["embeds"].([]any)
	if len(embeds) > maxEmbeds {
		bad("embeds: %d, over %d", len(embeds), maxEmbeds)
	}
	total := 0
	for i, ev := range embeds {
		e, _ := ev.(map[string]any)
		if e == nil {
			bad("embeds[%d]: not an object", i)
			continue
		}
		check := func(field, s string, max int) {
			n := textLen(s)
			total += n
			if n > max {
				bad("embeds[%d].%s: %d characters, over %d", i, field, n, max)
			}
		}
		check("title", str(e["title"]), maxEmbedTitle)
		check("description", str(e["description"]), maxEmbedDesc)
		if u := str(e["url"]); u != "" && !validURL(u) {
			bad("embeds[%d].url: %q is not a valid http(s) URL", i, u)
		}
		if f, ok := e["footer"].(map[string]any); ok {
			check("footer.text", str(f["text"]), maxFooterText)
		}
		if a, ok := e["author"].(map[string]any); ok {
			check("author.name", str(a["name"]), maxAuthorName)
			if u := str(a["url"]); u != "" && !validURL(u) {
				bad("embeds[%d].author.url: %q is not a valid http(s) URL", i, u)
			}
		}
		fields, _ := e["fields"].([]any)
		if len(fields) > maxEmbedFields {
			bad("embeds[%d].fields: %d, over %d", i, len(fields), maxEmbedFields)
		}
		for j, fv := range fields {
			f, _ := fv.(map[string]any)
			name, value := str(f["name"]), str(f["value"])
			if strings.TrimSpace(name) == "" {
				bad("embeds[%d].fields[%d].name: empty", i, j)
			}
			if strings.TrimSpace(value) == "" {
				bad("embeds[%d].fields[%d].value: empty", i, j)
			}
			check(fmt.Sprintf("fields[%d].name", j), name, maxFieldName)
			check(fmt.Sprintf("fields[%d].value", j), value, maxFieldValue)
		}
	}
	if total > maxEmbedTotal {
		bad("embeds: %d characters in all, over %d", total, maxEmbedTotal)
	}
	comps, _ := m["components"].([]any)
	errs = append(errs, validateComponents(comps)...)
	if creating && strings.TrimSpace(content) == "" && len(embeds) == 0 && len(comps) == 0 {
		bad("cannot send an empty message")
	}
	return errs
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validateComponents(rows []any) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if len(rows) > maxActionRows {
		bad("components: %d rows, over %d", len(rows), maxActionRows)
	}
	seen := map[string]bool{}
	for i, rv := range rows {
		row, _ := rv.(map[string]any)
		if num(row["type"]) != 1 {
			bad("components[%d]: type %d, want an action row (1)", i, num(row["type"]))
			continue
		}
		children, _ := row["components"].([]any)
		if len(children) == 0 || len(children) > maxRowButtons {
			bad("components[%d]: %d buttons, want 1 to %d", i, len(children), maxRowButtons)
		}
		for j, cv := range children {
			c, _ := cv.(map[string]any)
			if num(c["type"]) != 2 {
				continue // selects and the like are not checked
			}
			id, label := str(c["custom_id"]), str(c["label"])
			style := num(c["style"])
			if textLen(label) > maxButtonLabel {
				bad("components[%d][%d].label: over %d characters", i, j, maxButtonLabel)
			}
			if label == "" && c["emoji"] == nil {
				bad("components[%d][%d]: a button needs a label or an emoji", i, j)
			}
			if style == 5 {
				if !validURL(str(c["url"])) {
					bad("components[%d][%d]: a link button needs a valid url", i, j)
				}
				continue
			}
			if n := textLen(id); n < 1 || n > maxCustomID {
				bad("components[%d][%d].custom_id: %d characters, want 1 to %d", i, j, n, maxCustomID)
			}
			if seen[id] {
				bad("components[%d][%d].custom_id: %q is used twice in one message", i, j, id)
			}
			seen[id] = true
		}
	}
	return errs
}

// validateChoices checks an autocomplete result.
func validateChoices(data map[string]any) []string {
	var errs []string
	choices, _ := data["choices"].([]any)
	if len(choices) > maxChoices {
		errs = append(errs, fmt.Sprintf("choices: %d, over %d", len(choices), maxChoices))
	}
	for i, cv := range choices {
		c, _ := cv.(map[string]any)
		if n := textLen(str(c["name"])); n < 1 || n > maxChoiceName {
			errs = append(errs, fmt.Sprintf("choices[%d].name: %d characters, want 1 to %d", i, n, maxChoiceName))
		}
		if v, ok := c["value"].(string); ok {
			if n := textLen(v); n < 1 || n > maxChoiceValue {
				errs = append(errs, fmt.Sprintf("choices[%d].value: %d characters, want 1 to %d", i, n, maxChoiceValue))
			}
		}
	}
	return errs
}

// mentionsProblem returns why a message body's allowed_mentions is not the
// project's rule ({"parse": []}), or "".
func mentionsProblem(m map[string]any) string {
	am, ok := m["allowed_mentions"].(map[string]any)
	if !ok {
		return "no allowed_mentions"
	}
	parse, ok := am["parse"].([]any)
	if !ok {
		return fmt.Sprintf("allowed_mentions.parse is %v, want []", am["parse"])
	}
	if len(parse) != 0 {
		return fmt.Sprintf("allowed_mentions.parse is %v, want []", parse)
	}
	if u, _ := am["users"].([]any); len(u) > 0 {
		return "allowed_mentions.users is not empty"
	}
	if r, _ := am["roles"].([]any); len(r) > 0 {
		return "allowed_mentions.roles is not empty"
	}
	if am["replied_user"] == true {
		return "allowed_mentions.replied_user is true"
	}
	return ""
}
