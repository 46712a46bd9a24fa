package gaps

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// testDatabaseEnv names the PostgreSQL server the tests use: a URL whose
// user may create databases. .ci/postgres starts one and prints it.
const testDatabaseEnv = "GUTSKIN_TEST_DATABASE_URL"

// pgSkip tells why the PostgreSQL tests cannot run, "" when they can.
func pgSkip() string {
	if os.Getenv(testDatabaseEnv) == "" {
		return testDatabaseEnv + " is not set: run .ci/postgres"
	}
	return ""
}

// pgDatabase creates an empty database for the test t, dropped when it ends
// (after the stores the test opened are closed), and returns its URL.
func pgDatabase(t testing.TB) string {
	t.Helper()
	if why := pgSkip(); why != "" {
		t.Skip(why)
	}
	server := os.Getenv(testDatabaseEnv)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", testDatabaseEnv, err)
	}
	name := "gaps_" + strings.ToLower(rand.Text())
	if err := pgExec(server, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pgExec(server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// pgConn is a connection of the test's own to the database at dbURL,
// closed at the end of the test.
func pgConn(t testing.TB, dbURL string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgExec runs sql on a connection of its own to the database at dbURL.
func pgExec(dbURL, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// openPG opens a PGStore on the database at dbURL on clock c (nil: the
// real time), closed at the end of the test.
func openPG(t testing.TB, dbURL string, c *clock, retention time.Duration) *PGStore {
	t.Helper()
	opts := Options{Retention: retention}
	if c != nil {
		opts.Now = c.Now
	}
	s, err := OpenPostgres(context.Background(), dbURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// pgStorage is a database of its own, the storage of the PostgreSQL
// backend.
type pgStorage struct{ url string }

func (p pgStorage) open(t testing.TB, c *clock, retention time.Duration) testStore {
	return openPG(t, p.url, c, retention)
}

// hasSchema tells whether the store's tables are there yet.
func (p pgStorage) hasSchema(t testing.TB, conn *pgx.Conn) bool {
	t.Helper()
	var there bool
	if err := conn.QueryRow(context.Background(), `SELECT to_regclass('gaps_key') IS NOT NULL`).Scan(&there); err != nil {
		t.Fatal(err)
	}
	return there
}

func (p pgStorage) stored(t testing.TB) stored {
	t.Helper()
	ctx := context.Background()
	conn := pgConn(t, p.url)
	var st stored
	if !p.hasSchema(t, conn) {
		return st
	}
	// raw: a row as JSON, without its NULL columns, like a bbolt record
	// without its empty fields.
	var (
		q   questionRecord
		raw string
	)
	rows, _ := conn.Query(ctx, `SELECT COALESCE(guild, ''), COALESCE(member, ''), via, answered,
	COALESCE(passage_id, ''), COALESCE(article, ''), COALESCE(text, ''), json_strip_nulls(to_json(r))::text
FROM gaps_questions r ORDER BY at, id`)
	_, err := pgx.ForEachRow(rows, []any{&q.Guild, &q.Member, &q.Via, &q.Answered, &q.Passage, &q.Article, &q.Text, &raw}, func() error {
		st.questions = append(st.questions, q)
		return st.addRaw(raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	var v voteRecord
	rows, _ = conn.Query(ctx, `SELECT COALESCE(guild, ''), COALESCE(member, ''), passage_id, COALESCE(article, ''),
	helpful, COALESCE(question, ''), json_strip_nulls(to_json(r))::text
FROM gaps_votes r ORDER BY at, id`)
	_, err = pgx.ForEachRow(rows, []any{&v.Guild, &v.Member, &v.Passage, &v.Article, &v.Helpful, &v.Question, &raw}, func() error {
		st.votes = append(st.votes, v)
		return st.addRaw(raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (st *stored) addRaw(j string) error {
	var m map[string]any
	if err := json.Unmarshal([]byte(j), &m); err != nil {
		return err
	}
	st.raw = append(st.raw, m)
	return nil
}

// raw is every row of every table of the database's schema, as text.
func (p pgStorage) raw(t testing.TB) []byte {
	t.Helper()
	ctx := context.Background()
	conn := pgConn(t, p.url)
	rows, _ := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for _, table := range tables {
		var text string
		err := conn.QueryRow(ctx, `SELECT COALESCE(string_agg(r::text, E'\n'), '') FROM `+pgx.Identifier{table}.Sanitize()+` r`).Scan(&text)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, table+":\n"+text+"\n"...)
	}
	return raw
}

func (p pgStorage) key(t testing.TB) []byte {
	t.Helper()
	conn := pgConn(t, p.url)
	if !p.hasSchema(t, conn) {
		return nil
	}
	var key []byte
	err := conn.QueryRow(context.Background(), `SELECT key FROM gaps_key`).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// erase erases with a PGStore of its own, as `gutskin gaps --erase` would.
func (p pgStorage) erase(t testing.TB) error {
	t.Helper()
	ctx := context.Background()
	s, err := OpenPostgres(ctx, p.url, Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Erase(ctx)
}

// TestPostgresSchema: the first OpenPostgres creates the schema and the
// key, recording each migration step once; the next one changes nothing;
// the schema refuses what the privacy rules forbid, even from a bug.
func TestPostgresSchema(t *testing.T) {
	ctx := context.Background()
	dbURL := pgDatabase(t)
	st := pgStorage{url: dbURL}
	openPG(t, dbURL, nil, 0)
	key := st.key(t)
	if len(key) != keySize {
		t.Fatalf("the key holds %d bytes, want %d", len(key), keySize)
	}
	conn := pgConn(t, dbURL)
	versions := func() []int {
		rows, _ := conn.Query(ctx, `SELECT version FROM gaps_schema_migrations ORDER BY version`)
		v, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var want []int
	for i, step := range schemaSteps() {
		if step.version != i+1 {
			t.Fatalf("step %d has version %d: versions must be 1, 2, … in order", i, step.version)
		}
		want = append(want, step.version)
	}
	if got := versions(); !slices.Equal(got, want) {
		t.Errorf("migrations recorded: %v, want %v", got, want)
	}

	openPG(t, dbURL, nil, 0)
	if got := versions(); !slices.Equal(got, want) {
		t.Errorf("after a second open, migrations recorded: %v, want %v", got, want)
	}
	if !slices.Equal(st.key(t), key) {
		t.Error("a second open changed the key")
	}

	hash := hashID(key, "member", member)
	refused := []struct {
		name, sql string
		args      []any
	}{
		{"a raw member ID", `INSERT INTO gaps_questions (at, member, via, answered) VALUES (now(), $1, 'ask', false)`, []any{member}},
		{"a raw guild ID", `INSERT INTO gaps_votes (at, guild, passage_id, helpful) VALUES (now(), $1, 'p', false)`, []any{guild}},
		{"text of an answered question", `INSERT INTO gaps_questions (at, member, via, answered, text) VALUES (now(), $1, 'ask', true, 'q')`, []any{hash}},
		{"the question of a 👍", `INSERT INTO gaps_votes (at, member, passage_id, helpful, question) VALUES (now(), $1, 'p', true, 'q')`, []any{hash}},
		{"an unknown via", `INSERT INTO gaps_questions (at, via, answered) VALUES (now(), 'slash', false)`, nil},
		{"a second key", `INSERT INTO gaps_key (id, key) VALUES (2, $1)`, []any{key}},
		{"a short key", `UPDATE gaps_key SET key = '\x00'`, nil},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := conn.Exec(ctx, tt.sql, tt.args...); err == nil {
				t.Error("the schema let it in")
			}
		})
	}
}

// TestPostgresMigrate: steps run once each, in order, each start running
// only the new ones; a failing step leaves nothing of the migration behind;
// a database a newer version migrated is left alone.
func TestPostgresMigrate(t *testing.T) {
	ctx := context.Background()
	dbURL := pgDatabase(t)
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	conn := pgConn(t, dbURL)
	state := func() (versions []int, columns []string) {
		rows, _ := conn.Query(ctx, `SELECT version FROM gaps_schema_migrations ORDER BY version`)
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			t.Fatal(err)
		}
		rows, _ = conn.Query(ctx, `SELECT table_name || '.' || column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name LIKE 'm\_%' ORDER BY 1`)
		columns, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return versions, columns
	}
	v1 := migration{1, "one", `CREATE TABLE m_one (a int)`} // fails if run twice
	v2 := migration{2, "two", `ALTER TABLE m_one ADD COLUMN b int; CREATE TABLE m_two (c int)`}
	bad := migration{3, "bad", `CREATE TABLE m_three (d int); SELECT no_such_function()`}

	steps := []struct {
		name     string
		steps    []migration
		err      string
		versions []int
		columns  []string
	}{
		{"the first step", []migration{v1}, "", []int{1}, []string{"m_one.a"}},
		{"the same again", []migration{v1}, "", []int{1}, []string{"m_one.a"}},
		{"one more step", []migration{v1, v2}, "", []int{1, 2}, []string{"m_one.a", "m_one.b", "m_two.c"}},
		{"a failing step", []migration{v1, v2, bad}, "migrate the schema: step 3 (bad): ", []int{1, 2}, []string{"m_one.a", "m_one.b", "m_two.c"}},
		{"an older gutskin on a newer schema", []migration{v1}, "", []int{1, 2}, []string{"m_one.a", "m_one.b", "m_two.c"}},
	}
	for _, tt := range steps {
		err := migrate(ctx, pool, tt.steps)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: got %v, want an error with %q", tt.name, err, tt.err)
		}
		versions, columns := state()
		if !slices.Equal(versions, tt.versions) || !slices.Equal(columns, tt.columns) {
			t.Errorf("%s: versions %v, columns %v; want %v, %v", tt.name, versions, columns, tt.versions, tt.columns)
		}
	}
}

// TestPostgresConcurrentOpen: three replicas starting at once on an empty
// database all open it, migrate it once and share one key.
func TestPostgresConcurrentOpen(t *testing.T) {
	if why := pgSkip(); why != "" {
		t.Skip(why)
	}
	for round := range 3 {
		dbURL := pgDatabase(t)
		const replicas = 3
		stores := make([]*PGStore, replicas)
		errs := make([]error, replicas)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range replicas {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = OpenPostgres(context.Background(), dbURL, Options{})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: replica %d: %v", round, i, err)
			}
			defer stores[i].Close()
		}
		stored := pgStorage{url: dbURL}.key(t)
		for i, s := range stores {
			if !slices.Equal(s.currentKey(), stored) {
				t.Errorf("round %d: replica %d hashes under another key than the stored one", round, i)
			}
			if err := s.RecordQuestion(context.Background(), *unanswered("from a replica")); err != nil {
				t.Fatal(err)
			}
		}
		st := pgStorage{url: dbURL}.stored(t)
		for _, q := range st.questions {
			if q.Member != st.questions[0].Member {
				t.Errorf("round %d: one member, hashes %q and %q", round, q.Member, st.questions[0].Member)
			}
		}
		var migrations int
		if err := pgConn(t, dbURL).QueryRow(context.Background(), `SELECT count(*) FROM gaps_schema_migrations`).Scan(&migrations); err != nil {
			t.Fatal(err)
		}
		if migrations != len(schemaSteps()) {
			t.Errorf("round %d: %d migrations recorded, want %d", round, migrations, len(schemaSteps()))
		}
	}
}

// password is the password of the URLs the tests open, which no error may
// show. The test server trusts its clients, so it is never asked for.
const password = "pw-NOT-in-any-error"

// TestPostgresDown: when the server hangs, a write fails at its context's
// deadline, or at the store's own bound when the context has none; when the
// server is gone, writes and reports fail at once; each with one line that
// says what failed and never shows the password. When the server is back,
// writes succeed again.
func TestPostgresDown(t *testing.T) {
	dbURL := pgDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, u.Host)
	u.Host = p.addr
	u.User = url.UserPassword(u.User.Username(), password)
	s := openPG(t, u.String(), nil, 0)
	ctx := context.Background()
	if err := s.RecordQuestion(ctx, *unanswered("before")); err != nil {
		t.Fatal(err)
	}

	fails := func(what, prefix string, within time.Duration, op func() error) {
		t.Helper()
		start := time.Now()
		err := op()
		took := time.Since(start)
		t.Logf("%s: %v (after %v)", what, err, took.Round(time.Millisecond))
		switch {
		case err == nil:
			t.Errorf("%s: no error", what)
		case !strings.HasPrefix(err.Error(), prefix):
			t.Errorf("%s: %q does not start with %q", what, err, prefix)
		case strings.ContainsAny(err.Error(), "\n\r"):
			t.Errorf("%s: the error spans several lines: %q", what, err)
		case strings.Contains(err.Error(), password):
			t.Errorf("%s: the error shows the password: %q", what, err)
		}
		if took > within {
			t.Errorf("%s: failed after %v, want at most %v", what, took, within)
		}
	}
	withDeadline := func(d time.Duration) context.Context {
		ctx, cancel := context.WithTimeout(ctx, d)
		t.Cleanup(cancel)
		return ctx
	}

	// Slack for a loaded machine under -race; the point is seconds, not
	// the 30 s of pgTimeout or for ever.
	const slack = 2 * time.Second
	p.freeze()
	fails("a write to a hung server", "record a question: postgres: ", 300*time.Millisecond+slack, func() error {
		return s.RecordQuestion(withDeadline(300*time.Millisecond), *unanswered("hung"))
	})
	s.timeout = 300 * time.Millisecond
	fails("a write without a deadline to a hung server", "record a vote: postgres: ", 300*time.Millisecond+slack, func() error {
		return s.RecordVote(ctx, *vote("p", false, "hung"))
	})
	s.timeout = pgTimeout

	p.stop()
	for range 2 { // the first may meet a pooled connection, the second a refused one
		fails("a write to a stopped server", "record a question: postgres: ", slack, func() error {
			return s.RecordQuestion(withDeadline(10*time.Second), *unanswered("stopped"))
		})
	}
	fails("a report from a stopped server", "report the gaps: postgres: ", slack, func() error {
		_, err := s.Report(withDeadline(10*time.Second), 1, nil)
		return err
	})

	p.restart()
	deadline := time.Now().Add(10 * time.Second)
	for attempt := 1; ; attempt++ {
		err := s.RecordQuestion(withDeadline(2*time.Second), *unanswered("after"))
		if err == nil {
			t.Logf("the server is back: write %d after the restart succeeded", attempt)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write succeeds after the server is back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	rep, err := s.Report(ctx, 1, nil)
	if err != nil || rep.Questions != 2 {
		t.Errorf("after the restart the report counts %d questions, %v; want 2 (before and after)", rep.Questions, err)
	}
}

// TestOpenPostgresErrors: what OpenPostgres says when it cannot open: one
// line, what failed, soon, and never the password.
func TestOpenPostgresErrors(t *testing.T) {
	closed := closedPort(t)
	tests := []struct {
		name, url string
		want      string // in the error
		server    bool   // needs the test server
	}{
		{"no URL", "", "open the gaps store: postgres: no database URL given", false},
		{"a bad port", "postgres://gutskin:" + password + "@127.0.0.1:port/db", "open the gaps store: postgres: cannot parse", false},
		{"a bad key=value string", "host=127.0.0.1 port=x user=gutskin password='" + password + "'", "open the gaps store: postgres: cannot parse", false},
		{"a bad URL", "postgres://gutskin:" + password + "@[::1/db", "open the gaps store: postgres: cannot parse", false},
		{"no server", "postgres://gutskin:" + password + "@127.0.0.1:" + closed + "/db?sslmode=disable", "connection refused", false},
		{"no server, a name of several addresses", "postgres://gutskin:" + password + "@localhost:" + closed + "/db?sslmode=disable", "connection refused", false},
		{"no server, key=value", "host=127.0.0.1 port=" + closed + " user=gutskin password=" + password + " sslmode=disable", "connection refused", false},
		{"no such database", "", "does not exist", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.server {
				if why := pgSkip(); why != "" {
					t.Skip(why)
				}
				u, _ := url.Parse(os.Getenv(testDatabaseEnv))
				u.Path = "/gaps_no_such_database"
				u.User = url.UserPassword(u.User.Username(), password)
				tt.url = u.String()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			s, err := OpenPostgres(ctx, tt.url, Options{})
			took := time.Since(start)
			if err == nil {
				s.Close()
				t.Fatal("it opened")
			}
			t.Logf("%v (after %v)", err, took.Round(time.Millisecond))
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "open the gaps store: postgres: ") {
				t.Errorf("got %q, want an error with %q", msg, tt.want)
			}
			if strings.Contains(msg, password) || strings.ContainsAny(msg, "\n\r") {
				t.Errorf("the error shows the password or spans lines: %q", msg)
			}
			if took > 5*time.Second {
				t.Errorf("failed after %v", took)
			}
		})
	}
}

// TestRedact: every form of a password is masked, whatever the connection
// string and the message look like.
func TestRedact(t *testing.T) {
	tests := []struct {
		name, url, msg, secret string
	}{
		{"in a URL", "postgres://u:plain@h/db", "cannot parse `postgres://u:plain@h:x/db`", "plain"},
		{"percent-encoded", "postgres://u:p%40ss%2Fw@h/db", "a p@ss/w and a p%40ss%2Fw", "p@ss/w"},
		{"an unescaped @", "postgres://u:p@ss@h/db", "parse \"postgres://u:p@ss@h/db\": p@ss", "p@ss"},
		{"a query parameter", "postgres://h/db?password=qp-secret&sslmode=disable", "with qp-secret in it", "qp-secret"},
		{"key=value, quoted", "host=h password='a b c' user=u", "got 'a b c' and a b c", "a b c"},
		{"key=value, bare", "host=h password=bare-secret user=u", "got bare-secret", "bare-secret"},
		{"a URL of some other password in the message", "postgres://h/db", "failed: postgres://x:other-secret@h/db", "other-secret"},
		{"several lines", "postgres://u:pw1@h/db", "failed to connect:\n\th1: pw1\n\th2: pw1", "pw1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redact(tt.msg, passwordForms(tt.url, nil))
			if strings.Contains(got, tt.secret) || strings.ContainsAny(got, "\n\r\t") {
				t.Errorf("redact(%q) = %q", tt.msg, got)
			}
		})
	}
}

// closedPort is a loopback port nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}

// pgProxy stands between a store and the test server, to play a server that
// hangs (freeze: what either side sends is held back) or is gone (stop: its
// connections closed, its port refusing), and comes back (restart).
type pgProxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	flow  chan struct{} // closed while traffic flows
}

func startProxy(t testing.TB, target string) *pgProxy {
	t.Helper()
	p := &pgProxy{t: t, target: target, conns: map[net.Conn]bool{}, flow: make(chan struct{})}
	close(p.flow)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.ln = ln
	go p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *pgProxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

// track adds c to the connections stop closes; false if it is stopped.
func (p *pgProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *pgProxy) pipe(client net.Conn) {
	if !p.track(client) {
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(server) {
		client.Close()
		return
	}
	go p.copy(server, client)
	p.copy(client, server)
}

// copy copies src to dst, holding what it read while the proxy is frozen.
func (p *pgProxy) copy(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			flow := p.flow
			p.mu.Unlock()
			<-flow
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				p.t.Logf("proxy: %v", err)
			}
			return
		}
	}
}

func (p *pgProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flow = make(chan struct{})
}

// stop closes the port and every connection, and lets held traffic go
// (to closed connections).
func (p *pgProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
	select {
	case <-p.flow:
	default:
		close(p.flow)
	}
}

// restart listens again, on the same port.
func (p *pgProxy) restart() {
	p.mu.Lock()
	defer p.mu.Unlock()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy: listen again: %v", err)
	}
	p.ln = ln
	go p.serve(ln)
}
