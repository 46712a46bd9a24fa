package bot

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"gutskin/corpus"
	"gutskin/internal/gaps"
)

// Interaction kinds, as logged.
const (
	kindAsk          = "ask"
	kindFindSources  = "find_sources"
	kindMention      = "mention"
	kindSources      = "sources"
	kindHelp         = "help"
	kindReindex      = "reindex"
	kindLibrary      = "library"
	kindLibraryPress = "library_button"
	kindGaps         = "gaps"
	kindAutocomplete = "autocomplete"
	kindNext         = "next_answer"
	kindFeedback     = "feedback"
	kindSourcesPage  = "sources_page"
	kindUnknown      = "unknown"
)

// outcome is what a handler did, for the log line.
type outcome struct {
	result  string // answer, no_answer, cooldown, refused, …
	passage string
	err     error // a reply that could not be delivered, or a failure
}

func userID(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

func interactionKind(i *discordgo.Interaction) string {
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		d, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok {
			return kindUnknown
		}
		switch {
		case d.CommandType == discordgo.MessageApplicationCommand && d.Name == cmdFindSources:
			return kindFindSources
		case d.Name == cmdAsk:
			return kindAsk
		case d.Name == cmdSources:
			return kindSources
		case d.Name == cmdHelp:
			return kindHelp
		case d.Name == cmdReindex:
			return kindReindex
		case d.Name == cmdLibrary:
			return kindLibrary
		case d.Name == cmdGaps:
			return kindGaps
		}
	case discordgo.InteractionApplicationCommandAutocomplete:
		return kindAutocomplete
	case discordgo.InteractionMessageComponent:
		d, ok := i.Data.(discordgo.MessageComponentInteractionData)
		if !ok {
			return kindUnknown
		}
		c, err := parseCustomID(d.CustomID)
		if err != nil {
			return kindUnknown
		}
		switch c.Action {
		case actionNext:
			return kindNext
		case actionVote:
			return kindFeedback
		case actionSources:
			return kindSourcesPage
		case actionConfirm, actionCancel:
			return kindLibraryPress
		}
	}
	return kindUnknown
}

func (b *Bot) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	recv := time.Now()
	i := ic.Interaction
	if i == nil {
		return
	}
	kind := interactionKind(i)
	if !b.goWork(kind, func() { b.handleInteraction(i, kind, recv, nil) }) {
		go b.refuseWhileStopping(i, kind, recv)
	}
}

// refuseWhileStopping answers an interaction that arrives during shutdown.
func (b *Bot) refuseWhileStopping(i *discordgo.Interaction, kind string, recv time.Time) {
	if kind == kindAutocomplete {
		return
	}
	r := &reply{b: b, i: i, recv: recv}
	ctx, cancel := context.WithDeadline(context.Background(), r.ackDeadline())
	defer cancel()
	err := r.respond(ctx, discordgo.InteractionResponseChannelMessageWithSource,
		textMessage("gutskin is restarting. Please try again in a minute."), true)
	b.logOutcome(kind, recv, r, outcome{result: "stopping", err: err})
}

// handleInteraction answers one interaction; ack, when set, takes its first
// reply as the HTTP response.
func (b *Bot) handleInteraction(i *discordgo.Interaction, kind string, recv time.Time, ack *httpAck) {
	ctx := b.workCtx
	r := &reply{b: b, i: i, recv: recv, http: ack}
	var out outcome
	switch kind {
	case kindAsk:
		q, private := askOptions(i)
		out = b.answerInteraction(ctx, r, kindAsk, q, private)
	case kindFindSources:
		out = b.findSources(ctx, r)
	case kindSources:
		out = b.simple(ctx, r, sourcesMessage(b.engine.Articles(), 0), "listed")
	case kindHelp:
		out = b.simple(ctx, r, helpMessage(), "helped")
	case kindReindex:
		out = b.reindex(ctx, r)
	case kindLibrary:
		out = b.libraryCommand(ctx, r)
	case kindGaps:
		out = b.gapsCommand(ctx, r)
	case kindAutocomplete:
		out = b.autocomplete(ctx, r)
	case kindNext, kindFeedback, kindSourcesPage, kindLibraryPress:
		out = b.button(ctx, r)
	default:
		out = b.simple(ctx, r, textMessage("I don't know that command or button any more. Try `/help`."), "unknown")
	}
	b.logOutcome(kind, recv, r, out)
}

