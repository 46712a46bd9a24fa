package gaps

// The bbolt backend: the embedded default for one process.
//
// The store is DIR/gaps.db, a bbolt file, and the hashing key is
// DIR/gaps.key (mode 0600). bbolt is already in the binary (the search index
// uses it), so the container stays small, and every commit is fsync'd and
// atomic, so a kill -9 loses no acknowledged record. bbolt locks the file for
// as long as it is open, and both the bot and an operator's `gutskin gaps`
// must use it, so a Store opens the file for each operation and closes it
// right after, one operation at a time in a process, waiting up to five
// seconds for another process to let go of it.
//
// Records are kept in two buckets, questions and votes, under keys made of
// the record's time (8 bytes, big-endian Unix nanoseconds) and a sequence
// number (4 bytes), so that reading a period and pruning are range walks;
// values are JSON. Prune also rewrites the file, so that the bytes of
// deleted records do not linger in its free pages.

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

const (
	dbFile   = "gaps.db"
	keyFile  = "gaps.key"
	tmpInfix = ".tmp-" // temporary files are gaps.db.tmp-* and gaps.key.tmp-*
	// lockWait is how long an operation waits for another process to close
	// the bbolt file.
	lockWait = 5 * time.Second

	questionsBucket = "questions"
	votesBucket     = "votes"
)

// Store is the record of questions and votes in a data folder, in a bbolt
// file. Its methods are safe for concurrent use; each opens the file and
// closes it before returning, so other processes can use the same folder
// between them.
type Store struct {
	dir       string
	retention time.Duration
	now       func() time.Time
	wait      time.Duration // for the file lock; lockWait but in tests

	mu     sync.Mutex // one operation at a time in this process
	closed bool
}

// Open prepares the store in opts.Dir: it creates the folder and the key on
// first use and checks that the database opens, then closes it again.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("open the gaps store: no data folder given")
	}
	opts = opts.withDefaults()
	s := &Store{
		dir:       opts.Dir,
		retention: opts.Retention,
		now:       opts.Now,
		wait:      lockWait,
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("open the gaps store: create the data folder: %w", err)
	}
	if err := s.update(context.Background(), func(*bolt.Tx, []byte) error { return nil }); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens the store in opts.Dir for reports only: it creates
// nothing, writes nothing and prunes nothing, so that an operator's
// `gutskin gaps` can neither leave files the bot cannot open nor apply a
// retention other than the bot's. A folder with no store reports nothing.
func OpenReadOnly(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("open the gaps store: no data folder given")
	}
	opts = opts.withDefaults()
	return &Store{dir: opts.Dir, retention: opts.Retention, now: opts.Now, wait: lockWait}, nil
}

// Close ends the use of the store; later operations fail. Nothing is held
// open between operations, so Close releases nothing and is safe to call
// more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// RecordQuestion stores a question; it is durable when RecordQuestion
// returns nil. The text of an answered question is dropped here.
func (s *Store) RecordQuestion(ctx context.Context, q Question) error {
	if err := q.check(); err != nil {
		return fmt.Errorf("record a question: %w", err)
	}
	at := s.now()
	err := s.update(ctx, func(tx *bolt.Tx, key []byte) error {
		return put(tx.Bucket([]byte(questionsBucket)), at, q.record(key))
	})
	if err != nil {
		return fmt.Errorf("record a question: %w", err)
	}
	return nil
}

// RecordVote stores a vote; it is durable when RecordVote returns nil. The
// question of a 👍 is dropped here.
func (s *Store) RecordVote(ctx context.Context, v Vote) error {
	if err := v.check(); err != nil {
		return fmt.Errorf("record a vote: %w", err)
	}
	at := s.now()
	err := s.update(ctx, func(tx *bolt.Tx, key []byte) error {
		return put(tx.Bucket([]byte(votesBucket)), at, v.record(key))
	})
	if err != nil {
		return fmt.Errorf("record a vote: %w", err)
	}
	return nil
}

// Report reads the last days days (days >= 1, records older than the
// retention period left out). terms maps a question to its content terms
// (the caller passes the search index's analysis: lower-cased, stemmed, stop
// words out, synonyms folded); nil means a simple fallback: lower-case
// letter/digit words minus a small English stop-word list, with a crude
// plural strip. See groupGaps for how questions are grouped.
func (s *Store) Report(ctx context.Context, days int, terms func(string) []string) (Report, error) {
	b, err := newReport(days, s.now(), s.retention)
	if err != nil {
		return Report{}, fmt.Errorf("report the gaps: %w", err)
	}
	since, until := b.period()
	lo, hi := stamp(since), stamp(until)
	err = s.view(ctx, func(tx *bolt.Tx) error {
		err := scan(ctx, tx.Bucket([]byte(questionsBucket)), lo, hi, func(at uint64, v []byte) error {
			var r questionRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			b.question(at, r)
			return nil
		})
		if err != nil {
			return err
		}
		return scan(ctx, tx.Bucket([]byte(votesBucket)), lo, hi, func(at uint64, v []byte) error {
			var r voteRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			b.vote(at, r)
			return nil
		})
	})
	if err != nil && !errors.Is(err, errNoStore) {
		return Report{}, fmt.Errorf("report the gaps: %w", err)
	}
	return b.report(terms), nil
}

