package gaps

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migration is one step of the PostgreSQL schema. A released step is never
// edited: a change to the schema is a new step.
type migration struct {
	version     int    // 1, 2, …: the order steps run in
	description string // for gaps_schema_migrations, to read by hand
	sql         string // statements, run in the migration's transaction
}

// schemaSteps are the steps of the schema, in order.
//
// The schema keeps the privacy rules even against a bug: member and guild
// columns take only 32-digit hex hashes (a raw Discord ID is digits, 17 to
// 20 of them, and is refused), an answered question has no text and a 👍 no
// question. Times are timestamptz, for people reading the tables; rows of
// one instant keep their order by id.
func schemaSteps() []migration {
	return []migration{{
		version:     1,
		description: "the hashing key, questions and votes",
		sql: `
CREATE TABLE gaps_key (
	id  smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
	key bytea NOT NULL CHECK (length(key) = 32)
);

CREATE TABLE gaps_questions (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at         timestamptz NOT NULL,
	guild      text CHECK (guild ~ '^[0-9a-f]{32}$'),
	member     text CHECK (member ~ '^[0-9a-f]{32}$'),
	via        text NOT NULL CHECK (via IN ('ask', 'mention', 'find_sources')),
	answered   boolean NOT NULL,
	passage_id text,
	article    text,
	text       text,
	CONSTRAINT gaps_questions_text_only_unanswered CHECK (NOT answered OR text IS NULL)
);
CREATE INDEX gaps_questions_at ON gaps_questions (at);

CREATE TABLE gaps_votes (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at         timestamptz NOT NULL,
	guild      text CHECK (guild ~ '^[0-9a-f]{32}$'),
	member     text CHECK (member ~ '^[0-9a-f]{32}$'),
	passage_id text NOT NULL,
	article    text,
	helpful    boolean NOT NULL,
	question   text,
	CONSTRAINT gaps_votes_question_only_downvoted CHECK (NOT helpful OR question IS NULL)
);
CREATE INDEX gaps_votes_at ON gaps_votes (at);
`,
	}}
}

// migrationLock is the key of the advisory lock that migrations run under:
// "gapsmigr" in ASCII, so that it is told apart in pg_locks.
const migrationLock int64 = 0x67617073_6d696772

// migrate brings the database's schema up to the last of steps, all in one
// transaction under a transaction-scoped advisory lock: replicas starting at
// once queue on the lock, the first runs the steps, and the others find
// nothing left to do. A step that fails undoes the whole migration (DDL is
// transactional in PostgreSQL), so the next start tries again from the same
// place. A database already past the last step (migrated by a newer
// gutskin) is left alone: steps only add, so this one still finds what it
// reads and writes.
func migrate(ctx context.Context, pool *pgxpool.Pool, steps []migration) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("wait for other replicas: %w", err)
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS gaps_schema_migrations (
	version     integer PRIMARY KEY,
	description text NOT NULL,
	applied_at  timestamptz NOT NULL DEFAULT now()
)`)
		if err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM gaps_schema_migrations`).Scan(&current); err != nil {
			return err
		}
		for _, st := range steps {
			if st.version <= current {
				continue
			}
			// Without arguments, pgx sends the step by the simple protocol,
			// which runs several statements.
			if _, err := tx.Exec(ctx, st.sql); err != nil {
				return fmt.Errorf("step %d (%s): %w", st.version, st.description, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO gaps_schema_migrations (version, description) VALUES ($1, $2)`, st.version, st.description); err != nil {
				return fmt.Errorf("step %d (%s): %w", st.version, st.description, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate the schema: %w", err)
	}
	return nil
}
