package index

import (
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
//	DIR/LOCK               flock held by the one process rebuilding
//	DIR/corrupt-…          generations set aside because they would not open
//
// A build killed half-way leaves a gen-… directory that CURRENT does not
// name; the next writer removes it.
const (
	pointerFile = "CURRENT"
	lockFile    = "LOCK"
	metaFile    = "meta.json"
	bleveDir    = "bleve"
	genPrefix   = "gen-"
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

// setAsidePointer moves a damaged pointer file out of the way, keeping it
// for inspection. It does so under the writer lock, and only if the
// pointer is damaged still; else it returns errMoved.
func (s store) setAsidePointer() (string, error) {
	lock, err := s.lockIfStill(func(_ string, err error) bool { return errors.Is(err, errBadPointer) })
	if err != nil {
		return "", err
	}
	defer lock.unlock()
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
// it, rename it over the old one, and flush the directory.
func (s store) publish(name string) error {
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

// removeLeftovers deletes generations other than keep: those of interrupted
// builds and those replaced by a rebuild. The caller holds the writer lock,
// so no build of another process is in progress.
func (s store) removeLeftovers(keep string) ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list index directory: %w", err)
	}
	var removed []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), genPrefix) && e.Name() != keep {
			if err := os.RemoveAll(filepath.Join(s.dir, e.Name())); err != nil {
				return removed, fmt.Errorf("remove leftover index %s: %w", e.Name(), err)
			}
			removed = append(removed, e.Name())
		}
	}
	_ = os.Remove(filepath.Join(s.dir, pointerFile+".tmp"))
	return removed, nil
}

// writerLock is an exclusive lock on an index directory, held while a
// process builds in it.
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

func (l *writerLock) unlock() {
	if l != nil && l.f != nil {
		_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		_ = l.f.Close()
	}
}
