package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"gutskin/corpus"
)

// Budgets chosen well inside Discord's limits, so every embed fits by
// construction: title 256, description 1800, Sources 7 + 1024, the
// article's sources 46 + 1024, See also 8 + 600, footer 200; 4965 < 6000.
const (
	passageBudget = 1800 // description: section line + passage
	seeAlsoBudget = 600
	maxRefLine    = 400
	maxSeeAlso    = 3
	maxSuggest    = 3
	sourcesPage   = 10
	sourcesBudget = 3500
)

const disclaimer = "Not medical advice. See a clinician for persistent or severe symptoms."

// embedColor is gutskin's accent colour.
const embedColor = 0x4f9d69

// message is one reply in any of Discord's shapes (interaction response,
// edit, follow-up, channel message).
type message struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
}

// noMentions is every message's allowed_mentions: parse nothing, so neither
// corpus text nor a member's words can ping anyone. Parse must be an empty,
// non-nil slice: a nil one is sent as null.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// renderPassage renders a passage's text with its highlights in bold, within
// budget (textLen). A passage too long is cut after the last sentence that
// fits, followed by "…" and a link to the article; with no sentence end in
// reach, it is cut at a word.
func renderPassage(text string, highlights []corpus.Span, budget int, source string) string {
	full := markup(text, highlights, len(text))
	if textLen(full) <= budget {
		return full
	}
	suffix := " …"
	if w := webURL(source); w != "" {
		suffix = " … [Read more](<" + w + ">)"
	}
	room := budget - textLen(suffix)
	ends := corpus.SentenceEnds(text)
	for i := len(ends) - 1; i >= 0; i-- {
		if ends[i] >= len(text) {
			continue
		}
		if s := markup(text, highlights, ends[i]); textLen(s) <= room {
			return s + suffix
		}
	}
	// No sentence fits: cut at the last word that does.
	for end := len(text); end > 0; {
		i := strings.LastIndexFunc(text[:end], unicode.IsSpace)
		if i <= 0 {
			break
		}
		end = i
		if s := markup(text, highlights, end); textLen(s) <= room {
			return strings.TrimRightFunc(s, unicode.IsPunct) + suffix
		}
	}
	return cut(escapeMarkdown(text), room) + suffix
}

// markup escapes text[:end] and bolds the highlighted spans inside it.
func markup(text string, highlights []corpus.Span, end int) string {
	var b strings.Builder
	pos := 0
	for _, h := range highlights {
		start, stop := h.Start, h.End
		if start < pos || start >= stop || stop > len(text) {
			continue // overlapping or out of range: ignore
		}
		if start >= end {
			break
		}
		if stop > end {
			stop = end
		}
		start, stop = runeStart(text, start), runeStart(text, stop)
		word := strings.TrimSpace(text[start:stop])
		if word == "" || start < pos {
			continue
		}
		b.WriteString(escapeMarkdown(text[pos:start]))
		b.WriteString("**" + escapeMarkdown(text[start:stop]) + "**")
		pos = stop
	}
	if pos < end {
		b.WriteString(escapeMarkdown(text[pos:end]))
	}
	return strings.TrimRightFunc(b.String(), unicode.IsSpace)
}

// runeStart moves i back to the start of the rune it falls in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && s[i]&0xC0 == 0x80 {
		i--
	}
	return i
}