// logOutcome writes the one info line per answered interaction: kind,
// latency and passage; never the question or who asked.
func (b *Bot) logOutcome(kind string, recv time.Time, r *reply, out outcome) {
	latency := time.Since(recv)
	b.meter().Interaction(kind, out.result, latency)
	attrs := []any{"kind", kind, "outcome", out.result, "latency_ms", latency.Milliseconds()}
	if out.passage != "" {
		attrs = append(attrs, "passage", out.passage)
	}
	if r != nil && r.deferred {
		attrs = append(attrs, "deferred", true)
	}
	if out.err != nil {
		b.log.Warn("reply not delivered", append(attrs, "error", out.err)...)
		return
	}
	b.log.Info("interaction", attrs...)
}

func (b *Bot) simple(ctx context.Context, r *reply, m message, result string) outcome {
	err := r.respond(ctx, discordgo.InteractionResponseChannelMessageWithSource, m, true)
	return outcome{result: result, err: err}
}

func askOptions(i *discordgo.Interaction) (question string, private bool) {
	d, _ := i.Data.(discordgo.ApplicationCommandInteractionData)
	for _, o := range d.Options {
		switch o.Name {
		case optQuestion:
			question, _ = o.Value.(string)
		case optPrivate:
			private, _ = o.Value.(bool)
		}
	}
	return question, private
}

func slowDown(wait time.Duration) string {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return fmt.Sprintf("Slow down a little: you can ask again in %d second%s.", secs, plural(secs))
}

// answerInteraction runs a question from /ask or Find sources (via).
func (b *Bot) answerInteraction(ctx context.Context, r *reply, via, question string, private bool) outcome {
	q := cleanQuestion(question)
	if q == "" {
		err := r.respond(ctx, discordgo.InteractionResponseChannelMessageWithSource,
			textMessage("Please write a question, for example: *does kefir help acne?*"), true)
		return outcome{result: "empty", err: err}
	}
	asker := userID(r.i)
	if wait, ok := b.cooldown.take(asker, time.Now()); !ok {
		err := r.respond(ctx, discordgo.InteractionResponseChannelMessageWithSource, textMessage(slowDown(wait)), true)
		return outcome{result: "cooldown", err: err}
	}
	a, searchErr, ackErr := b.searchOrDefer(ctx, r, q, private)
	if ackErr != nil {
		return outcome{result: "lost", err: ackErr}
	}
	if searchErr != nil {
		b.log.Error("search failed", "error", searchErr)
		err := r.send(ctx, textMessage("Sorry, searching failed just now. Please try again in a moment."), true)
		return outcome{result: "error", err: err}
	}
	if len(a.Hits) == 0 {
		err := r.send(ctx, noAnswerMessage(a), true)
		b.recordQuestion(r.i.GuildID, asker, via, q, a)
		return outcome{result: "no_answer", err: err}
	}
	key := b.answers.put(asker, a)
	err := r.send(ctx, answerMessage(a, 0, key), private)
	b.recordQuestion(r.i.GuildID, asker, via, q, a)
	return outcome{result: "answer", passage: a.Hits[0].Passage.ID, err: err}
}

// searchOrDefer searches, and defers the reply (with the asked visibility)
// if the search takes longer than DeferAfter. ackErr is set when even the
// deferral could not be sent in time.
func (b *Bot) searchOrDefer(ctx context.Context, r *reply, q string, private bool) (a corpus.Answer, searchErr, ackErr error) {
	type result struct {
		a   corpus.Answer
		err error
	}
	ch := make(chan result, 1)
	sctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- result{err: fmt.Errorf("search panicked: %v", p)}
			}
		}()
		a, err := b.engine.Answer(sctx, q, hitsPerAnswer)
		ch <- result{a, err}
	}()
	if b.opts.DeferAfter > 0 {
		t := time.NewTimer(b.opts.DeferAfter)
		defer t.Stop()
		select {
		case res := <-ch:
			return res.a, res.err, nil
		case <-t.C:
		}
	}
	if err := r.deferReply(ctx, private); err != nil {
		return corpus.Answer{}, nil, err
	}
	res := <-ch // bounded by searchTimeout
	return res.a, res.err, nil
}

// findSources answers the target message's text, privately.
func (b *Bot) findSources(ctx context.Context, r *reply) outcome {
	d, _ := r.i.Data.(discordgo.ApplicationCommandInteractionData)
	var text string
	if d.Resolved != nil {
		if m := d.Resolved.Messages[d.TargetID]; m != nil {
			text = m.Content
		}
	}
	if cleanQuestion(text) == "" {
		err := r.respond(ctx, discordgo.InteractionResponseChannelMessageWithSource,
			textMessage("That message has no text I can look up."), true)
		return outcome{result: "empty", err: err}
	}
	return b.answerInteraction(ctx, r, kindFindSources, text, true)
}