// Prune deletes the records older than the retention period and returns how
// many it deleted. It then rewrites the database into a new file that
// replaces it, so that what was deleted, now or by earlier writes, does not
// linger in the old file's free pages. Writes prune too, but do not
// rewrite: call Prune at start and about daily.
func (s *Store) Prune(ctx context.Context) (removed int, err error) {
	cutoff := s.now().Add(-s.retention)
	err = s.withDB(ctx, true, func(db *bolt.DB) error {
		err := db.Update(func(tx *bolt.Tx) error {
			var err error
			removed, err = pruneTx(tx, cutoff)
			return err
		})
		if err != nil {
			return fmt.Errorf("write the gaps store %s: %w", s.dbPath(), err)
		}
		return s.compact(db)
	})
	if err != nil {
		return 0, fmt.Errorf("prune the gaps store: %w", err)
	}
	return removed, nil
}

func (s *Store) dbPath() string { return filepath.Join(s.dir, dbFile) }

// errNoStore is what view reports when there is no database file to read.
var errNoStore = errors.New("no gaps store")

// update runs fn in one write transaction, with the buckets created and the
// hashing key at hand, the file open only meanwhile. Expired records are
// deleted in the same transaction.
func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx, key []byte) error) error {
	return s.withDB(ctx, true, func(db *bolt.DB) error {
		key, err := s.loadKey()
		if err != nil {
			return err
		}
		cutoff := s.now().Add(-s.retention)
		err = db.Update(func(tx *bolt.Tx) error {
			for _, name := range []string{questionsBucket, votesBucket} {
				if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
					return err
				}
			}
			if _, err := pruneTx(tx, cutoff); err != nil {
				return err
			}
			return fn(tx, key)
		})
		if err != nil {
			return fmt.Errorf("write the gaps store %s: %w", s.dbPath(), err)
		}
		return nil
	})
}

// view runs fn in one read transaction, the file open (shared) only
// meanwhile; it returns errNoStore when there is no file.
func (s *Store) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	return s.withDB(ctx, false, func(db *bolt.DB) error {
		if err := db.View(fn); err != nil {
			return fmt.Errorf("read the gaps store %s: %w", s.dbPath(), err)
		}
		return nil
	})
}

// withDB opens the database file, runs fn and closes the file, one
// operation at a time in this process.
func (s *Store) withDB(ctx context.Context, write bool, fn func(db *bolt.DB) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("the gaps store %s is closed", s.dbPath())
	}
	db, err := openDB(s.dbPath(), write, s.wait)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil { // the lock may have taken a while
		db.Close()
		return err
	}
	err = fn(db)
	if cerr := db.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close the gaps store %s: %w", s.dbPath(), cerr)
	}
	return err
}

// openDB opens the bbolt file at path, waiting up to wait for its lock:
// exclusive to write, shared to read. Reading a missing file returns
// errNoStore. Erase or Prune in another process may remove or replace the
// file while this one waits for the lock on it; then it opens the file now
// at path instead, within the same wait, so that no write lands in a file
// that is gone.
func openDB(path string, write bool, wait time.Duration) (*bolt.DB, error) {
	deadline := time.Now().Add(wait)
	for {
		_, statErr := os.Stat(path)
		created := write && errors.Is(statErr, fs.ErrNotExist)
		var held *os.File
		db, err := bolt.Open(path, 0o600, &bolt.Options{
			Timeout:  max(time.Until(deadline), time.Millisecond), // 0 would wait for ever
			ReadOnly: !write,
			OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag, perm)
				held = f
				return f, err
			},
		})
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, fmt.Errorf("the gaps store is busy (another gutskin process holds %s): %w", path, err)
		case !write && errors.Is(err, fs.ErrNotExist):
			return nil, errNoStore
		case err != nil:
			return nil, fmt.Errorf("open the gaps store %s: %w", path, err)
		}
		if sameFile(held, path) {
			if created {
				// The new file's name must survive a power cut too.
				if err := syncDir(filepath.Dir(path)); err != nil {
					db.Close()
					return nil, fmt.Errorf("open the gaps store %s: %w", path, err)
				}
			}
			return db, nil
		}
		db.Close()
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the gaps store is busy (another gutskin process holds %s): %w", path, berrors.ErrTimeout)
		}
	}
}

