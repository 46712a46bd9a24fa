package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// An index directory holds finished generations side by side and names the
// live one in a pointer file, replaced by atomic rename:
//
//	DIR/CURRENT            "gen-20261122T190512.123456789Z\n"
//	DIR/gen-…/bleve/       the Bleve index, never written after it is finished
//	DIR/gen-…/meta.json    what built it, and how many articles and passages
//	DIR/gen-…/answer.json  the library-wide figures the answer rule reads
//	DIR/gen-…/articles.bolt  each article's title, sources and passage IDs
//	DIR/gen-…/.served-by-… a lease: one per process serving the generation
//	DIR/LOCK               flock held by the one process writing: building,
//	                       setting aside or removing generations
//	DIR/corrupt-…          generations set aside because they would not open
//
// Many processes may serve from one directory (replicas on a shared
// volume). Each follows CURRENT, and keeps a lease file in the generation
// it serves, refreshed while it serves it. Only the holder of the writer
// lock removes a generation, and only one that CURRENT does not name, that
// no lease has marked as served and that was not replaced, within the
// grace period (see removeUnserved).
//
// A build killed half-way leaves a gen-… directory without meta.json that
// CURRENT does not name; the next writer removes it.
const (
	pointerFile = "CURRENT"
	lockFile    = "LOCK"
	metaFile    = "meta.json"
	bleveDir    = "bleve"
	genPrefix   = "gen-"
	leasePrefix = ".served-by-"
)

// store is an index directory on disk.
type store struct{ dir string }

