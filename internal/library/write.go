package library

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// tempPrefix starts the hidden temporary files of atomic writes; the
// loader skips hidden files, so a crash never leaves half an article in
// the library.
const tempPrefix = ".gutskin-write-"

// writeAtomic writes data to path: a temporary file beside it, synced, then
// renamed over it, then the folder synced, so that path holds the old
// content or the new, whatever happens.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("create a temporary file in %s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	done = true
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// moveFile renames src to dst, copying atomically when they are on two
// file systems (the removed folder on another volume). It never replaces
// an existing dst.
func moveFile(src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s exists already", dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(dst), err)
	}
	err := os.Rename(src, dst)
	if err == nil {
		if err := syncDir(filepath.Dir(dst)); err != nil {
			return err
		}
		return syncDir(filepath.Dir(src))
	}
	if !errors.Is(err, syscall.EXDEV) {
		return fmt.Errorf("move %s: %w", filepath.Base(src), err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("move %s: %w", filepath.Base(src), err)
	}
	if err := writeAtomic(dst, data); err != nil {
		return err
	}
	if err := os.Remove(src); err != nil {
		return fmt.Errorf("move %s: copied, but the original stays: %w", filepath.Base(src), err)
	}
	return syncDir(filepath.Dir(src))
}

// removeStaleTemps deletes the temporary files of writes that a crash
// interrupted more than an hour ago; younger ones may belong to a write in
// progress in another process.
func removeStaleTemps(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// Markers of seeding, hidden from the loader: a seeding in progress, and
// one done. A folder once seeded and later emptied is not seeded again.
const (
	seedingMarker = ".gutskin-seeding"
	seededMarker  = ".gutskin-seeded"
)

// needsSeed reports whether the library folder is still to be seeded with
// the built-in articles: it does not exist, or holds no visible file and
// was never seeded, or a seeding was cut short.
func (f *Folder) needsSeed() bool {
	if f.opts.Seed == nil {
		return false
	}
	if _, err := os.Lstat(filepath.Join(f.opts.Dir, seedingMarker)); err == nil {
		return true
	}
	entries, err := os.ReadDir(f.opts.Dir)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	if HasVisible(entries) {
		return false
	}
	_, err = os.Lstat(filepath.Join(f.opts.Dir, seededMarker))
	return errors.Is(err, fs.ErrNotExist)
}

// seedIfNeeded creates the library folder, and copies the built-in
// articles into it when it still needs them. A crash half-way leaves the
// seeding marker, so the next change goes on where it stopped.
func (f *Folder) seedIfNeeded() (int, error) {
	if err := os.MkdirAll(f.opts.Dir, 0o755); err != nil {
		return 0, fmt.Errorf("cannot create the library folder %s: %w", f.opts.Dir, errors.Unwrap(err))
	}
	if !f.needsSeed() {
		return 0, nil
	}
	seeding := filepath.Join(f.opts.Dir, seedingMarker)
	if err := writeAtomic(seeding, nil); err != nil {
		return 0, fmt.Errorf("seed %s: %w", f.opts.Dir, err)
	}
	n, err := copySeed(f.opts.Seed, f.opts.Dir)
	if err != nil {
		return n, err
	}
	if err := os.Rename(seeding, filepath.Join(f.opts.Dir, seededMarker)); err != nil {
		return n, fmt.Errorf("seed %s: %w", f.opts.Dir, err)
	}
	return n, syncDir(f.opts.Dir)
}

// copySeed writes every file of seed into dir, each atomically, keeping
// what dir already holds.
func copySeed(seed fs.FS, dir string) (int, error) {
	n := 0
	err := fs.WalkDir(seed, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if _, err := os.Lstat(dst); err == nil {
			return nil
		}
		src, err := seed.Open(name)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(src)
		src.Close()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := writeAtomic(dst, data); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("seed %s with the built-in articles: %w", dir, err)
	}
	return n, nil
}
