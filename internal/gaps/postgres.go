package gaps

// The PostgreSQL backend: one store shared by many replicas (issue 17).
//
// Records are rows of gaps_questions and gaps_votes, and the hashing key the
// one row of gaps_key (postgres_schema.go has the schema and its
// migrations, run by OpenPostgres). Every replica that opens the database
// hashes under that one key, so a member's hash is the same whichever
// replica saw them.
//
// What differs from bbolt, and why:
//
//   - A write prunes expired rows in the same statement, but at most a batch
//     of them and only rows no other replica is pruning at that moment
//     (SKIP LOCKED), so that replicas writing at once never wait on each
//     other's pruning; Prune deletes the rest.
//   - Deleted rows are gone for every query at once, but PostgreSQL keeps
//     their bytes in the table's free space until it is reused, and in its
//     write-ahead log and backups for as long as the server's settings say.
//     Prune runs VACUUM after deleting, so that the space is reused soon
//     rather than when autovacuum comes by; Erase truncates, which drops the
//     tables' files. What the server's WAL and backups keep is its
//     operator's to govern.
//   - The key is read at open and kept in memory; a write only lands while
//     the key it hashed with is still the stored one (the insert is
//     conditional on it), so after an Erase by any replica, every replica's
//     next write reads, or makes, the new key, as a bbolt Store does.

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	// pgTimeout bounds an operation whose context has no deadline, so that
	// a server that stopped answering never blocks a caller for ever.
	pgTimeout = 30 * time.Second
	// pgConnectTimeout bounds one connection attempt when DATABASE_URL sets
	// no connect_timeout, so that an unreachable server fails an operation
	// within seconds even when its context allows more.
	pgConnectTimeout = 5 * time.Second
)

// PGStore is the record of questions and votes in a PostgreSQL database,
// shared by every replica that opens it. It has the methods of Store, and
// Erase as a method, since the store is not in a folder. Its methods are
// safe for concurrent use.
type PGStore struct {
	pool      *pgxpool.Pool
	retention time.Duration
	now       func() time.Time
	// secrets are the forms of DATABASE_URL's password that error messages
	// must not show.
	secrets []string
	timeout time.Duration // for operations without a deadline: pgTimeout but in tests

	mu     sync.Mutex
	key    []byte // the hashing key as last read; nil: read it again
	closed bool
}

// OpenPostgres connects to the database at databaseURL (a postgres:// URL
// or a key=value connection string, as pgx reads them), brings its schema
// up to date and reads the hashing key, making it if the database has none.
// Any number of replicas may open one database at once: they migrate it
// once and share one key. opts.Dir is not used. The connection pool stays
// open until Close.
func OpenPostgres(ctx context.Context, databaseURL string, opts Options) (*PGStore, error) {
	const op = "open the gaps store"
	if strings.TrimSpace(databaseURL) == "" {
		return nil, fmt.Errorf("%s: postgres: no database URL given", op)
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, pgFail(op, err, passwordForms(databaseURL, nil))
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "gutskin" // for the server's pg_stat_activity
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = pgConnectTimeout
	}
	opts = opts.withDefaults()
	s := &PGStore{
		retention: opts.Retention,
		now:       opts.Now,
		secrets:   passwordForms(databaseURL, cfg),
		timeout:   pgTimeout,
	}
	ctx, cancel, err := s.begin(ctx)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer cancel()
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, s.fail(op, err)
	}
	// The pool connects lazily: connect now, so that a server that cannot
	// be reached is reported as such rather than as a failed migration.
	if err := s.pool.Ping(ctx); err != nil {
		s.pool.Close()
		return nil, s.fail(op, err)
	}
	if err := migrate(ctx, s.pool, schemaSteps()); err != nil {
		s.pool.Close()
		return nil, s.fail(op, err)
	}
	if _, err := s.loadKey(ctx); err != nil {
		s.pool.Close()
		return nil, s.fail(op, err)
	}
	return s, nil
}

// Close closes the connection pool, once the operations under way are
// done; later operations fail. It is safe to call more than once.
func (s *PGStore) Close() error {
	s.mu.Lock()
	s.closed = true
	s.key = nil
	s.mu.Unlock()
	s.pool.Close() // idempotent
	return nil
}