// current returns the live generation's name, or "" when there is none.
func (s store) current() (string, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, pointerFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read index pointer: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, genPrefix) || strings.ContainsAny(name, `/\`) || !utf8.ValidString(name) || len(name) > 100 {
		return "", fmt.Errorf("%w: %s names %q, not a generation", errBadPointer, filepath.Join(s.dir, pointerFile), name)
	}
	return name, nil
}

// errBadPointer means CURRENT holds something other than a generation's
// name: damage or a hand edit.
var errBadPointer = errors.New("damaged index pointer")

// errMoved means CURRENT no longer holds what failed to open: another
// process published a generation since it was read.
var errMoved = errors.New("index pointer changed since it was read")

// lockIfStill takes the writer lock to act on what failed to open, if
// still(CURRENT as read now) says CURRENT holds it still; else it returns
// errMoved. Only a writer changes CURRENT, and only under the lock, so the
// answer read under the lock stays true until it is released. When another
// process holds the lock, CURRENT is read all the same: that process may
// just have replaced the generation that failed, which is then followed
// rather than reported as locked.
func (s store) lockIfStill(still func(name string, err error) bool) (*writerLock, error) {
	lock, lockErr := s.lockWriter()
	if !still(s.current()) {
		lock.unlock()
		return nil, errMoved
	}
	return lock, lockErr
}

// setAsidePointerLocked moves a damaged pointer file out of the way,
// keeping it for inspection. The caller holds the writer lock and has
// checked that the pointer is damaged still.
func (s store) setAsidePointerLocked() (string, error) {
	dest := filepath.Join(s.dir, "corrupt-"+time.Now().UTC().Format("20060102T150405Z")+"-"+pointerFile)
	if err := os.Rename(filepath.Join(s.dir, pointerFile), dest); err != nil {
		return "", fmt.Errorf("set aside damaged index pointer: %w", err)
	}
	return dest, nil
}

// newGeneration names a fresh generation directory.
func (s store) newGeneration() string {
	return genPrefix + time.Now().UTC().Format("20060102T150405.000000000Z")
}

// publish makes name the live generation: write a temporary pointer, flush
// it, rename it over the old one, and flush the directory. The generation
// it replaces is marked as replaced now, by its modification time: a
// process may have read CURRENT just before and be opening it, so its
// grace period starts here, however long ago it was built.
func (s store) publish(name string) error {
	replaced, _ := s.current()
	tmp := filepath.Join(s.dir, pointerFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write index pointer: %w", err)
	}
	if _, err := f.WriteString(name + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("write index pointer: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("flush index pointer: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write index pointer: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, pointerFile)); err != nil {
		return fmt.Errorf("replace index pointer: %w", err)
	}
	if replaced != "" && replaced != name {
		now := time.Now()
		_ = os.Chtimes(filepath.Join(s.dir, replaced), now, now) // gone or not ours: nothing to protect
	}
	return syncDir(s.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("flush %s: %w", dir, err)
	}
	return nil
}

// writeMeta stores what built a generation, flushed before it is published.
func writeMeta(genDir string, m meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode index metadata: %w", err)
	}
	path := filepath.Join(genDir, metaFile)
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write index metadata: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write index metadata: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("flush index metadata: %w", err)
	}
	return f.Close()
}

func readMeta(genDir string) (meta, error) {
	var m meta
	b, err := os.ReadFile(filepath.Join(genDir, metaFile))
	if err != nil {
		return m, fmt.Errorf("read index metadata: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("decode index metadata %s: %w", filepath.Join(genDir, metaFile), err)
	}
	return m, nil
}

// setAside moves a generation that will not open out of the way, keeping it
// for inspection, and forgets the pointer to it. It does so under the
// writer lock, and only if CURRENT names it still: a reader that read
// CURRENT just before a rebuild replaced and removed the generation would
// otherwise forget the pointer to the new one. Else it returns errMoved.
func (s store) setAside(name string) (string, error) {
	lock, err := s.lockIfStill(func(cur string, err error) bool { return err == nil && cur == name })
	if err != nil {
		return "", err
	}
	defer lock.unlock()
	return s.setAsideLocked(name)
}

// setAsideLocked is setAside for a caller that holds the writer lock and
// has checked that CURRENT names name.
func (s store) setAsideLocked(name string) (string, error) {
	dest := filepath.Join(s.dir, "corrupt-"+time.Now().UTC().Format("20060102T150405Z")+"-"+name)
	switch err := os.Rename(filepath.Join(s.dir, name), dest); {
	case errors.Is(err, os.ErrNotExist):
		dest = "" // the pointer named a generation that is gone: nothing to keep
	case err != nil:
		return "", fmt.Errorf("set aside corrupt index %s: %w", name, err)
	}
	if err := os.Remove(filepath.Join(s.dir, pointerFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("forget corrupt index %s: %w", name, err)
	}
	return dest, nil
}

// removeUnserved deletes the generations that no process may be serving,
// and returns what it removed and, when it kept some that CURRENT does not
// name, when the first of them may go. It keeps:
//   - the generation CURRENT names;
//   - a generation with a lease refreshed within grace: a process serves it;
//   - a generation whose directory changed within grace: it was replaced
//     (see publish) or a lease in it was released that recently, and a
//     process that read CURRENT before it was replaced may be opening it.
//     Opening takes a lease first and reads CURRENT again after, so this
//     is a second safeguard, for shared volumes that show another host's
//     files late.
//
// A generation without meta.json that no lease holds is what an
// interrupted build left: nobody can have opened it, so it goes at once.
// Nothing is removed when CURRENT cannot be read. The caller holds the
// writer lock, so no build of another process is in progress.
func (s store) removeUnserved(now time.Time, grace time.Duration) (removed []string, next time.Time, err error) {
	cur, err := s.current()
	if err != nil {
		return nil, next, err
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, next, fmt.Errorf("list index directory: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), genPrefix) || e.Name() == cur {
			continue
		}
		dir := filepath.Join(s.dir, e.Name())
		lease, changed, err := lastServed(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue // removed meanwhile by hand: nothing to do
		}
		if err != nil {
			return removed, next, err
		}
		_, metaErr := os.Lstat(filepath.Join(dir, metaFile))
		unfinished := errors.Is(metaErr, os.ErrNotExist)
		last := changed
		if unfinished || lease.After(last) {
			last = lease
		}
		if now.Sub(last) < grace {
			if until := last.Add(grace); next.IsZero() || until.Before(next) {
				next = until
			}
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			return removed, next, fmt.Errorf("remove unserved index %s: %w", e.Name(), err)
		}
		removed = append(removed, e.Name())
	}
	_ = os.Remove(filepath.Join(s.dir, pointerFile+".tmp"))
	return removed, next, nil
}

// lastServed returns when a lease in the generation genDir was last
// refreshed (zero when it holds none) and when the directory last changed.
func lastServed(genDir string) (lease, changed time.Time, err error) {
	info, err := os.Stat(genDir)
	if err != nil {
		return lease, changed, fmt.Errorf("inspect index generation: %w", err)
	}
	entries, err := os.ReadDir(genDir)
	if err != nil {
		return lease, changed, fmt.Errorf("list index generation: %w", err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), leasePrefix) {
			continue
		}
		li, err := e.Info()
		if err != nil {
			continue // released meanwhile
		}
		if li.ModTime().After(lease) {
			lease = li.ModTime()
		}
	}
	return lease, info.ModTime(), nil
}

// writerLock is an exclusive lock on an index directory, held while a
// process writes in it: builds and publishes, sets aside, or removes
// generations. It is a flock, so it goes with a process that dies, and two
// opens of the lock file conflict even within one process.
type writerLock struct{ f *os.File }

// lockWriter takes the directory's writer lock without waiting.
func (s store) lockWriter() (*writerLock, error) {
	f, err := os.OpenFile(filepath.Join(s.dir, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open index lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", s.dir, ErrLocked)
		}
		return nil, fmt.Errorf("lock index directory %s: %w", s.dir, err)
	}
	return &writerLock{f: f}, nil
}

// waitWriter takes the directory's writer lock, trying again every `every`
// while another process holds it, until ctx ends. The error then wraps both
// ErrLocked and ctx's error.
func (s store) waitWriter(ctx context.Context, every time.Duration) (*writerLock, error) {
	for {
		lock, err := s.lockWriter()
		if !errors.Is(err, ErrLocked) {
			return lock, err
		}
		if werr := sleep(ctx, every); werr != nil {
			return nil, fmt.Errorf("%w; gave up waiting: %w", err, werr)
		}
	}
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (l *writerLock) unlock() {
	if l != nil && l.f != nil {
		_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		_ = l.f.Close()
	}
}