// sectionLine is the passage's heading path, without the article title.
func sectionLine(p corpus.Passage) string {
	sec := p.Section
	if len(sec) > 0 && strings.EqualFold(strings.TrimSpace(sec[0]), strings.TrimSpace(p.Article.Title)) {
		sec = sec[1:]
	}
	var parts []string
	for _, s := range sec {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "*" + escapeMarkdown(ellipsize(strings.Join(parts, " › "), 200)) + "*"
}

// referenceLine renders one citation.
func referenceLine(r corpus.Reference, article corpus.ArticleInfo) string {
	if r.Label == "" {
		title := article.Title
		if title == "" {
			title = "The article"
		}
		return "The article itself: " + link(ellipsize(title, 200), article.Source)
	}
	return ellipsize("**["+escapeMarkdown(ellipsize(r.Label, 10))+"]** "+referenceText(r), maxRefLine)
}

// referenceText renders a reference's text and its link (the DOI's, else
// its own), without its label.
func referenceText(r corpus.Reference) string {
	line := escapeMarkdown(ellipsize(strings.TrimSpace(r.Text), 260))
	switch {
	case r.DOI != "":
		u := r.URL
		if u == "" {
			u = "https://doi.org/" + r.DOI
		}
		line += " · " + link(ellipsize("doi.org/"+r.DOI, 100), u)
	case webURL(r.URL) != "":
		line += " · " + link("link", r.URL)
	}
	return line
}

// articleSourcesName names the field of an answer's article sources: the
// article's reference list, shown when the passage cites nothing of its own.
// The name says it does not back the passage.
const articleSourcesName = "Sources of the article (not specific to this passage)"

// articleSourcesField renders an answer's article sources as one field,
// formatted like the passage's own references and cut to the field's limit
// with "+N more"; nil when there are none.
func articleSourcesField(refs []corpus.Reference, article corpus.ArticleInfo) *discordgo.MessageEmbedField {
	var lines []string
	for _, r := range refs {
		switch {
		case r.Label != "":
			lines = append(lines, referenceLine(r, article))
		case strings.TrimSpace(r.Text) != "":
			// An unlabelled entry of the list, not the article itself
			// (which is what referenceLine says of a reference with no
			// label).
			lines = append(lines, ellipsize("• "+referenceText(r), maxRefLine))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return &discordgo.MessageEmbedField{Name: articleSourcesName, Value: packLines(lines, limitFieldValue)}
}

// packLines joins lines with newlines within max (textLen); lines that do
// not fit are summed up as "+N more".
func packLines(lines []string, max int) string {
	all := strings.Join(lines, "\n")
	if textLen(all) <= max {
		return all
	}
	var kept []string
	used := 0
	for i, l := range lines {
		more := fmt.Sprintf("+%d more", len(lines)-i)
		need := textLen(l) + 1
		if used+need+textLen(more) > max {
			kept = append(kept, more)
			return strings.Join(kept, "\n")
		}
		kept = append(kept, l)
		used += need
	}
	return strings.Join(kept, "\n")
}

// answerEmbed renders hit i of an answer.
func answerEmbed(a corpus.Answer, i int) *discordgo.MessageEmbed {
	h := a.Hits[i]
	p := h.Passage
	art := p.Article
	desc := renderPassage(p.Text, h.Highlights, passageBudget-210, art.Source)
	if s := sectionLine(p); s != "" {
		desc = s + "\n\n" + desc
	}
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       ellipsize(strings.TrimSpace(art.Title), limitTitle),
		URL:         webURL(art.Source),
		Description: desc,
		Color:       embedColor,
	}
	if e.Title == "" {
		e.Title = "From the library"
	}
	var refs []string
	for _, c := range p.Citations {
		refs = append(refs, referenceLine(c, art))
	}
	if len(refs) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Sources", Value: packLines(refs, limitFieldValue)})
	}
	if f := articleSourcesField(h.ArticleSources, art); f != nil {
		e.Fields = append(e.Fields, f)
	}
	var also []string
	for _, s := range a.SeeAlso {
		if len(also) == maxSeeAlso {
			break
		}
		if s.Title == "" || s.Title == art.Title {
			continue
		}
		also = append(also, "• "+link(ellipsize(s.Title, 150), s.Source))
	}
	if len(also) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "See also", Value: packLines(also, seeAlsoBudget)})
	}
	footer := disclaimer
	if len(a.Hits) > 1 {
		footer += " · Answer " + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(a.Hits))
	}
	e.Footer = &discordgo.MessageEmbedFooter{Text: footer}
	return e
}

