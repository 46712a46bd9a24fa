package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"
)

// reply tracks how one interaction has been answered so far: whether it was
// acknowledged, deferred, and with which visibility (fixed at the first
// acknowledgement).
type reply struct {
	b         *Bot
	i         *discordgo.Interaction
	recv      time.Time
	acked     bool
	deferred  bool
	settled   bool // the deferred response got its content
	ephemeral bool
	// http, for an interaction that came over HTTP, takes the first reply
	// as the HTTP response.
	http *httpAck
}

func (r *reply) ackDeadline() time.Time { return r.recv.Add(ackBudget) }

func (r *reply) followupDeadline() time.Time {
	return earliest(r.recv.Add(tokenBudget), time.Now().Add(followupBudget))
}

func (r *reply) appID() string {
	if r.i.AppID != "" {
		return r.i.AppID
	}
	id, _ := r.b.ids()
	return id
}

func nonNil(m message) message {
	if m.Embeds == nil {
		m.Embeds = []*discordgo.MessageEmbed{}
	}
	if m.Components == nil {
		m.Components = []discordgo.MessageComponent{}
	}
	return m
}

// respond acknowledges the interaction with a message (typ 4) or a message
// update (typ 7), within the 3-second deadline.
func (r *reply) respond(ctx context.Context, typ discordgo.InteractionResponseType, m message, ephemeral bool) error {
	m = nonNil(m)
	data := &discordgo.InteractionResponseData{
		Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions(),
	}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	resp := &discordgo.InteractionResponse{Type: typ, Data: data}
	if r.http != nil {
		if r.http.offer(ctx, resp) {
			r.acked, r.ephemeral = true, ephemeral
			return nil
		}
		// The HTTP side deferred on its own: the reply becomes an edit.
		if r.tookHTTPDeferral(); typ == discordgo.InteractionResponseUpdateMessage {
			return r.edit(ctx, m)
		}
		return r.send(ctx, m, ephemeral)
	}
	err := r.b.call(ctx, r.ackDeadline(), "interaction response", true, func(opts ...discordgo.RequestOption) error {
		return r.b.session.InteractionRespond(r.i, resp, opts...)
	})
	if err == nil {
		r.acked, r.ephemeral = true, ephemeral
	}
	return err
}

// deferReply acknowledges now and answers later; ephemeral is fixed here.
func (r *reply) deferReply(ctx context.Context, ephemeral bool) error {
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if ephemeral {
		resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	if r.http != nil {
		if r.http.offer(ctx, resp) {
			r.acked, r.deferred, r.ephemeral = true, true, ephemeral
		} else {
			r.tookHTTPDeferral()
		}
		return nil
	}
	err := r.b.call(ctx, r.ackDeadline(), "deferral", true, func(opts ...discordgo.RequestOption) error {
		return r.b.session.InteractionRespond(r.i, resp, opts...)
	})
	if err == nil {
		r.acked, r.deferred, r.ephemeral = true, true, ephemeral
	}
	return err
}

// deferUpdate acknowledges a button press now and edits its message later.
func (r *reply) deferUpdate(ctx context.Context) error {
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	if r.http != nil {
		if !r.http.offer(ctx, resp) {
			r.tookHTTPDeferral()
		}
		r.acked = true
		return nil
	}
	err := r.b.call(ctx, r.ackDeadline(), "deferral", true, func(opts ...discordgo.RequestOption) error {
		return r.b.session.InteractionRespond(r.i, resp, opts...)
	})
	if err == nil {
		r.acked = true
	}
	return err
}

// tookHTTPDeferral records the deferral the HTTP side sent on the
// handler's behalf: a private "thinking…" for a command, a silent
// acknowledgement for a button.
func (r *reply) tookHTTPDeferral() {
	r.acked = true
	if r.http.deferred() == discordgo.InteractionResponseDeferredChannelMessageWithSource {
		r.deferred, r.ephemeral = true, true
	}
}

// edit replaces the original response. It goes through discordgo's generic
// request with a bucket per interaction token: discordgo's own
// WebhookMessageEdit shares one bucket (and so one lock) across every
// interaction, which lets one slow edit hold up all the others.
func (r *reply) edit(ctx context.Context, m message) error {
	m = nonNil(m)
	uri := discordgo.EndpointWebhookMessage(r.appID(), r.i.Token, "@original")
	body := &discordgo.WebhookEdit{Content: &m.Content, Embeds: &m.Embeds, Components: &m.Components, AllowedMentions: noMentions()}
	return r.b.call(ctx, r.followupDeadline(), "edit response", false, func(opts ...discordgo.RequestOption) error {
		_, err := r.b.session.RequestWithBucketID("PATCH", uri, body, uri, opts...)
		return err
	})
}

// deleteOriginal deletes the original response.
func (r *reply) deleteOriginal(ctx context.Context) error {
	uri := discordgo.EndpointWebhookMessage(r.appID(), r.i.Token, "@original")
	return r.b.call(ctx, r.followupDeadline(), "delete response", false, func(opts ...discordgo.RequestOption) error {
		_, err := r.b.session.RequestWithBucketID("DELETE", uri, nil, uri, opts...)
		return err
	})
}

// followup sends a follow-up message.
func (r *reply) followup(ctx context.Context, m message, ephemeral bool) error {
	m = nonNil(m)
	params := &discordgo.WebhookParams{Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions()}
	if ephemeral {
		params.Flags = discordgo.MessageFlagsEphemeral
	}
	return r.b.call(ctx, r.followupDeadline(), "follow-up", false, func(opts ...discordgo.RequestOption) error {
		_, err := r.b.session.FollowupMessageCreate(r.i, true, params, opts...)
		return err
	})
}

// repliedPrivately replaces a public "thinking…" that could not be deleted.
const repliedPrivately = "Replied privately."

// send delivers m with the wanted visibility, whatever happened so far: a
// direct response when not yet acknowledged; an edit of the deferred
// response when its visibility allows; and when a public deferral must turn
// into a private message, the deferred response is deleted and m follows up
// ephemerally.
func (r *reply) send(ctx context.Context, m message, ephemeral bool) error {
	switch {
	case !r.acked:
		return r.respond(ctx, discordgo.InteractionResponseChannelMessageWithSource, m, ephemeral)
	case r.deferred && !r.settled && (r.ephemeral || !ephemeral):
		r.settled = true
		return r.edit(ctx, m)
	case r.deferred && !r.settled:
		r.settled = true
		if err := r.deleteOriginal(ctx); err != nil {
			// Discord turns the first follow-up to a deferral into an edit
			// of it, ephemeral flag or not: settle the public message
			// first, or keep m rather than show it publicly.
			r.b.log.Warn("could not delete the public deferred reply", "error", describe(err))
			if err := r.edit(ctx, textMessage(repliedPrivately)); err != nil {
				return fmt.Errorf("settle the public deferred reply before a private follow-up: %w", err)
			}
		}
		return r.followup(ctx, m, true)
	default:
		return r.followup(ctx, m, ephemeral)
	}
}
