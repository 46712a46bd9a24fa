package bot

import (
	"context"
	"time"

	"github.com/bwmarrin/discordgo"
)

// cooldownEmoji is the reaction a mention over the cooldown gets: a mention
// cannot be answered privately, and a public "slow down" would be noise.
const cooldownEmoji = "⏳"

func (b *Bot) onMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	if m == nil || m.Author == nil || m.Author.Bot {
		return
	}
	_, botID := b.ids()
	if m.Author.ID == botID {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	rest, mentioned := stripMention(m.Content, botID)
	if !mentioned {
		return
	}
	recv := time.Now()
	b.goWork(kindMention, func() {
		out := b.handleMention(b.workCtx, m, rest)
		b.logOutcome(kindMention, recv, nil, out)
	})
}

// handleMention answers "@gutskin <question>" with a reply to the message.
func (b *Bot) handleMention(ctx context.Context, m *discordgo.Message, text string) outcome {
	q := cleanQuestion(text)
	if q == "" {
		err := b.replyTo(ctx, m, textMessage("Ask me a question after the mention, for example *@gutskin does kefir help acne?*, or use `/ask`."))
		return outcome{result: "empty", err: err}
	}
	if _, ok := b.cooldown.take(m.Author.ID, time.Now()); !ok {
		err := b.call(ctx, time.Now().Add(followupBudget), "cooldown reaction", false, func(opts ...discordgo.RequestOption) error {
			return b.session.MessageReactionAdd(m.ChannelID, m.ID, cooldownEmoji, opts...)
		})
		return outcome{result: "cooldown", err: err}
	}
	sctx, cancel := context.WithTimeout(ctx, searchTimeout)
	a, err := b.engine.Answer(sctx, q, hitsPerAnswer)
	cancel()
	switch {
	case err != nil:
		b.log.Error("search failed", "error", err)
		err := b.replyTo(ctx, m, textMessage("Sorry, searching failed just now. Please try again in a moment."))
		return outcome{result: "error", err: err}
	case len(a.Hits) == 0:
		err := b.replyTo(ctx, m, noAnswerMessage(a))
		b.recordQuestion(m.GuildID, m.Author.ID, kindMention, q, a)
		return outcome{result: "no_answer", err: err}
	}
	key := b.answers.put(m.Author.ID, a)
	err = b.replyTo(ctx, m, answerMessage(a, 0, key))
	b.recordQuestion(m.GuildID, m.Author.ID, kindMention, q, a)
	return outcome{result: "answer", passage: a.Hits[0].Passage.ID, err: err}
}

// replyTo sends msg as a reply to m, without pinging its author.
func (b *Bot) replyTo(ctx context.Context, m *discordgo.Message, msg message) error {
	msg = nonNil(msg)
	send := &discordgo.MessageSend{
		Content:         msg.Content,
		Embeds:          msg.Embeds,
		Components:      msg.Components,
		AllowedMentions: noMentions(),
		Reference: &discordgo.MessageReference{
			MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: ptr(false),
		},
	}
	return b.call(ctx, time.Now().Add(followupBudget), "reply", false, func(opts ...discordgo.RequestOption) error {
		_, err := b.session.ChannelMessageSendComplex(m.ChannelID, send, opts...)
		return err
	})
}