// autocomplete suggests questions, or for /library the articles; it must
// be answered directly.
func (b *Bot) autocomplete(ctx context.Context, r *reply) outcome {
	d, _ := r.i.Data.(discordgo.ApplicationCommandInteractionData)
	if d.Name == cmdLibrary {
		return b.libraryAutocomplete(ctx, r, d)
	}
	prefix := ""
	for _, o := range d.Options {
		if o.Focused {
			prefix, _ = o.Value.(string)
		}
	}
	prefix = cut(strings.TrimSpace(prefix), maxQuestion)
	choices := []map[string]any{}
	seen := map[string]bool{}
	for _, s := range b.engine.Complete(prefix, limitChoices) {
		s = ellipsize(strings.TrimSpace(spaceRun.ReplaceAllString(s, " ")), limitChoice)
		if s == "" || seen[s] || len(choices) == limitChoices {
			continue
		}
		seen[s] = true
		choices = append(choices, map[string]any{"name": s, "value": s})
	}
	return b.respondChoices(ctx, r, choices)
}

// respondChoices answers an autocomplete request.
func (b *Bot) respondChoices(ctx context.Context, r *reply, choices []map[string]any) outcome {
	// A raw body: discordgo's InteractionResponseData drops an empty
	// choices list (omitempty), which Discord requires.
	body := map[string]any{"type": discordgo.InteractionApplicationCommandAutocompleteResult, "data": map[string]any{"choices": choices}}
	if r.http != nil {
		// Too late for suggestions when the HTTP side answered with none.
		r.acked = true
		r.http.offer(ctx, body)
		return outcome{result: fmt.Sprintf("%d_choices", len(choices))}
	}
	uri := discordgo.EndpointInteractionResponse(r.i.ID, r.i.Token)
	deadline := earliest(r.ackDeadline(), time.Now().Add(autocompleteBudget))
	err := b.call(ctx, deadline, "autocomplete", true, func(opts ...discordgo.RequestOption) error {
		_, err := b.session.RequestWithBucketID("POST", uri, body, uri, opts...)
		return err
	})
	if err == nil {
		r.acked = true
	}
	return outcome{result: fmt.Sprintf("%d_choices", len(choices)), err: err}
}

// button handles Next answer, feedback and /sources paging.
func (b *Bot) button(ctx context.Context, r *reply) outcome {
	d, _ := r.i.Data.(discordgo.MessageComponentInteractionData)
	c, err := parseCustomID(d.CustomID)
	if err != nil {
		return b.simple(ctx, r, textMessage("That button no longer works. Try `/help`."), "unknown")
	}
	member := userID(r.i)
	expired := func() outcome {
		return b.simple(ctx, r, textMessage("This answer has expired (I restarted or it is old). Ask again with `/ask`."), "expired")
	}
	switch c.Action {
	case actionConfirm, actionCancel:
		return b.libraryButton(ctx, r, c)
	case actionSources:
		err := r.respond(ctx, discordgo.InteractionResponseUpdateMessage, sourcesMessage(b.engine.Articles(), c.Index), r.i.Message != nil && r.i.Message.Flags&discordgo.MessageFlagsEphemeral != 0)
		return outcome{result: "page", err: err}
	case actionNext:
		st, ok := b.answers.get(c.Key)
		if !ok {
			st, ok = b.answerFromButton(ctx, r, c)
		}
		if !ok || c.Index >= len(st.answer.Hits) {
			return expired()
		}
		m := answerMessage(st.answer, c.Index, c.Key)
		pid := st.answer.Hits[c.Index].Passage.ID
		// The asker's message moves on; so does an ephemeral one, which
		// only the member pressing can see.
		eph := r.i.Message != nil && r.i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
		if member == st.asker || eph {
			err := r.respond(ctx, discordgo.InteractionResponseUpdateMessage, m, eph)
			return outcome{result: "next", passage: pid, err: err}
		}
		// Someone else pressed it: show them the next passage privately and
		// leave the asker's message alone.
		err := r.respond(ctx, discordgo.InteractionResponseChannelMessageWithSource, m, true)
		return outcome{result: "next_private", passage: pid, err: err}
	case actionVote:
		pid := c.PassageID
		if st, ok := b.answers.get(c.Key); ok && c.Index < len(st.answer.Hits) {
			pid = st.answer.Hits[c.Index].Passage.ID
		}
		if pid == "" {
			return expired()
		}
		if member == "" || !b.votes.first(pid, member) {
			out := b.simple(ctx, r, textMessage("You already rated this passage. Thank you!"), "feedback_repeat")
			out.passage = pid
			return out
		}
		b.log.Info("feedback", "passage", pid, "helpful", c.Up)
		v := gaps.Vote{GuildID: r.i.GuildID, MemberID: member, PassageID: pid, Helpful: c.Up}
		if st, ok := b.answers.get(c.Key); ok && c.Index < len(st.answer.Hits) {
			v.Article, v.Question = st.answer.Hits[c.Index].Passage.Article.Title, st.answer.Question
		}
		b.record("vote", func(ctx context.Context, rec Recorder) error { return rec.RecordVote(ctx, v) })
		thanks := "Thanks, noted: this passage helped. 👍"
		if !c.Up {
			thanks = "Thanks, noted: this passage did not help. 👎 The moderators will look at it."
		}
		out := b.simple(ctx, r, textMessage(thanks), "feedback")
		out.passage = pid
		return out
	}
	return b.simple(ctx, r, textMessage("That button no longer works. Try `/help`."), "unknown")
}