// answerMessage renders hit i with its buttons; key names the stored answer
// ("" for no buttons).
func answerMessage(a corpus.Answer, i int, key string) message {
	m := message{Content: urgentLine(a.Urgent), Embeds: []*discordgo.MessageEmbed{answerEmbed(a, i)}}
	if key == "" {
		return m
	}
	var row []discordgo.MessageComponent
	if i+1 < len(a.Hits) {
		var ids []string
		for _, h := range a.Hits {
			ids = append(ids, h.Passage.ID)
		}
		row = append(row, discordgo.Button{Label: "Next answer", Style: discordgo.PrimaryButton,
			CustomID: customID{Action: actionNext, Key: key, Index: i + 1, Passages: ids}.encode()})
	}
	pid := a.Hits[i].Passage.ID
	row = append(row,
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👍"}, Style: discordgo.SecondaryButton,
			CustomID: customID{Action: actionVote, Up: true, Key: key, Index: i, PassageID: pid}.encode()},
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton,
			CustomID: customID{Action: actionVote, Up: false, Key: key, Index: i, PassageID: pid}.encode()},
	)
	m.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: row}}
	return m
}

// urgentLine renders the engine's urgent-sign line for the content above
// the embed.
func urgentLine(u string) string {
	u = strings.TrimSpace(u)
	if u == "" {
		return ""
	}
	return ellipsize("⚠️ **"+escapeMarkdown(u)+"**", 1000)
}

// noAnswerMessage is the short, kind reply when the library has no
// confident answer: related titles when there are any, never a random
// passage.
func noAnswerMessage(a corpus.Answer) message {
	var b strings.Builder
	if u := urgentLine(a.Urgent); u != "" {
		b.WriteString(u + "\n\n")
	}
	b.WriteString("I couldn't find a confident answer to that in the library.")
	var sugg []string
	for _, s := range a.Suggestions {
		if len(sugg) == maxSuggest {
			break
		}
		if s.Title != "" {
			sugg = append(sugg, "• "+link(ellipsize(s.Title, 150), s.Source))
		}
	}
	if len(sugg) > 0 {
		b.WriteString(" These articles may be related:\n" + strings.Join(sugg, "\n"))
		b.WriteString("\nYou could also try other words, or see everything with `/sources`.")
	} else {
		b.WriteString(" Try other words, or see what the library covers with `/sources`.")
	}
	return message{Content: ellipsize(b.String(), limitContent)}
}

// textMessage is a plain short reply.
func textMessage(s string) message { return message{Content: ellipsize(s, limitContent)} }

