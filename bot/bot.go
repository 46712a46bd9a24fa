// Package bot is gutskin's Discord bot: slash commands, mentions, a
// message context menu and buttons, answered from an [Engine]. It is the only
// package that imports discordgo.
//
// Every message the bot sends carries "allowed_mentions": {"parse": []}, fits
// Discord's length limits by construction, and goes out with discordgo's
// rate-limit retries off and the bot's own bounded retry on, so no reply
// outlives its interaction's deadline.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
)

// AutoShards as Options.ShardCount takes the shard count Discord
// recommends (GET /gateway/bot) at connection.
const AutoShards = -1

// Defaults for Options.
const (
	DefaultDeferAfter      = 1200 * time.Millisecond
	DefaultShutdownTimeout = 10 * time.Second
	// ackBudget is how long after receiving an interaction the bot still
	// tries to acknowledge it: Discord allows 3 s from its side.
	ackBudget = 2750 * time.Millisecond
	// followupBudget bounds the retries of an edit or follow-up (Discord
	// allows 15 minutes; a member will not wait that long).
	followupBudget = 30 * time.Second
	// searchTimeout bounds one search.
	searchTimeout = 20 * time.Second
	// tokenBudget is how long after receiving an interaction the bot still
	// edits or follows up on it: its token lasts 15 minutes.
	tokenBudget = 14 * time.Minute
	// rebuildTimeout bounds a rebuild so that its report still has
	// followupBudget left inside tokenBudget.
	rebuildTimeout = tokenBudget - followupBudget - time.Minute
	// hitsPerAnswer is how many passages an answer keeps for Next answer.
	hitsPerAnswer = 5
	// autocompleteBudget bounds the autocomplete reply.
	autocompleteBudget = 2 * time.Second
)

// Options configure a Bot.
type Options struct {
	// Token is the bot token (required). "Bot " is prepended when missing.
	Token string
	// APIURL is the REST base; default DefaultAPIURL.
	APIURL string
	// GuildID, when set, registers the commands in that guild only (instant,
	// for development); otherwise they are global.
	GuildID string
	// ModerationGuildID is the guild whose moderators may /reindex and
	// /library; default GuildID. With neither, they are not registered.
	ModerationGuildID string
	// ModeratorRoleIDs may /reindex besides members with Manage Server in
	// the moderation guild. With any, /reindex is shown to every member
	// there (Discord would hide it from these roles) and refused to others.
	ModeratorRoleIDs []string
	// AskCooldown is the least time between two questions of one member;
	// 0 turns the cooldown off.
	AskCooldown time.Duration
	// DeferAfter is how long a search may run before the bot defers its
	// reply; default DefaultDeferAfter, and a negative value defers every
	// answer at once.
	DeferAfter time.Duration
	// ShutdownTimeout bounds how long Run waits for replies in flight when
	// its context ends; default DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Logger receives the bot's logs; default slog.Default().
	Logger *slog.Logger
	// Library, when set, is the article folder moderators change with
	// /library; without it /library explains that there is no folder.
	Library Library
	// PreviewTTL is how long a /library preview can be confirmed; default
	// DefaultPreviewTTL.
	PreviewTTL time.Duration
	// ShardID and ShardCount pick this process's gateway shard: Discord
	// sends it the events of the guilds with (guild_id >> 22) % ShardCount
	// == ShardID. ShardCount 0 or 1 is unsharded, AutoShards takes
	// Discord's recommended count.
	ShardID, ShardCount int
	// NoGateway runs without a gateway connection, for a replica that
	// answers HTTP interactions only (InteractionsHandler): mentions need
	// the gateway, slash commands and buttons do not.
	NoGateway bool
	// Metrics, when set, counts interactions, rebuilds, REST retries and
	// reconnects.
	Metrics Metrics
	// Gaps, when set, records every question and vote for /gaps, after
	// the reply; without it nothing is recorded.
	Gaps Recorder
	// Terms gives a question's search terms, so /gaps groups questions
	// that ask the same thing; nil uses a plain word split.
	Terms func(string) []string
}

// Metrics counts what the bot does. The real one is *metrics.Metrics.
type Metrics interface {
	// Interaction counts a handled interaction or mention.
	Interaction(kind, outcome string, latency time.Duration)
	// Rebuild counts a rebuild and its duration.
	Rebuild(ok bool, took time.Duration)
	// RESTRetry counts a REST call retried, by reason (429, 5xx, network).
	RESTRetry(reason string)
	// RateLimited counts a 429 from Discord.
	RateLimited()
	// GatewayReconnect counts a dropped gateway session of a shard.
	GatewayReconnect(shard int)
}

// noMetrics counts nothing.
type noMetrics struct{}

