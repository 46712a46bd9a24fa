package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// HTTP interactions: instead of the gateway, Discord POSTs each interaction
// to the bot's URL and takes the HTTP response as the first reply. Any
// replica behind a load balancer can answer, since nothing a later press
// needs lives only in one process's memory but the Next answer history and
// previews, which say so when they are gone.

const (
	// maxInteractionBody bounds a POSTed interaction; Discord's are a few KiB.
	maxInteractionBody = 1 << 20
	// signatureWindow is how far a request's timestamp may be from now.
	// Discord documents none, and discordgo's VerifyInteraction checks the
	// signature alone; five minutes refuses replays without refusing a
	// clock a little off.
	signatureWindow = 5 * time.Minute
	// httpAckBudget is how long the HTTP response waits for a handler's
	// first reply before it defers on the handler's behalf: Discord allows
	// 3 s in all.
	httpAckBudget = 2500 * time.Millisecond
)

// errSignature is every refused signature; the reason follows it.
var errSignature = errors.New("invalid request signature")

// verifySignature checks a request the way Discord signs it: Ed25519 over
// the timestamp followed by the raw body, and a timestamp within the window.
func verifySignature(key ed25519.PublicKey, h http.Header, body []byte, now time.Time) error {
	sigHex, ts := h.Get("X-Signature-Ed25519"), h.Get("X-Signature-Timestamp")
	if sigHex == "" || ts == "" {
		return fmt.Errorf("%w: missing X-Signature-Ed25519 or X-Signature-Timestamp", errSignature)
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: malformed X-Signature-Ed25519", errSignature)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: malformed X-Signature-Timestamp", errSignature)
	}
	if d := now.Sub(time.Unix(secs, 0)); d > signatureWindow || d < -signatureWindow {
		return fmt.Errorf("%w: timestamp %s away from now", errSignature, d.Round(time.Second))
	}
	if len(body) == 0 {
		return fmt.Errorf("%w: empty body", errSignature)
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(key, msg, sig) {
		return fmt.Errorf("%w: wrong signature", errSignature)
	}
	return nil
}

// httpAck hands an interaction's first reply to the HTTP response that is
// waiting for it, or tells the handler that the response went out without
// it (a deferral, when the handler took too long).
type httpAck struct {
	mu      sync.Mutex
	decided bool
	// deferredAs is the response type the HTTP side sent on its own; 0
	// while it waits.
	deferredAs discordgo.InteractionResponseType
	body       chan any
	written    chan struct{}
}

func newHTTPAck() *httpAck {
	return &httpAck{body: make(chan any, 1), written: make(chan struct{})}
}

// offer gives the first reply to the HTTP response and waits until it is
// written, so that no edit can overtake it; false when the HTTP side has
// already answered on its own.
func (a *httpAck) offer(ctx context.Context, resp any) bool {
	a.mu.Lock()
	if a.decided {
		a.mu.Unlock()
		return false
	}
	a.decided = true
	a.body <- resp
	a.mu.Unlock()
	select {
	case <-a.written:
	case <-ctx.Done():
	case <-time.After(ackBudget):
	}
	return true
}

// expire makes the HTTP side answer with typ on its own; false when a
// reply was offered first.
func (a *httpAck) expire(typ discordgo.InteractionResponseType) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.decided {
		return false
	}
	a.decided, a.deferredAs = true, typ
	return true
}

func (a *httpAck) deferred() discordgo.InteractionResponseType {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.deferredAs
}

// InteractionsHandler serves Discord's HTTP interactions endpoint: every
// request is verified with the application's public key before anything
// reads it, PING is answered with PONG, and everything else goes to the
// same handlers as gateway interactions.
func (b *Bot) InteractionsHandler(publicKey ed25519.PublicKey) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxInteractionBody+1))
		if err != nil || len(body) > maxInteractionBody {
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		if err := verifySignature(publicKey, r.Header, body, time.Now()); err != nil {
			b.log.Info("interaction refused", "reason", err.Error())
			http.Error(w, errSignature.Error(), http.StatusUnauthorized)
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			http.Error(w, "not an interaction", http.StatusBadRequest)
			return
		}
		if i.Type == discordgo.InteractionPing {
			writeJSON(w, discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
			return
		}
		b.serveHTTPInteraction(w, r, &i)
	})
}

// serveHTTPInteraction runs the handler and answers with its first reply,
// or with a deferral when it takes longer than httpAckBudget.
func (b *Bot) serveHTTPInteraction(w http.ResponseWriter, r *http.Request, i *discordgo.Interaction) {
	recv := time.Now()
	kind := interactionKind(i)
	ack := newHTTPAck()
	if !b.goWork(kind, func() { b.handleInteraction(i, kind, recv, ack) }) {
		writeJSON(w, discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "gutskin is restarting. Please try again in a minute.",
				Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()}})
		return
	}
	timer := time.NewTimer(httpAckBudget)
	defer timer.Stop()
	var resp any
	select {
	case resp = <-ack.body:
	case <-timer.C:
		typ := deferralFor(kind)
		if ack.expire(typ) {
			resp = deferral(typ)
		} else {
			resp = <-ack.body
		}
	case <-r.Context().Done():
		ack.expire(deferralFor(kind))
		return
	}
	writeJSON(w, resp)
	close(ack.written)
}

// deferralFor is the response the HTTP side sends on a slow handler's
// behalf: a private "thinking…", a silent acknowledgement of a button, or
// no suggestions.
func deferralFor(kind string) discordgo.InteractionResponseType {
	switch kind {
	case kindNext, kindFeedback, kindSourcesPage, kindLibraryPress:
		return discordgo.InteractionResponseDeferredMessageUpdate
	case kindAutocomplete:
		return discordgo.InteractionApplicationCommandAutocompleteResult
	}
	return discordgo.InteractionResponseDeferredChannelMessageWithSource
}

func deferral(typ discordgo.InteractionResponseType) any {
	switch typ {
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		return map[string]any{"type": typ, "data": map[string]any{"choices": []any{}}}
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		return discordgo.InteractionResponse{Type: typ, Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}}
	}
	return discordgo.InteractionResponse{Type: typ}
}

func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, "encode the response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}
