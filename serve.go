package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gutskin/bot"
	"gutskin/index"
	"gutskin/internal/gaps"
	"gutskin/internal/health"
	"gutskin/internal/metrics"
)

// defaultAskCooldown is ASK_COOLDOWN's default.
const defaultAskCooldown = 5 * time.Second

// serveConfig is what `gutskin serve` runs with. The token is never
// printed: not in logs, not in errors.
type serveConfig struct {
	token             string
	apiURL            string
	guildID           string
	moderationGuildID string
	moderatorRoles    []string
	cooldown          time.Duration
	corpusDir         string
	indexDir          string
	healthAddr        string
	// fetchAllowPrivate lets /library add fetch from private addresses.
	fetchAllowPrivate bool
	// dataDir holds the /gaps records; empty records nothing.
	dataDir string
	// databaseURL, when set, keeps them in PostgreSQL instead, shared by
	// every replica. It is never logged: it may hold a password.
	databaseURL string
	retention   time.Duration
	// interactionsAddr serves Discord's HTTP interactions, verified with
	// publicKey; empty serves none.
	interactionsAddr string
	publicKey        ed25519.PublicKey
	// noGateway answers HTTP interactions only (GATEWAY=off).
	noGateway bool
	// shardID and shardCount pick the gateway shard (bot.AutoShards:
	// Discord's recommendation).
	shardID, shardCount int
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return exitCode(serve(ctx, args, stderr), stderr)
}

// serveFlags are serve's flags; each overrides its environment variable.
type serveFlags struct {
	fs                                                  *flag.FlagSet
	apiURL, guild, modGuild, modRoles, cooldown, health *string
	corpus, index                                       *string
}

func newServeFlags(stderr io.Writer) *serveFlags {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &serveFlags{fs: fs}
	f.apiURL = fs.String("api-url", "", "Discord REST base (DISCORD_API_URL, default "+bot.DefaultAPIURL+")")
	f.guild = fs.String("guild", "", "register commands in this guild only (DISCORD_GUILD_ID)")
	f.modGuild = fs.String("moderation-guild", "", "guild whose moderators may /library and /reindex (MODERATION_GUILD_ID, default DISCORD_GUILD_ID)")
	f.modRoles = fs.String("moderator-roles", "", "comma-separated role IDs that may /library and /reindex (MODERATOR_ROLE_IDS)")
	f.cooldown = fs.String("ask-cooldown", "", "least time between two questions of a member, 0 for none (ASK_COOLDOWN, default 5s)")
	f.health = fs.String("health-addr", "", "health server address, empty for none (HEALTH_ADDR, default :8080)")
	f.corpus = fs.String("corpus", "", "folder of articles (CORPUS_DIR, else the embedded library)")
	f.index = fs.String("index", "", "index directory (INDEX_DIR, else in memory)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gutskin serve [flags]   (DISCORD_TOKEN comes from the environment or .env, never a flag)")
		fs.PrintDefaults()
	}
	return f
}

var snowflakeRE = regexp.MustCompile(`^[0-9]{1,25}$`)