// pruneOnWrite starts a write statement by deleting the expired rows ($1 is
// the cutoff) of both tables, up to 1000 of each, skipping rows another
// transaction holds: a replica pruning at the same moment is deleting
// those, and waiting for it would only slow the write down. Data-modifying
// WITH clauses run whether or not the statement reads them.
const pruneOnWrite = `WITH expired_questions AS (
	DELETE FROM gaps_questions WHERE id IN (
		SELECT id FROM gaps_questions WHERE at < $1::timestamptz
		ORDER BY at LIMIT 1000 FOR UPDATE SKIP LOCKED)
), expired_votes AS (
	DELETE FROM gaps_votes WHERE id IN (
		SELECT id FROM gaps_votes WHERE at < $1::timestamptz
		ORDER BY at LIMIT 1000 FOR UPDATE SKIP LOCKED)
)
`

// insertQuestion and insertVote insert one record hashed under the key
// passed last, and only if that key is still the stored one: after an
// Erase they insert nothing, and the writer hashes again under the new
// key. Empty strings are stored as NULL, so that what is not kept is not
// there at all.
const (
	insertQuestion = pruneOnWrite + `INSERT INTO gaps_questions (at, guild, member, via, answered, passage_id, article, text)
SELECT $2::timestamptz, NULLIF($3::text, ''), NULLIF($4::text, ''), $5::text, $6::boolean,
	NULLIF($7::text, ''), NULLIF($8::text, ''), NULLIF($9::text, '')
FROM gaps_key WHERE key = $10::bytea`

	insertVote = pruneOnWrite + `INSERT INTO gaps_votes (at, guild, member, passage_id, article, helpful, question)
SELECT $2::timestamptz, NULLIF($3::text, ''), NULLIF($4::text, ''), $5::text, NULLIF($6::text, ''),
	$7::boolean, NULLIF($8::text, '')
FROM gaps_key WHERE key = $9::bytea`
)