// answerFromButton rebuilds an answer another process (or this one before a
// restart) gave, from the passages its Next answer button names; the asker
// is the member the answer's message was for, when Discord says.
func (b *Bot) answerFromButton(ctx context.Context, r *reply, c customID) (*storedAnswer, bool) {
	if len(c.Passages) == 0 {
		return nil, false
	}
	hits, err := b.engine.Passages(ctx, c.Passages)
	if err != nil || len(hits) != len(c.Passages) {
		return nil, false // a rebuild changed them: better "expired" than a wrong answer
	}
	st := &storedAnswer{answer: corpus.Answer{Hits: hits, SeeAlso: []corpus.ArticleInfo{}, Suggestions: []corpus.ArticleInfo{}}}
	if m := r.i.Message; m != nil {
		if m.InteractionMetadata != nil && m.InteractionMetadata.User != nil {
			st.asker = m.InteractionMetadata.User.ID
		} else if m.Interaction != nil && m.Interaction.User != nil {
			st.asker = m.Interaction.User.ID
		}
	}
	return st, true
}

// isModerator is the real gate of /reindex: the interaction must come from
// the moderation guild, from a member with Manage Server (or Administrator)
// there or with a moderator role.
func (b *Bot) isModerator(i *discordgo.Interaction) bool {
	if b.opts.ModerationGuildID == "" || i.GuildID != b.opts.ModerationGuildID || i.Member == nil {
		return false
	}
	if i.Member.Permissions&(manageGuild|discordgo.PermissionAdministrator) != 0 {
		return true
	}
	for _, role := range i.Member.Roles {
		if b.modRoles[role] {
			return true
		}
	}
	return false
}

// reindex rebuilds the library for a moderator and reports what changed.
func (b *Bot) reindex(ctx context.Context, r *reply) outcome {
	if !b.isModerator(r.i) {
		return b.simple(ctx, r, textMessage("Only the library's moderators can rebuild it."), "refused")
	}
	holder, ok := b.gate.try(userID(r.i))
	if !ok {
		return b.simple(ctx, r, textMessage(busyLine(holder)+". Answers keep coming from the current library meanwhile; try again when it has finished."), "busy")
	}
	defer b.gate.release()
	if err := r.deferReply(ctx, true); err != nil {
		return outcome{result: "lost", err: err}
	}
	rctx, cancel := context.WithTimeout(b.workCtx, rebuildTimeout)
	defer cancel()
	rep, err := b.engine.Rebuild(rctx)
	result := "rebuilt"
	if err != nil {
		result = "not_rebuilt"
	}
	b.logRebuild(rep, err)
	sendErr := r.send(ctx, reportMessage(rep, err), true)
	return outcome{result: result, err: sendErr}
}

// logRebuild logs a rebuild's outcome.
func (b *Bot) logRebuild(rep corpus.Report, err error) {
	result := "rebuilt"
	if err != nil {
		result = "not_rebuilt"
		b.log.Warn("rebuild did not happen", "error", err)
	}
	b.meter().Rebuild(err == nil, time.Duration(rep.DurationMS)*time.Millisecond)
	b.log.Info("rebuild", "outcome", result, "articles", rep.Articles.Total, "added", rep.Articles.Added,
		"removed", rep.Articles.Removed, "changed", rep.Articles.Changed, "passages", rep.Passages.Total,
		"skipped", len(rep.Skipped), "warnings", len(rep.Warnings), "duration_ms", rep.DurationMS)
}
