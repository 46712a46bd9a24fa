package gaps

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// base is the time tests start at.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: base} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// set moves the clock to base+d.
func (c *clock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = base.Add(d)
}

const day = 24 * time.Hour

// openStore opens a store in dir on clock c, closed at the end of the test.
func openStore(t testing.TB, dir string, c *clock, retention time.Duration) *Store {
	t.Helper()
	opts := Options{Dir: dir, Retention: retention}
	if c != nil {
		opts.Now = c.Now
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// stored is what a store's file holds, read directly.
type stored struct {
	questions []questionRecord
	votes     []voteRecord
	raw       []map[string]any // every record as generic JSON, questions first
}

// readStored reads every record of the store in dir; nothing when there is
// no database file.
func readStored(t testing.TB, dir string) stored {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, dbFile)); errors.Is(err, fs.ErrNotExist) {
		return stored{}
	}
	db, err := bolt.Open(filepath.Join(dir, dbFile), 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var st stored
	err = db.View(func(tx *bolt.Tx) error {
		for _, name := range []string{questionsBucket, votesBucket} {
			b := tx.Bucket([]byte(name))
			if b == nil {
				continue
			}
			err := b.ForEach(func(k, v []byte) error {
				var m map[string]any
				if err := json.Unmarshal(v, &m); err != nil {
					return err
				}
				st.raw = append(st.raw, m)
				if name == questionsBucket {
					var r questionRecord
					err := json.Unmarshal(v, &r)
					st.questions = append(st.questions, r)
					return err
				}
				var r voteRecord
				err := json.Unmarshal(v, &r)
				st.votes = append(st.votes, r)
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// boltStorage is a data folder, the storage of the bbolt backend.
type boltStorage struct{ dir string }

func (b boltStorage) open(t testing.TB, c *clock, retention time.Duration) testStore {
	return openStore(t, b.dir, c, retention)
}

func (b boltStorage) stored(t testing.TB) stored { return readStored(t, b.dir) }

func (b boltStorage) raw(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(b.dir, dbFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return raw
}

func (b boltStorage) key(t testing.TB) []byte {
	t.Helper()
	key, err := os.ReadFile(filepath.Join(b.dir, keyFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return key
}

func (b boltStorage) erase(testing.TB) error { return Erase(b.dir) }
