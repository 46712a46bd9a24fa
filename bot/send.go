package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Retry policy for REST calls. discordgo's own retries are off for every
// call the bot makes: on a 429 it sleeps for retry_after without limit and
// ignores the request's context, and it retries a 502 but never a 500. The
// bot retries 429s, 5xx and network errors itself, only while the wait still
// ends before the call's deadline.
const (
	maxAttempts    = 5
	firstBackoff   = 150 * time.Millisecond
	attemptTimeout = 10 * time.Second
	// Discord error code for a second acknowledgement: after a retry it
	// means the first attempt did land.
	codeAlreadyAcknowledged = 40060
)

// callError is a failed REST call. Its message names the call and the
// failure but never a URL, which would carry an interaction token.
type callError struct {
	what     string
	attempts int
	err      error
}

func (e *callError) Error() string {
	if e.attempts <= 1 {
		return e.what + ": " + describe(e.err)
	}
	return fmt.Sprintf("%s: %s (after %d attempts)", e.what, describe(e.err), e.attempts)
}

func (e *callError) Unwrap() error { return e.err }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// badGatewayPrefix starts the plain error discordgo returns for a 502 once
// its own retries (MaxRestRetries, 0 here) are spent: it is not a RESTError.
const badGatewayPrefix = "Exceeded Max retries HTTP "

func isBadGateway(err error) bool {
	return strings.HasPrefix(err.Error(), badGatewayPrefix)
}

// describe renders a REST error without URLs or tokens.
func describe(err error) string {
	var rl *discordgo.RateLimitError
	var re *discordgo.RESTError
	var ue *url.Error
	switch {
	case errors.As(err, &rl):
		return "rate limited, retry after " + rl.RetryAfter.String()
	case errors.As(err, &re):
		s := "HTTP " + strconv.Itoa(re.Response.StatusCode)
		if re.Message != nil && (re.Message.Code != 0 || re.Message.Message != "") {
			s += fmt.Sprintf(" (Discord code %d: %s)", re.Message.Code, re.Message.Message)
		}
		return s
	case errors.As(err, &ue):
		if ue.Timeout() {
			return ue.Op + ": timed out"
		}
		return ue.Op + ": " + describe(ue.Err)
	case isBadGateway(err):
		return "HTTP 502"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return err.Error()
}

// retryWait says whether a failed call may be retried and after how long.
func retryWait(err error, backoff time.Duration) (time.Duration, bool) {
	var rl *discordgo.RateLimitError
	var re *discordgo.RESTError
	var ue *url.Error
	switch {
	case errors.As(err, &rl):
		wait := rl.RetryAfter
		if wait <= 0 {
			wait = backoff
		}
		return wait, true
	case errors.As(err, &re):
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return backoff, true
		}
		return 0, false // 4xx: retrying would only earn more invalid requests
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return 0, false
	case isBadGateway(err):
		return backoff, true
	case errors.As(err, &ue):
		return backoff, true // connection refused or reset
	}
	return 0, false
}

// retryReason names why a call is retried, for the metrics.
func retryReason(err error, limited bool) string {
	var re *discordgo.RESTError
	switch {
	case limited:
		return "429"
	case errors.As(err, &re) && re.Response != nil, isBadGateway(err):
		return "5xx"
	}
	return "network"
}

func isAlreadyAcknowledged(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusBadRequest &&
		re.Message != nil && re.Message.Code == codeAlreadyAcknowledged
}

// call runs one REST call with discordgo's retries off and the bot's bounded
// retry on: every attempt and every wait ends by deadline. ackRetry treats
// "already acknowledged" after a retry as success (for interaction
// callbacks, whose first attempt may have landed although its answer was
// lost).
func (b *Bot) call(ctx context.Context, deadline time.Time, what string, ackRetry bool, fn func(opts ...discordgo.RequestOption) error) error {
	backoff := firstBackoff
	var err error
	attempt := 0
	for {
		attempt++
		actx, cancel := context.WithDeadline(ctx, earliest(deadline, time.Now().Add(attemptTimeout)))
		err = fn(discordgo.WithContext(actx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
		cancel()
		if err == nil {
			return nil
		}
		if ackRetry && attempt > 1 && isAlreadyAcknowledged(err) {
			return nil
		}
		var rl *discordgo.RateLimitError
		limited := errors.As(err, &rl)
		if limited {
			b.meter().RateLimited()
		}
		wait, ok := retryWait(err, backoff)
		if !ok || attempt == maxAttempts {
			break
		}
		if time.Now().Add(wait).After(deadline) {
			b.log.Warn("REST call not retried: the wait would pass its deadline", "call", what, "error", describe(err), "wait_ms", wait.Milliseconds())
			break
		}
		b.log.Info("retrying REST call", "call", what, "error", describe(err), "wait_ms", wait.Milliseconds(), "attempt", attempt)
		b.meter().RESTRetry(retryReason(err, limited))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return &callError{what: what, attempts: attempt, err: ctx.Err()}
		}
		backoff *= 2
	}
	return &callError{what: what, attempts: attempt, err: err}
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