func (noMetrics) Interaction(string, string, time.Duration) {}
func (noMetrics) Rebuild(bool, time.Duration)               {}
func (noMetrics) RESTRetry(string)                          {}
func (noMetrics) RateLimited()                              {}
func (noMetrics) GatewayReconnect(int)                      {}

// Bot answers Discord members from an Engine. Create it with New and run it
// with Run.
type Bot struct {
	engine  Engine
	opts    Options
	log     *slog.Logger
	session *discordgo.Session
	metrics Metrics

	modRoles map[string]bool
	answers  *answerStore
	votes    *votes
	cooldown *cooldown

	connected atomic.Bool
	mu        sync.Mutex // guards the fields below
	appID     string
	botID     string
	readyCh   chan struct{}
	readyOnce sync.Once
	draining  bool
	inflight  sync.WaitGroup

	gate *libraryGate

	workCtx    context.Context
	cancelWork context.CancelFunc
}

// New prepares a bot; it does not connect.
func New(engine Engine, opts Options) (*Bot, error) {
	if engine == nil {
		return nil, errors.New("bot: no engine")
	}
	token := strings.TrimSpace(opts.Token)
	if token == "" {
		return nil, errors.New("bot: no token")
	}
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	if opts.APIURL == "" {
		opts.APIURL = DefaultAPIURL
	}
	if opts.ModerationGuildID == "" {
		opts.ModerationGuildID = opts.GuildID
	}
	if opts.DeferAfter == 0 {
		opts.DeferAfter = DefaultDeferAfter
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	transport, err := newAPITransport(opts.APIURL, http.DefaultTransport)
	if err != nil {
		return nil, fmt.Errorf("bot: API URL: %w", err)
	}

	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("bot: session: %w", err)
	}
	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: transport}
	s.ShouldRetryOnRateLimit = false // the bot retries itself, within deadlines
	s.MaxRestRetries = 0
	// Handlers run in the gateway's goroutine, in event order; the bot
	// starts its own goroutine per event after its bookkeeping.
	s.SyncEvents = true
	s.StateEnabled = false
	// Never raise discordgo's logging: at debug level it prints the token.
	s.LogLevel = discordgo.LogError
	s.Debug = false
	// No privileged intent: mentions carry their content anyway.
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

	b := &Bot{
		engine:   engine,
		opts:     opts,
		log:      logger,
		session:  s,
		modRoles: map[string]bool{},
		answers:  newAnswerStore(2000),
		votes:    newVotes(100000),
		cooldown: newCooldown(opts.AskCooldown),
		readyCh:  make(chan struct{}),
		gate:     newLibraryGate(),
		metrics:  opts.Metrics,
	}
	for _, r := range opts.ModeratorRoleIDs {
		if r = strings.TrimSpace(r); r != "" {
			b.modRoles[r] = true
		}
	}
	b.workCtx, b.cancelWork = context.WithCancel(context.Background())
	s.AddHandler(b.onReady)
	s.AddHandler(b.onResumed)
	s.AddHandler(b.onDisconnect)
	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
	return b, nil
}

// Connected reports whether the gateway session is up (identified or
// resumed and not since dropped), or without a gateway whether the bot is
// registered and serving, for the readiness endpoint.
func (b *Bot) Connected() bool { return b.connected.Load() }

// Run connects, registers the commands with one bulk overwrite, and serves
// until ctx ends. It then stops taking new work, waits (bounded) for replies
// in flight, closes the gateway and returns nil. It returns an error when
// the first connection fails.
func (b *Bot) Run(ctx context.Context) error {
	defer b.cancelWork()
	if b.opts.NoGateway {
		return b.runWithoutGateway(ctx)
	}
	if err := b.pickShard(ctx); err != nil {
		return err
	}
	if err := b.session.Open(); err != nil {
		return &callError{what: "bot: connect to the Discord gateway (" + b.opts.APIURL + ")", attempts: 1, err: err}
	}
	select {
	case <-b.readyCh:
	case <-ctx.Done():
	case <-time.After(30 * time.Second):
		b.session.Close()
		return errors.New("bot: connected, but no READY from the gateway within 30s")
	}
	if ctx.Err() == nil {
		if b.session.ShardID == 0 {
			b.register(ctx) // once, not once per shard
		}
		b.log.Info("bot ready", "shard", b.session.ShardID, "shards", b.session.ShardCount, "guild_commands", b.opts.GuildID != "", "moderation", b.opts.ModerationGuildID != "")
	}
	<-ctx.Done()
	b.shutdown()
	return nil
}