// helpMessage says what the bot does.
func helpMessage() message {
	e := &discordgo.MessageEmbed{
		Type:  discordgo.EmbedTypeRich,
		Title: "gutskin — answers about the gut–skin axis, with sources",
		Color: embedColor,
		Description: strings.Join([]string{
			"I answer questions from a library of cited articles, quoting the passage and its references.",
			"",
			"• `/ask question:` — ask in plain words, e.g. *does kefir help acne?* Add `private: True` to see the answer alone.",
			"• Mention me with your question: *@gutskin is fermented food good for eczema?*",
			"• Right-click a message → **Apps → Find sources** to look up what it says (only you see the answer).",
			"• `/sources` lists the articles in the library.",
			"",
			"Under an answer: **Next answer** shows the next-best passage; 👍 / 👎 tell the moderators whether it helped.",
			"",
			"Moderators: `/library` adds, updates, removes and restores articles, from a file or a web page; `/gaps` shows what went unanswered; `/reindex` reloads the library folder.",
		}, "\n"),
		Footer: &discordgo.MessageEmbedFooter{Text: disclaimer},
	}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// sourcesPages splits the library's articles into pages.
func sourcesPages(arts []corpus.ArticleInfo) [][]string {
	var pages [][]string
	var cur []string
	used := 0
	for n, a := range arts {
		line := strconv.Itoa(n+1) + ". " + link(ellipsize(a.Title, 200), a.Source)
		var meta []string
		if a.Author != "" {
			meta = append(meta, escapeMarkdown(ellipsize(a.Author, 80)))
		}
		if a.Published != "" {
			meta = append(meta, escapeMarkdown(ellipsize(a.Published, 20)))
		}
		if len(meta) > 0 {
			line += " — " + strings.Join(meta, ", ")
		}
		line = ellipsize(line, 600)
		if len(cur) == sourcesPage || used+textLen(line)+1 > sourcesBudget {
			pages = append(pages, cur)
			cur, used = nil, 0
		}
		cur = append(cur, line)
		used += textLen(line) + 1
	}
	if len(cur) > 0 {
		pages = append(pages, cur)
	}
	return pages
}

// sourcesMessage renders page p (clamped) of the library's articles.
func sourcesMessage(arts []corpus.ArticleInfo, p int) message {
	if len(arts) == 0 {
		return textMessage("The library is empty for now.")
	}
	pages := sourcesPages(arts)
	if p >= len(pages) {
		p = len(pages) - 1
	}
	if p < 0 {
		p = 0
	}
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       fmt.Sprintf("The library: %d article%s", len(arts), plural(len(arts))),
		Description: strings.Join(pages[p], "\n"),
		Color:       embedColor,
	}
	m := message{Embeds: []*discordgo.MessageEmbed{e}}
	if len(pages) > 1 {
		e.Footer = &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Page %d of %d", p+1, len(pages))}
		var row []discordgo.MessageComponent
		if p > 0 {
			row = append(row, discordgo.Button{Label: "◀ Previous", Style: discordgo.SecondaryButton,
				CustomID: customID{Action: actionSources, Index: p - 1}.encode()})
		}
		if p+1 < len(pages) {
			row = append(row, discordgo.Button{Label: "Next ▶", Style: discordgo.SecondaryButton,
				CustomID: customID{Action: actionSources, Index: p + 1}.encode()})
		}
		m.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: row}}
	}
	return m
}

// reportMessage renders a rebuild's outcome for the moderator. A failed
// rebuild (another one running, a library with no articles, an unreadable
// folder) is told in the engine's words; the current library then stays.
func reportMessage(rep corpus.Report, err error) message {
	var b []string
	title := "Library rebuilt"
	if err != nil {
		title = "Library not rebuilt"
		msg := strings.TrimSpace(err.Error())
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		b = append(b, escapeMarkdown(ellipsize(msg, 500))+".", "Answers keep coming from the current library.")
	} else {
		b = append(b,
			fmt.Sprintf("**Articles:** %d added, %d removed, %d changed — %d in total.",
				rep.Articles.Added, rep.Articles.Removed, rep.Articles.Changed, rep.Articles.Total),
			fmt.Sprintf("**Passages:** %d in total (%d added, %d removed).",
				rep.Passages.Total, rep.Passages.Added, rep.Passages.Removed))
	}
	var lines []string
	for _, p := range rep.Skipped {
		lines = append(lines, "• "+escapeMarkdown(ellipsize(p.String(), 300)))
	}
	switch {
	case len(lines) > 0:
		b = append(b, "", fmt.Sprintf("**Skipped %d file%s:**", len(lines), plural(len(lines))), packLines(lines, 1200))
	case err == nil:
		b = append(b, "", "No files skipped.")
	}
	var warn []string
	for _, w := range rep.Warnings {
		if err != nil && w == err.Error() {
			continue // already said above
		}
		warn = append(warn, "• "+escapeMarkdown(ellipsize(w, 300)))
	}
	if len(warn) > 0 {
		b = append(b, "", fmt.Sprintf("**Warnings (%d):**", len(warn)), packLines(warn, 1200))
	}
	if err == nil || rep.DurationMS > 0 {
		b = append(b, "", "Took "+(time.Duration(rep.DurationMS)*time.Millisecond).String()+".")
	}
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       title,
		Description: ellipsize(strings.Join(b, "\n"), limitDescription),
		Color:       embedColor,
	}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}
