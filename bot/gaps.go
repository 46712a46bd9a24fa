package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"gutskin/corpus"
	"gutskin/internal/gaps"
)

// Recorder keeps what members asked and how they rated answers, for /gaps.
// The real one is *gaps.Store, which stores member and guild IDs only as
// keyed hashes.
type Recorder interface {
	// RecordQuestion stores a question, answered or not.
	RecordQuestion(ctx context.Context, q gaps.Question) error
	// RecordVote stores a 👍 or 👎 on a passage.
	RecordVote(ctx context.Context, v gaps.Vote) error
	// Report reads the last days days; terms tells which questions ask
	// the same thing.
	Report(ctx context.Context, days int, terms func(string) []string) (gaps.Report, error)
}

// Defaults of /gaps.
const (
	cmdGaps         = "gaps"
	optDays         = "days"
	defaultGapsDays = 30
	maxGapsDays     = 365
	recordTimeout   = 10 * time.Second
	maxGapLines     = 15
)

// record stores a question or a vote once the reply is on its way, so that
// a slow disk never delays one. It must be called from tracked work, which
// keeps shutdown waiting for it.
func (b *Bot) record(what string, fn func(ctx context.Context, r Recorder) error) {
	if b.opts.Gaps == nil {
		return
	}
	b.inflight.Add(1)
	go func() {
		defer b.inflight.Done()
		ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
		defer cancel()
		if err := fn(ctx, b.opts.Gaps); err != nil {
			b.log.Warn("not recorded for /gaps", "what", what, "error", err)
		}
	}()
}

// recordQuestion records a searched question and what it got.
func (b *Bot) recordQuestion(guildID, memberID, via, question string, a corpus.Answer) {
	q := gaps.Question{GuildID: guildID, MemberID: memberID, Via: via, Text: question, Answered: len(a.Hits) > 0}
	if q.Answered {
		q.PassageID, q.Article = a.Hits[0].Passage.ID, a.Hits[0].Passage.Article.Title
	}
	b.record("question", func(ctx context.Context, r Recorder) error { return r.RecordQuestion(ctx, q) })
}

// gapsCommand shows moderators what went unanswered and what was rated 👎.
func (b *Bot) gapsCommand(ctx context.Context, r *reply) outcome {
	if !b.isModerator(r.i) {
		return b.simple(ctx, r, textMessage("Only the library's moderators can see what members asked."), "refused")
	}
	if b.opts.Gaps == nil {
		return b.simple(ctx, r, textMessage("Nothing is recorded: this bot has no data folder. The operator sets DATA_DIR (the container uses /data)."), "no_store")
	}
	d, _ := r.i.Data.(discordgo.ApplicationCommandInteractionData)
	days := defaultGapsDays
	for _, o := range d.Options {
		if o.Name == optDays {
			if v, ok := o.Value.(float64); ok && v >= 1 && v <= maxGapsDays {
				days = int(v)
			}
		}
	}
	if err := r.deferReply(ctx, true); err != nil {
		return outcome{result: "lost", err: err}
	}
	rep, err := b.opts.Gaps.Report(ctx, days, b.opts.Terms)
	if err != nil {
		b.log.Warn("gaps report failed", "error", err)
		return outcome{result: "error", err: r.send(ctx, textMessage("Could not read what members asked just now; the log says why. Please try again in a moment."), true)}
	}
	return outcome{result: "reported", err: r.send(ctx, gapsMessage(rep), true)}
}

// gapsMessage renders a report: who asked is never shown, and was never
// stored.
func gapsMessage(rep gaps.Report) message {
	desc := fmt.Sprintf("Last %d day%s: **%d question%s**", rep.Days, plural(rep.Days), rep.Questions, plural(rep.Questions))
	if rep.Questions > 0 {
		desc += fmt.Sprintf(", %d answered (%.0f%%).", rep.Answered, 100*rep.AnsweredRate)
	} else {
		desc += "."
	}
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: embedColor, Title: "What members asked", Description: desc}
	var unanswered []string
	for i, g := range rep.Gaps {
		if i == maxGapLines {
			unanswered = append(unanswered, fmt.Sprintf("… and %d more groups (`gutskin gaps` lists them all)", len(rep.Gaps)-i))
			break
		}
		unanswered = append(unanswered, fmt.Sprintf("• **%d×** %s", g.Count, escapeMarkdown(ellipsize(strings.TrimSpace(g.Example), 150))))
	}
	if len(unanswered) == 0 {
		unanswered = []string{"None: every question got an answer."}
	}
	e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Unanswered, most asked first", Value: packLines(unanswered, limitFieldValue)})
	var down []string
	for _, d := range rep.Downvoted {
		line := fmt.Sprintf("• **%d 👎** · %d 👍 — %s (`%s`)", d.Down, d.Up, escapeMarkdown(ellipsize(orUntitled(d.Article), 100)), escapeMarkdown(ellipsize(d.PassageID, 40)))
		if d.Example != "" {
			line += "\n  asked: " + escapeMarkdown(ellipsize(d.Example, 120))
		}
		down = append(down, line)
	}
	if len(down) == 0 {
		down = []string{"No passage was rated 👎."}
	}
	e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Passages rated 👎 most", Value: packLines(down, limitFieldValue)})
	e.Footer = &discordgo.MessageEmbedFooter{Text: "Who asked is never stored or shown."}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

func orUntitled(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(article unknown)"
	}
	return s
}