// sameFile reports whether the open file f is still the one at path.
func sameFile(f *os.File, path string) bool {
	if f == nil {
		return false
	}
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// loadKey reads the hashing key, making it on first use. It is called with
// the database locked exclusively, so two processes starting at once agree
// on one key. A key lost while the database stays (Erase in another process,
// a hand-deleted file) is made anew: later hashes no longer match earlier
// ones, which is the safe side.
func (s *Store) loadKey() ([]byte, error) {
	path := filepath.Join(s.dir, keyFile)
	key, err := os.ReadFile(path)
	switch {
	case err == nil && len(key) == keySize:
		return key, nil
	case err == nil:
		return nil, fmt.Errorf("read the gaps key %s: it holds %d bytes, want %d", path, len(key), keySize)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read the gaps key %s: %w", path, err)
	}
	key = make([]byte, keySize)
	rand.Read(key) // never fails (crypto/rand)
	if err := writeFileAtomic(s.dir, keyFile, key); err != nil {
		return nil, fmt.Errorf("write the gaps key %s: %w", path, err)
	}
	return key, nil
}

// writeFileAtomic writes data to dir/name (mode 0600) through a temporary
// file renamed over it, flushed, so the file is whole or absent.
func writeFileAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, name+tmpInfix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir flushes a folder's entries, so a created, renamed or removed
// file stays so after a power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Erase removes the store in dir: the database, the key and any temporary
// files of either, leaving the rest of the folder alone. A folder with no
// store, or no folder, is not an error. Erase waits for an operation of
// another process on the store to end, as its operations do; a Store still
// in use afterwards starts a new database under a new key.
func Erase(dir string) error {
	path := filepath.Join(dir, dbFile)
	if _, err := os.Stat(path); err == nil {
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockWait})
		if errors.Is(err, berrors.ErrTimeout) {
			return fmt.Errorf("erase the gaps store: the gaps store is busy (another gutskin process holds %s): %w", path, err)
		}
		// A file bbolt cannot open is removed all the same.
		if err == nil {
			defer db.Close() // after the removal, so no one writes in between
		}
	}
	var errs []error // the first is returned
	remove := func(p string) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("erase the gaps store: %w", err))
		}
	}
	remove(filepath.Join(dir, keyFile))
	remove(path)
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf("erase the gaps store: list %s: %w", dir, err))
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, dbFile+tmpInfix) || strings.HasPrefix(n, keyFile+tmpInfix) {
			remove(filepath.Join(dir, n))
		}
	}
	if err == nil {
		if err := syncDir(dir); err != nil {
			errs = append(errs, fmt.Errorf("erase the gaps store: flush %s: %w", dir, err))
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// put stores a record under the key for time at and the bucket's next
// sequence number.
func put(b *bolt.Bucket, at time.Time, record any) error {
	v, err := json.Marshal(record)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return b.Put(recordKey(at, seq), v)
}

// recordKey is a record's key: its time in Unix nanoseconds, 8 bytes
// big-endian, then the low 4 bytes of a sequence number, so keys sort by
// time and records of one nanosecond stay apart.
func recordKey(at time.Time, seq uint64) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint64(k, stamp(at))
	binary.BigEndian.PutUint32(k[8:], uint32(seq))
	return k
}

// keyStamp reads the time part of a record key.
func keyStamp(k []byte) uint64 {
	if len(k) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k)
}

// pruneTx deletes the records older than cutoff from both buckets and
// returns how many it deleted.
func pruneTx(tx *bolt.Tx, cutoff time.Time) (int, error) {
	limit := stamp(cutoff)
	removed := 0
	for _, name := range []string{questionsBucket, votesBucket} {
		b := tx.Bucket([]byte(name))
		if b == nil {
			continue
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil && keyStamp(k) < limit; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return removed, err
			}
			removed++
		}
	}
	return removed, nil
}

// scan calls fn with the time and value of each record of b whose time is
// within [lo, hi], in time order.
func scan(ctx context.Context, b *bolt.Bucket, lo, hi uint64, fn func(at uint64, v []byte) error) error {
	if b == nil {
		return nil
	}
	c := b.Cursor()
	n := 0
	for k, v := c.Seek(firstKey(lo)); k != nil && keyStamp(k) <= hi; k, v = c.Next() {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(keyStamp(k), v); err != nil {
			return fmt.Errorf("record %x: %w", k, err)
		}
	}
	return nil
}

// firstKey is the smallest record key of a time.
func firstKey(at uint64) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint64(k, at)
	return k
}

// compact copies the open, exclusively locked database src into a new file
// and renames that over it before src is closed, so no other process writes
// in between (renaming over an open file is fine on Linux and macOS, where
// the bot runs). Temporary files left by an earlier crash are removed
// first.
func (s *Store) compact(src *bolt.DB) (err error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("compact the gaps store: list %s: %w", s.dir, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), dbFile+tmpInfix) {
			os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
	f, err := os.CreateTemp(s.dir, dbFile+tmpInfix+"*")
	if err != nil {
		return fmt.Errorf("compact the gaps store: %w", err)
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("compact the gaps store into %s: %w", tmp, err)
	}
	err = bolt.Compact(dst, src, 4<<20)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("compact the gaps store into %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, s.dbPath()); err != nil {
		return fmt.Errorf("compact the gaps store: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("compact the gaps store: flush %s: %w", s.dir, err)
	}
	return nil
}