// parseServeConfig reads serve's configuration: flags, then the
// environment (which loadDotEnv has filled from .env). An error names the
// variable and what is wrong, on one line.
func parseServeConfig(f *serveFlags) (serveConfig, error) {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	pick := func(flagName string, flagVal *string, env string) (value, source string) {
		if set[flagName] {
			return strings.TrimSpace(*flagVal), "--" + flagName
		}
		return strings.TrimSpace(os.Getenv(env)), env
	}
	var cfg serveConfig

	token, ok := os.LookupEnv("DISCORD_TOKEN")
	token = strings.TrimSpace(token)
	token = strings.TrimSpace(strings.TrimPrefix(token, "Bot "))
	switch {
	case !ok || token == "":
		return cfg, usagef("DISCORD_TOKEN is not set: put the bot token from the Discord developer portal in the environment or .env")
	case strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return cfg, usagef("DISCORD_TOKEN is malformed: it contains spaces or control characters")
	}
	cfg.token = token

	v, src := pick("api-url", f.apiURL, "DISCORD_API_URL")
	if v == "" {
		v = bot.DefaultAPIURL
	}
	if _, err := bot.ParseAPIURL(v); err != nil {
		return cfg, usagef("%s=%s: %v", src, shownURL(v), err)
	}
	cfg.apiURL = v

	id := func(flagName string, flagVal *string, env string) (string, error) {
		v, src := pick(flagName, flagVal, env)
		if v != "" && !snowflakeRE.MatchString(v) {
			return "", usagef("%s=%q: want a numeric Discord ID", src, v)
		}
		return v, nil
	}
	var err error
	if cfg.guildID, err = id("guild", f.guild, "DISCORD_GUILD_ID"); err != nil {
		return cfg, err
	}
	if cfg.moderationGuildID, err = id("moderation-guild", f.modGuild, "MODERATION_GUILD_ID"); err != nil {
		return cfg, err
	}
	if cfg.moderationGuildID == "" {
		cfg.moderationGuildID = cfg.guildID
	}

	v, src = pick("moderator-roles", f.modRoles, "MODERATOR_ROLE_IDS")
	for _, r := range strings.Split(v, ",") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !snowflakeRE.MatchString(r) {
			return cfg, usagef("%s: %q is not a numeric Discord role ID", src, r)
		}
		cfg.moderatorRoles = append(cfg.moderatorRoles, r)
	}

	cfg.cooldown = defaultAskCooldown
	if v, src = pick("ask-cooldown", f.cooldown, "ASK_COOLDOWN"); v != "" {
		d, err := time.ParseDuration(v) // "0" parses as no cooldown
		if err != nil || d < 0 {
			return cfg, usagef("%s=%q: want a duration such as 5s, or 0 for no cooldown", src, v)
		}
		cfg.cooldown = d
	}

	cfg.healthAddr, src = defaultHealthAddr, "HEALTH_ADDR"
	if set["health-addr"] {
		cfg.healthAddr, src = strings.TrimSpace(*f.health), "--health-addr"
	} else if v, ok := os.LookupEnv("HEALTH_ADDR"); ok {
		cfg.healthAddr = strings.TrimSpace(v)
	}
	if err := checkListenAddr(cfg.healthAddr); err != nil {
		return cfg, usagef("%s=%q: %v", src, cfg.healthAddr, err)
	}
	cfg.corpusDir = strings.TrimSpace(*f.corpus)
	cfg.indexDir = strings.TrimSpace(*f.index)
	if cfg.fetchAllowPrivate, err = fetchAllowPrivate(); err != nil {
		return cfg, err
	}
	if err := parseInteractions(&cfg); err != nil {
		return cfg, err
	}
	if err := parseShards(&cfg); err != nil {
		return cfg, err
	}
	cfg.dataDir = strings.TrimSpace(os.Getenv("DATA_DIR"))
	cfg.databaseURL = strings.TrimSpace(os.Getenv("DATABASE_URL"))
	if cfg.databaseURL != "" && !strings.HasPrefix(cfg.databaseURL, "postgres://") && !strings.HasPrefix(cfg.databaseURL, "postgresql://") {
		return cfg, usagef("DATABASE_URL=%s: want postgres://USER:PASSWORD@HOST:PORT/DATABASE", shownURL(cfg.databaseURL))
	}
	if cfg.retention, err = retentionDays(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// parseInteractions reads INTERACTIONS_ADDR, DISCORD_PUBLIC_KEY and
// GATEWAY.
func parseInteractions(cfg *serveConfig) error {
	cfg.interactionsAddr = strings.TrimSpace(os.Getenv("INTERACTIONS_ADDR"))
	if err := checkListenAddr(cfg.interactionsAddr); err != nil {
		return usagef("INTERACTIONS_ADDR=%q: %v", cfg.interactionsAddr, strings.Replace(err.Error(), "no health server", "no interactions endpoint", 1))
	}
	key := strings.TrimSpace(os.Getenv("DISCORD_PUBLIC_KEY"))
	switch raw, err := hex.DecodeString(key); {
	case cfg.interactionsAddr == "" && key == "":
	case cfg.interactionsAddr == "":
		return usagef("DISCORD_PUBLIC_KEY is set but INTERACTIONS_ADDR is not: set both to serve HTTP interactions")
	case key == "":
		return usagef("INTERACTIONS_ADDR is set but DISCORD_PUBLIC_KEY is not: copy the application's Public Key from the developer portal")
	case err != nil || len(raw) != ed25519.PublicKeySize:
		return usagef("DISCORD_PUBLIC_KEY: want the application's Public Key, 64 hexadecimal characters")
	default:
		cfg.publicKey = ed25519.PublicKey(raw)
	}
	switch v := strings.ToLower(strings.TrimSpace(os.Getenv("GATEWAY"))); v {
	case "", "on":
	case "off":
		if cfg.interactionsAddr == "" {
			return usagef("GATEWAY=off needs INTERACTIONS_ADDR and DISCORD_PUBLIC_KEY: without the gateway, interactions come over HTTP")
		}
		cfg.noGateway = true
	default:
		return usagef("GATEWAY=%q: want on or off", v)
	}
	return nil
}

// parseShards reads SHARD_ID and SHARD_COUNT (a number, or auto).
func parseShards(cfg *serveConfig) error {
	id, count := strings.TrimSpace(os.Getenv("SHARD_ID")), strings.ToLower(strings.TrimSpace(os.Getenv("SHARD_COUNT")))
	if id == "" && count == "" {
		return nil
	}
	if cfg.noGateway {
		return usagef("SHARD_ID and SHARD_COUNT pick a gateway shard, but GATEWAY=off runs without the gateway")
	}
	n, err := strconv.Atoi(id)
	if id == "" || err != nil || n < 0 {
		return usagef("SHARD_ID=%q: want this process's shard, 0 to SHARD_COUNT-1", id)
	}
	cfg.shardID = n
	switch c, err := strconv.Atoi(count); {
	case count == "auto":
		cfg.shardCount = bot.AutoShards
	case err != nil || c < 1:
		return usagef("SHARD_COUNT=%q: want the number of shards, or auto for Discord's recommendation", count)
	case n >= c:
		return usagef("SHARD_ID=%d: want 0 to %d with SHARD_COUNT=%d", n, c-1, c)
	default:
		cfg.shardCount = c
	}
	return nil
}

// checkListenAddr checks a listen address such as ":8080" or
// "127.0.0.1:8080": a host (possibly empty) and a fixed port, which `gutskin
// health` can find again. Empty means off and is fine.
func checkListenAddr(addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want HOST:PORT such as :8080, or empty for no health server")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return errors.New("want a port number from 1 to 65535, such as :8080")
	}
	return nil
}