// RecordQuestion stores a question; it is durable when RecordQuestion
// returns nil (as durable as the server's commits are). The text of an
// answered question is dropped here.
func (s *PGStore) RecordQuestion(ctx context.Context, q Question) error {
	const op = "record a question"
	if err := q.check(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	at := s.now()
	cutoff := at.Add(-s.retention)
	return s.write(ctx, op, insertQuestion, func(key []byte) []any {
		r := q.record(key)
		return []any{cutoff, at, r.Guild, r.Member, r.Via, r.Answered, r.Passage, r.Article, r.Text, key}
	})
}

// RecordVote stores a vote; it is durable when RecordVote returns nil. The
// question of a 👍 is dropped here.
func (s *PGStore) RecordVote(ctx context.Context, v Vote) error {
	const op = "record a vote"
	if err := v.check(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	at := s.now()
	cutoff := at.Add(-s.retention)
	return s.write(ctx, op, insertVote, func(key []byte) []any {
		r := v.record(key)
		return []any{cutoff, at, r.Guild, r.Member, r.Passage, r.Article, r.Helpful, r.Question, key}
	})
}

// write runs an insert statement with the arguments args gives for the
// current hashing key, reading the key again when the statement finds it
// gone.
func (s *PGStore) write(ctx context.Context, op, query string, args func(key []byte) []any) error {
	ctx, cancel, err := s.begin(ctx)
	if err != nil {
		return s.fail(op, err)
	}
	defer cancel()
	for range 2 {
		key := s.currentKey()
		if key == nil {
			if key, err = s.loadKey(ctx); err != nil {
				return s.fail(op, err)
			}
		}
		tag, err := s.pool.Exec(ctx, query, args(key)...)
		if err != nil {
			return s.fail(op, err)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		// The store was erased since the key was read: never write a hash
		// of the old key, hash again under the new one.
		s.forgetKey(key)
	}
	return s.fail(op, errors.New("the store was erased twice during the write"))
}

// The queries of Report: the records of a period, both ends included, in
// the order they were written.
const (
	selectQuestions = `SELECT at, answered, COALESCE(text, '') FROM gaps_questions
WHERE at BETWEEN $1::timestamptz AND $2::timestamptz ORDER BY at, id`
	selectVotes = `SELECT at, COALESCE(member, ''), passage_id, COALESCE(article, ''), helpful, COALESCE(question, '') FROM gaps_votes
WHERE at BETWEEN $1::timestamptz AND $2::timestamptz ORDER BY at, id`
)

// Report reads the last days days, as Store.Report does, from one snapshot
// of the database.
func (s *PGStore) Report(ctx context.Context, days int, terms func(string) []string) (Report, error) {
	const op = "report the gaps"
	b, err := newReport(days, s.now(), s.retention)
	if err != nil {
		return Report{}, fmt.Errorf("%s: %w", op, err)
	}
	ctx, cancel, err := s.begin(ctx)
	if err != nil {
		return Report{}, s.fail(op, err)
	}
	defer cancel()
	since, until := b.period()
	snapshot := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err = pgx.BeginTxFunc(ctx, s.pool, snapshot, func(tx pgx.Tx) error {
		var at time.Time
		var q questionRecord
		rows, _ := tx.Query(ctx, selectQuestions, since, until) // its error comes out of ForEachRow
		_, err := pgx.ForEachRow(rows, []any{&at, &q.Answered, &q.Text}, func() error {
			b.question(stamp(at), q)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read the questions: %w", err)
		}
		var v voteRecord
		rows, _ = tx.Query(ctx, selectVotes, since, until)
		_, err = pgx.ForEachRow(rows, []any{&at, &v.Member, &v.Passage, &v.Article, &v.Helpful, &v.Question}, func() error {
			b.vote(stamp(at), v)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read the votes: %w", err)
		}
		return nil
	})
	if err != nil {
		return Report{}, s.fail(op, err)
	}
	return b.report(terms), nil
}

// Prune deletes the records older than the retention period and returns how
// many it deleted. Writes prune too, a batch at a time: call Prune at start
// and about daily. When it deleted something it then vacuums both tables,
// so that their space, with the bytes of what was deleted, is reused soon;
// if that fails, Prune returns how many it deleted with the error.
func (s *PGStore) Prune(ctx context.Context) (int, error) {
	const op = "prune the gaps store"
	ctx, cancel, err := s.begin(ctx)
	if err != nil {
		return 0, s.fail(op, err)
	}
	defer cancel()
	cutoff := s.now().Add(-s.retention)
	var removed int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, query := range []string{
			`DELETE FROM gaps_questions WHERE at < $1::timestamptz`,
			`DELETE FROM gaps_votes WHERE at < $1::timestamptz`,
		} {
			tag, err := tx.Exec(ctx, query, cutoff)
			if err != nil {
				return err
			}
			removed += tag.RowsAffected()
		}
		return nil
	})
	if err != nil {
		return 0, s.fail(op, err)
	}
	if removed > 0 {
		// VACUUM cannot run in a transaction; without arguments pgx sends it
		// alone, by the simple protocol.
		if _, err := s.pool.Exec(ctx, `VACUUM gaps_questions, gaps_votes`); err != nil {
			return int(removed), s.fail(op, fmt.Errorf("vacuum after deleting %d records: %w", removed, err))
		}
	}
	return int(removed), nil
}

// Erase deletes every record and the hashing key, for every replica: the
// next write, here or on another replica, makes a new key, so hashes made
// before cannot be matched with hashes made after. The schema stays.
// TRUNCATE rather than DELETE, so that the tables' files go too.
func (s *PGStore) Erase(ctx context.Context) error {
	const op = "erase the gaps store"
	ctx, cancel, err := s.begin(ctx)
	if err != nil {
		return s.fail(op, err)
	}
	defer cancel()
	if _, err := s.pool.Exec(ctx, `TRUNCATE gaps_questions, gaps_votes, gaps_key`); err != nil {
		return s.fail(op, err)
	}
	s.forgetKey(nil)
	return nil
}

// begin checks that an operation may start, and bounds it in time: by
// ctx's deadline, or s.timeout when ctx has none.
func (s *PGStore) begin(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if err := ctx.Err(); err != nil {
		return ctx, func() {}, err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ctx, func() {}, errors.New("the gaps store is closed")
	}
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	return ctx, cancel, nil
}

// loadKey reads the hashing key, making it if there is none: every replica
// offers a fresh random key, the first insert wins and the others do
// nothing (ON CONFLICT DO NOTHING waits for the winner to commit), so all
// of them then read that one key.
func (s *PGStore) loadKey(ctx context.Context) ([]byte, error) {
	fresh := make([]byte, keySize)
	rand.Read(fresh) // never fails (crypto/rand)
	for range 3 {
		if _, err := s.pool.Exec(ctx, `INSERT INTO gaps_key (id, key) VALUES (1, $1::bytea) ON CONFLICT DO NOTHING`, fresh); err != nil {
			return nil, fmt.Errorf("make the hashing key: %w", err)
		}
		var key []byte
		err := s.pool.QueryRow(ctx, `SELECT key FROM gaps_key`).Scan(&key)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // erased between the two statements: make it again
		}
		if err != nil {
			return nil, fmt.Errorf("read the hashing key: %w", err)
		}
		if len(key) != keySize {
			return nil, fmt.Errorf("read the hashing key: it holds %d bytes, want %d", len(key), keySize)
		}
		s.mu.Lock()
		s.key = key
		s.mu.Unlock()
		return key, nil
	}
	return nil, errors.New("read the hashing key: the store was erased again and again meanwhile")
}

// currentKey is the hashing key as last read, nil if it must be read.
func (s *PGStore) currentKey() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key
}

// forgetKey drops the key in memory, if it is still old (any key when old
// is nil), so that the next write reads the stored one.
func (s *PGStore) forgetKey(old []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old == nil || string(s.key) == string(old) {
		s.key = nil
	}
}

// fail is err, of the operation op, as a PGStore reports it (see pgFail).
func (s *PGStore) fail(op string, err error) error { return pgFail(op, err, s.secrets) }

// pgFail is err, of the operation op, as the PostgreSQL backend reports
// it: "op: postgres: reason", on one line, with no form of the password in
// secrets. It wraps err, for errors.Is and errors.As.
func pgFail(op string, err error, secrets []string) error {
	return fmt.Errorf("%s: postgres: %w", op, &pgError{msg: redact(err.Error(), secrets), err: err})
}

// pgError is an error of PostgreSQL, pgx or the way to the server, made fit
// to log: pgx's messages may hold the connection string (when it does not
// parse) and span several lines (when a host name has several addresses),
// so msg is err's message with the password masked and the lines joined.
type pgError struct {
	msg string
	err error
}

func (e *pgError) Error() string { return e.msg }

func (e *pgError) Unwrap() error { return e.err }

// Passwords as connection strings write them: in a URL's user information,
// and as a key=value setting (password=… in a key=value string or a URL's
// query), quoted or not. An unquoted one ends before a quote or a backtick,
// which is how pgx's messages quote a connection string.
var (
	urlPassword = regexp.MustCompile(`(://[^:/?#@\s]*:)\S*@`)
	kvPassword  = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:\\.|[^'\\])*'|[^\s&'"` + "`" + `]+)`)
)

// redact masks every form of the password in msg (the known forms first,
// then anything shaped like a password in a connection string, in case a
// malformed one was split differently) and joins its lines into one.
func redact(msg string, secrets []string) string {
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	msg = urlPassword.ReplaceAllString(msg, "${1}xxxxx@")
	msg = kvPassword.ReplaceAllString(msg, "${1}xxxxx")
	return strings.Join(strings.Fields(msg), " ")
}

// passwordForms are the forms in which databaseURL's password could show
// in an error message, longest first: as pgx parsed it (cfg, when it
// parsed: it may also come from PGPASSWORD or a password file), and as the
// string writes it, raw and percent-decoded, read however malformed the
// rest of the string is.
func passwordForms(databaseURL string, cfg *pgxpool.Config) []string {
	var forms []string
	if cfg != nil {
		forms = append(forms, cfg.ConnConfig.Password)
	}
	if _, rest, ok := strings.Cut(databaseURL, "://"); ok {
		// The user information ends at the last "@" in a valid URL; an
		// unescaped "@" in the password makes the first one a candidate too.
		for _, at := range []int{strings.Index(rest, "@"), strings.LastIndex(rest, "@")} {
			if at < 0 {
				continue
			}
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				forms = append(forms, pw)
				if d, err := url.PathUnescape(pw); err == nil {
					forms = append(forms, d)
				}
			}
		}
	}
	for _, m := range kvPassword.FindAllStringSubmatch(databaseURL, -1) {
		pw := m[2]
		forms = append(forms, pw, strings.Trim(pw, "'"))
		if d, err := url.QueryUnescape(pw); err == nil {
			forms = append(forms, d)
		}
	}
	forms = slices.DeleteFunc(forms, func(f string) bool { return f == "" })
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(forms)
}
