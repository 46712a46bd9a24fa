package index

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Replicas share an index directory: any of them may build, one at a time
// under the writer lock, and every open Index follows CURRENT to what the
// others publish. This file holds the following and the leases that tell
// a writer which generations are still served.

const (
	// DefaultGrace is Options.Grace when it is zero: how long a generation
	// CURRENT no longer names stays on disk after it was last served or
	// replaced.
	DefaultGrace = 2 * time.Minute
	// DefaultPoll is Options.Poll when it is zero: how often an open index
	// reads CURRENT. Four times a second keeps a publication well within
	// the 2 s replicas promise, for one small read.
	DefaultPoll = 250 * time.Millisecond

	// maxLeaseEvery bounds how often a lease is refreshed with the default
	// grace: twelve refreshes fit in it, so a lease goes stale only when
	// its process has stopped.
	maxLeaseEvery = 10 * time.Second
	// minLeaseEvery keeps a tiny test grace from turning the refresh into a
	// busy loop.
	minLeaseEvery = 10 * time.Millisecond
	// waitEvery is how often Open and Rebuild look again, while another
	// process holds the writer lock, at the lock and at CURRENT.
	waitEvery = 100 * time.Millisecond
	// followRetry is how long a follower waits before it tries again a
	// generation that would not open: the directory may have been seen
	// half-copied by a slow shared volume, but no need to fail four times
	// a second.
	followRetry = 5 * time.Second
)

// leaseEvery is how often a lease is refreshed for a grace period.
func leaseEvery(grace time.Duration) time.Duration {
	return min(max(grace/12, minLeaseEvery), maxLeaseEvery)
}

// lease marks a generation as served by one open Index: a file in the
// generation's directory whose modification time the Index refreshes while
// it serves the generation, and removes when it stops. A writer removes no
// generation with a lease refreshed within the grace period; a process that
// dies leaves its lease, which goes stale.
type lease struct{ path string }

// takeLease creates a lease in genDir. The name holds the process ID and a
// random part (replicas in containers may all be process 1), and the file
// says which host and process, for whoever looks.
func takeLease(genDir string) (*lease, error) {
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	path := filepath.Join(genDir, fmt.Sprintf("%s%d-%s", leasePrefix, os.Getpid(), hex.EncodeToString(b[:])))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("take a lease on index generation %s: %w", filepath.Base(genDir), err)
	}
	host, _ := os.Hostname()
	_, werr := fmt.Fprintf(f, "host %s pid %d since %s\n", host, os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	if err := errors.Join(werr, f.Close()); err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("take a lease on index generation %s: %w", filepath.Base(genDir), err)
	}
	return &lease{path: path}, nil
}

// refresh says the generation is still served.
func (l *lease) refresh() error {
	if l == nil {
		return nil
	}
	now := time.Now()
	return os.Chtimes(l.path, now, now)
}

// release says the generation is no longer served by this Index. Removing
// the file changes the directory's modification time, so the grace period
// runs from here.
func (l *lease) release() {
	if l != nil {
		_ = os.Remove(l.path)
	}
}

// openServed opens the generation name for service: it takes a lease first
// and reads CURRENT again after, then opens. A writer publishes CURRENT
// first and looks for leases after, so of a writer replacing the
// generation and a process starting to serve it, at least one sees the
// other: either the writer sees the lease and keeps the generation, or this
// process sees CURRENT moved, and gets errMoved. A generation that is gone
// while CURRENT still names it is reported like one that will not open.
func (ix *Index) openServed(name string) (*generation, error) {
	dir := filepath.Join(ix.opts.Dir, name)
	l, err := takeLease(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if cur, cerr := ix.store.current(); cerr != nil || cur != name {
			return nil, errMoved
		}
		return nil, fmt.Errorf("index generation %s is missing: %w", name, err)
	case err != nil:
		// A read-only volume: serve all the same. The generation is then
		// kept only by the grace period after it is replaced.
		ix.log.Warn("cannot mark the index generation as served; a writer may remove it a grace period after replacing it", "dir", ix.opts.Dir, "err", err)
	}
	if cur, cerr := ix.store.current(); cerr != nil || cur != name {
		l.release()
		return nil, errMoved
	}
	gen, err := openGeneration(dir)
	if err != nil {
		l.release()
		return nil, err
	}
	gen.lease = l
	return gen, nil
}

// Generation names the generation in service: the gen-… folder of the
// index directory, or "" for an index in memory or a closed one.
func (ix *Index) Generation() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.gen == nil || ix.gen.dir == "" {
		return ""
	}
	return filepath.Base(ix.gen.dir)
}