// serve runs the Discord bot until ctx ends (SIGINT or SIGTERM in main).
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	f := newServeFlags(stderr)
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("serve: %v", err)
	}
	if f.fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", f.fs.Arg(0))
	}
	if err := loadDotEnv(); err != nil {
		return err
	}
	logger, err := newLogger(stderr)
	if err != nil {
		return err
	}
	bot.RouteLibraryLogs(logger)
	cfg, err := parseServeConfig(f)
	if err != nil {
		return err
	}

	ix, _, err := openEngine(ctx, cfg.corpusDir, cfg.indexDir, index.ReuseIfCurrent, logger, logProgress(logger))
	if err != nil {
		if ctx.Err() != nil { // SIGINT or SIGTERM while starting: a clean stop
			logger.Info("stopped before the bot started")
			return nil
		}
		return err
	}
	defer ix.Close()
	stats := ix.Stats()
	logger.Info("library ready", "articles", stats.Articles, "passages", stats.Passages)

	var lib bot.Library
	if folder := libraryFolder(cfg.corpusDir, cfg.fetchAllowPrivate); folder != nil {
		lib = folder
		if cfg.fetchAllowPrivate {
			logger.Warn("FETCH_ALLOW_PRIVATE is on: /library add may fetch from private and loopback addresses")
		}
	} else {
		logger.Info("no library folder (CORPUS_DIR): /library cannot change the built-in library")
	}

	var recorder bot.Recorder
	if cfg.databaseURL != "" || cfg.dataDir != "" {
		store, where, err := openGaps(ctx, cfg.databaseURL, cfg.dataDir, cfg.retention)
		if err != nil {
			return err
		}
		defer store.Close()
		recorder = store
		pctx, stopPruning := context.WithCancel(ctx)
		pruned := make(chan struct{})
		go func() { defer close(pruned); pruneDaily(pctx, store, logger) }()
		// A prune cut short would leave its copy of the store behind.
		defer func() { stopPruning(); <-pruned }()
		logger.Info("recording questions for /gaps", "store", where, "retention_days", int(cfg.retention.Hours()/24))
	} else {
		logger.Info("no data folder (DATA_DIR): questions are not recorded and /gaps is empty")
	}
	terms, err := index.TermsOf()
	if err != nil {
		return err
	}

	meters := metrics.New(indexSize{ix})
	b, err := bot.New(ix, bot.Options{
		Metrics:           meters,
		Gaps:              recorder,
		NoGateway:         cfg.noGateway,
		ShardID:           cfg.shardID,
		ShardCount:        cfg.shardCount,
		Terms:             terms,
		Library:           lib,
		Token:             cfg.token,
		APIURL:            cfg.apiURL,
		GuildID:           cfg.guildID,
		ModerationGuildID: cfg.moderationGuildID,
		ModeratorRoleIDs:  cfg.moderatorRoles,
		AskCooldown:       cfg.cooldown,
		Logger:            logger,
	})
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	healthErr := make(chan error, 1)
	go func() {
		err := health.New(cfg.healthAddr, version, indexStats{ix}, b).WithMetrics(meters.Handler()).ListenAndServe(ctx)
		if err != nil {
			logger.Error("health server failed; stopping", "error", err)
			cancel()
		}
		healthErr <- err
	}()

	if cfg.interactionsAddr != "" {
		srv := &http.Server{Addr: cfg.interactionsAddr, Handler: b.InteractionsHandler(cfg.publicKey),
			ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", cfg.interactionsAddr)
		if err != nil {
			return fmt.Errorf("INTERACTIONS_ADDR=%s: %w", cfg.interactionsAddr, err)
		}
		go srv.Serve(ln)
		defer func() {
			sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer scancel()
			srv.Shutdown(sctx)
		}()
		logger.Info("serving HTTP interactions", "addr", ln.Addr().String(), "gateway", !cfg.noGateway)
	}
	logger.Info("connecting to Discord", "custom_api_url", cfg.apiURL != bot.DefaultAPIURL, "guild_commands", cfg.guildID != "",
		"reindex", cfg.moderationGuildID != "", "cooldown", cfg.cooldown.String(), "health", cfg.healthAddr)
	runErr := b.Run(ctx)
	cancel()
	if err := <-healthErr; err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		return runErr
	}
	logger.Info("stopped")
	return nil
}

