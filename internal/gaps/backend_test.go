package gaps

import (
	"context"
	"testing"
	"time"
)

// testStore is what the tests use of a store, of either backend.
type testStore interface {
	RecordQuestion(ctx context.Context, q Question) error
	RecordVote(ctx context.Context, v Vote) error
	Report(ctx context.Context, days int, terms func(string) []string) (Report, error)
	Prune(ctx context.Context) (int, error)
	Close() error
}

// Both backends have the same methods.
var (
	_ testStore = (*Store)(nil)
	_ testStore = (*PGStore)(nil)
)

// storage is where one test's records go, for the tests that hold for both
// backends: a data folder of its own for bbolt, a database of its own for
// PostgreSQL.
type storage interface {
	// open opens a store on the storage, closed at the end of the test,
	// on clock c (nil: the real time) with the retention period given (0:
	// the default).
	open(t testing.TB, c *clock, retention time.Duration) testStore
	// stored reads every record straight from the storage, each kind in
	// the order written; nothing when there is no store.
	stored(t testing.TB) stored
	// raw is everything the storage holds, as bytes to search for what
	// must not be there: the file for bbolt, every row of every table as
	// text for PostgreSQL.
	raw(t testing.TB) []byte
	// key is the hashing key as stored, nil when there is none.
	key(t testing.TB) []byte
	// erase erases the store as an operator would, from another process
	// than the stores open on it.
	erase(t testing.TB) error
}

// backend is a kind of storage.
type backend struct {
	name string
	// skip tells why the backend cannot be tested here, "" when it can.
	skip func() string
	// storage makes empty storage for the test t.
	storage func(t *testing.T) storage
}

func backends() []backend {
	return []backend{
		{
			name:    "bbolt",
			skip:    func() string { return "" },
			storage: func(t *testing.T) storage { return boltStorage{dir: t.TempDir()} },
		},
		{
			name:    "postgres",
			skip:    pgSkip,
			storage: func(t *testing.T) storage { return pgStorage{url: pgDatabase(t)} },
		},
	}
}

// eachBackend runs test once for each backend, as a subtest named after
// it; a backend that cannot be tested here is skipped, saying why.
func eachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			if why := b.skip(); why != "" {
				t.Skip(why)
			}
			test(t, b)
		})
	}
}