// pickShard sets the session's shard; with AutoShards it asks Discord
// for the recommended count first.
func (b *Bot) pickShard(ctx context.Context) error {
	count := b.opts.ShardCount
	if count == AutoShards {
		err := b.call(ctx, time.Now().Add(followupBudget), "read the recommended shard count", false, func(opts ...discordgo.RequestOption) error {
			gb, err := b.session.GatewayBot(opts...)
			if err == nil {
				count = gb.Shards
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("bot: SHARD_COUNT=auto: %w", err)
		}
		b.log.Info("shard count recommended by Discord", "shards", count)
	}
	if count < 1 {
		count = 1
	}
	if b.opts.ShardID < 0 || b.opts.ShardID >= count {
		return fmt.Errorf("bot: shard %d does not exist among %d", b.opts.ShardID, count)
	}
	b.session.ShardID, b.session.ShardCount = b.opts.ShardID, count
	return nil
}

// runWithoutGateway registers the commands and serves HTTP interactions
// until ctx ends; it learns the application's ID from the REST API, since
// no READY brings it.
func (b *Bot) runWithoutGateway(ctx context.Context) error {
	var app discordgo.Application
	uri := discordgo.EndpointOAuth2Application("@me")
	err := b.call(ctx, time.Now().Add(followupBudget), "read the application", false, func(opts ...discordgo.RequestOption) error {
		body, err := b.session.RequestWithBucketID("GET", uri, nil, uri, opts...)
		if err != nil {
			return err
		}
		return json.Unmarshal(body, &app)
	})
	if err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	b.mu.Lock()
	b.appID = app.ID
	b.mu.Unlock()
	b.register(ctx)
	b.connected.Store(true)
	b.log.Info("bot ready", "gateway", false, "guild_commands", b.opts.GuildID != "", "moderation", b.opts.ModerationGuildID != "")
	<-ctx.Done()
	b.shutdown()
	return nil
}

// shutdown drains replies in flight and closes the gateway.
func (b *Bot) shutdown() {
	start := time.Now()
	b.mu.Lock()
	b.draining = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(b.opts.ShutdownTimeout):
		b.log.Warn("shutdown: replies still in flight after the timeout; abandoning them", "timeout", b.opts.ShutdownTimeout)
	}
	b.cancelWork()
	if !b.opts.NoGateway {
		if err := b.session.Close(); err != nil {
			b.log.Warn("shutdown: closing the gateway", "error", describe(err))
		}
	}
	b.connected.Store(false)
	b.log.Info("bot stopped", "drain_ms", time.Since(start).Milliseconds())
}

// begin registers a unit of work; false once shutting down.
func (b *Bot) begin() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.draining {
		return false
	}
	b.inflight.Add(1)
	return true
}

// goWork runs fn as tracked work with panic recovery.
func (b *Bot) goWork(kind string, fn func()) bool {
	if !b.begin() {
		return false
	}
	go func() {
		defer b.inflight.Done()
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("handler panicked", "kind", kind, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			}
		}()
		fn()
	}()
	return true
}

func (b *Bot) ids() (appID, botID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.appID, b.botID
}

func (b *Bot) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	b.mu.Lock()
	if r.User != nil {
		b.botID = r.User.ID
	}
	if r.Application != nil && r.Application.ID != "" {
		b.appID = r.Application.ID
	} else if b.appID == "" && r.User != nil {
		b.appID = r.User.ID
	}
	b.mu.Unlock()
	b.connected.Store(true)
	b.log.Info("gateway ready")
	b.readyOnce.Do(func() { close(b.readyCh) })
}

func (b *Bot) onResumed(_ *discordgo.Session, _ *discordgo.Resumed) {
	b.connected.Store(true)
	b.log.Info("gateway resumed")
}

func (b *Bot) onDisconnect(_ *discordgo.Session, _ *discordgo.Disconnect) {
	b.mu.Lock()
	stopping := b.draining
	b.mu.Unlock()
	if b.connected.Swap(false) && !stopping {
		b.log.Warn("gateway disconnected; discordgo reconnects")
		b.meter().GatewayReconnect(b.session.ShardID)
	}
}

// register overwrites the commands once, in bulk, per scope.
func (b *Bot) register(ctx context.Context) {
	appID, _ := b.ids()
	for _, scope := range commandScopes(b.opts.GuildID, b.opts.ModerationGuildID, len(b.modRoles) > 0) {
		list := scope.commands
		err := b.call(ctx, time.Now().Add(followupBudget), "register commands", false, func(opts ...discordgo.RequestOption) error {
			_, err := b.session.ApplicationCommandBulkOverwrite(appID, scope.guildID, list, opts...)
			return err
		})
		where := "global"
		if scope.guildID != "" {
			where = "guild"
		}
		if err != nil {
			b.log.Error("command registration failed; existing commands stay", "scope", where, "error", err)
			continue
		}
		b.log.Info("commands registered", "scope", where, "count", len(list))
	}
}

// meter is where the bot counts; a Bot made without New counts nothing.
func (b *Bot) meter() Metrics {
	if b.metrics == nil {
		return noMetrics{}
	}
	return b.metrics
}