// gapsStore is what serve and `gutskin gaps` need of a /gaps store: a
// *gaps.Store (bbolt in DATA_DIR) or a *gaps.PGStore (DATABASE_URL).
type gapsStore interface {
	bot.Recorder
	Prune(ctx context.Context) (int, error)
	Close() error
}

// openGaps opens PostgreSQL when databaseURL is set, else the bbolt store in
// dir; where says which, without the URL's password.
func openGaps(ctx context.Context, databaseURL, dir string, retention time.Duration) (gapsStore, string, error) {
	opts := gaps.Options{Dir: dir, Retention: retention}
	if databaseURL != "" {
		s, err := gaps.OpenPostgres(ctx, databaseURL, opts)
		if err != nil {
			return nil, "", fmt.Errorf("DATABASE_URL: %w", err)
		}
		return s, "postgres " + shownURL(databaseURL), nil
	}
	s, err := gaps.Open(opts)
	if err != nil {
		return nil, "", fmt.Errorf("DATA_DIR=%s: %w", dir, err)
	}
	return s, dir, nil
}

// pruneDaily deletes records older than RETENTION_DAYS at start, then once
// a day, until ctx ends.
func pruneDaily(ctx context.Context, store gapsStore, logger *slog.Logger) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		n, err := store.Prune(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("pruning old /gaps records failed", "error", err)
		case n > 0:
			logger.Info("pruned old /gaps records", "records", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// indexSize shows the index's size to the metrics.
type indexSize struct{ ix *index.Index }

// Size returns the index's article and passage counts.
func (s indexSize) Size() (articles, passages int) {
	st := s.ix.Stats()
	return st.Articles, st.Passages
}

// indexStats shows the index to the health server.
type indexStats struct{ ix *index.Index }

// IndexStats reports the index in service; ok is false while it holds no
// article.
func (s indexStats) IndexStats() (articles, passages int, builtAt time.Time, ok bool) {
	st := s.ix.Stats()
	return st.Articles, st.Passages, st.BuiltAt, st.Articles > 0
}

// shownURL quotes a URL for an error message without the password it may
// hold; a URL too malformed to tell is not quoted at all if it has an "@".
func shownURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return strconv.Quote(u.Redacted())
	}
	if strings.Contains(raw, "@") {
		return "(not shown: it may hold a password)"
	}
	return strconv.Quote(raw)
}