// watch runs while the index is open: it follows CURRENT every poll,
// refreshes the lease of the generation in service, and, after this
// process published a generation, removes those it replaced once nobody
// serves them. One ticker, at the shortest of those periods, drives all
// three.
func (ix *Index) watch(ctx context.Context) {
	defer close(ix.watched)
	every := leaseEvery(ix.grace)
	tick := min(ix.poll, every)
	t := time.NewTicker(tick)
	defer t.Stop()
	lastPoll, lastLease := time.Now(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if now.Sub(lastPoll) >= ix.poll-tick/2 {
				lastPoll = now
				ix.follow()
			}
			if now.Sub(lastLease) >= every-tick/2 {
				lastLease = now
				ix.refreshLease()
			}
			if at := ix.cleanAt.Load(); at != 0 && now.UnixNano() >= at {
				ix.cleanPending()
			}
		}
	}
}

// follow puts in service the generation CURRENT names, when that is not
// the one in service. Any other name is followed, not only a later one:
// CURRENT is what the writer decided. A generation that will not open is
// reported once and tried again after followRetry, while the one in
// service keeps answering; a follower never sets anything aside.
func (ix *Index) follow() {
	ix.switching.Lock()
	defer ix.switching.Unlock()
	name, err := ix.store.current()
	if err != nil {
		if msg := err.Error(); msg != ix.pointerErr {
			ix.pointerErr = msg
			ix.log.Warn("cannot read the index pointer; serving the generation in service", "dir", ix.opts.Dir, "err", err)
		}
		return
	}
	ix.pointerErr = ""
	served := ix.Generation()
	if name == "" || name == served || ix.isClosed() {
		return
	}
	if name == ix.failed && time.Since(ix.failedAt) < followRetry {
		return
	}
	gen, err := ix.openServed(name)
	if errors.Is(err, errMoved) {
		return // replaced while opening: the next poll follows
	}
	if err != nil {
		if name != ix.failed {
			ix.log.Warn("the new index generation will not open; serving the previous one", "dir", ix.opts.Dir, "generation", name, "serving", served, "err", err)
		}
		ix.failed, ix.failedAt = name, time.Now()
		return
	}
	ix.failed = ""
	if err := ix.swap(gen); err != nil {
		return // closed meanwhile
	}
	ix.log.Info("serving a new index generation", "dir", ix.opts.Dir, "generation", name, "previous", served,
		"articles", gen.meta.Articles, "passages", gen.meta.Passages)
}

// refreshLease refreshes the lease of the generation in service.
func (ix *Index) refreshLease() {
	ix.mu.RLock()
	gen := ix.gen
	ix.mu.RUnlock()
	if gen == nil {
		return
	}
	if err := gen.lease.refresh(); err != nil {
		// The folder was deleted or the generation set aside: nothing
		// left to protect, and nothing to recreate the lease in.
		ix.log.Debug("cannot refresh the lease on the index generation in service", "dir", ix.opts.Dir, "err", err)
	}
}

// cleanPending removes the generations this process replaced that waited
// for their grace period, if no other process holds the writer lock; else
// it tries again at the next poll.
func (ix *Index) cleanPending() {
	lock, err := ix.store.lockWriter()
	if err != nil {
		ix.cleanAt.Store(time.Now().Add(ix.poll).UnixNano())
		return
	}
	defer lock.unlock()
	ix.cleanUnserved(true)
}

// cleanUnserved removes the generations nobody serves. The caller holds
// the writer lock. When retry is set, what must wait for its grace period
// is tried again by the watcher; else it is left for the next writer.
func (ix *Index) cleanUnserved(retry bool) {
	removed, next, err := ix.store.removeUnserved(time.Now(), ix.grace)
	if err != nil {
		ix.log.Warn("could not remove an old index generation", "dir", ix.opts.Dir, "err", err)
	}
	if len(removed) > 0 {
		ix.log.Info("removed index generations nobody serves", "dir", ix.opts.Dir, "removed", removed)
	}
	switch {
	case !retry:
	case err != nil:
		ix.cleanAt.Store(time.Now().Add(ix.grace).UnixNano())
	case next.IsZero():
		ix.cleanAt.Store(0)
	default:
		// A little after the grace ends, so that a coarse file clock does
		// not make it a moment early.
		ix.cleanAt.Store(next.Add(minLeaseEvery).UnixNano())
	}
}
