package library

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Held is a change a moderator previewed and has not yet confirmed:
// adding an article, or removing one.
type Held struct {
	// Owner is the moderator who asked; only they may confirm it.
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
	// Exactly one of Add and Remove is set.
	Add    *Preview `json:"add,omitempty"`
	Remove *Entry   `json:"remove,omitempty"`
}

// heldFile is a held change on disk, with the previewed article's content,
// which Preview keeps unexported.
type heldFile struct {
	Held
	Data []byte `json:"data,omitempty"`
}

// pendingDir holds previewed changes in a hidden folder beside the
// library, which every replica sharing the volume reads, so that a
// confirmation may reach any of them.
func (f *Folder) pendingDir() string {
	return filepath.Join(filepath.Dir(f.opts.Dir), ".gutskin-pending")
}

// Hold keeps a previewed change under key until it is taken or expires.
// Expired changes are deleted as new ones are held.
func (f *Folder) Hold(key string, h Held) error {
	if !validHoldKey(key) {
		return fmt.Errorf("hold a change: bad key %q", key)
	}
	dir := f.pendingDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("hold a change: %w", err)
	}
	f.dropExpired(dir)
	rec := heldFile{Held: h}
	if h.Add != nil {
		rec.Data = h.Add.data
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("hold a change: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, key+".json"), data); err != nil {
		return fmt.Errorf("hold a change: %w", err)
	}
	return nil
}

// Held returns the change held under key; take also removes it, so that
// only one replica applies it. An expired change is gone.
func (f *Folder) Held(key string, take bool) (Held, bool) {
	if !validHoldKey(key) {
		return Held{}, false
	}
	path := filepath.Join(f.pendingDir(), key+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		return Held{}, false
	}
	var rec heldFile
	if json.Unmarshal(data, &rec) != nil {
		return Held{}, false
	}
	if take {
		// Only the replica whose remove succeeds applies the change.
		if err := os.Remove(path); err != nil {
			return Held{}, false
		}
	}
	if rec.Add != nil {
		rec.Add.data = rec.Data
	}
	if f.opts.Now().After(rec.Expires) {
		os.Remove(path)
		return Held{}, false
	}
	return rec.Held, true
}

func (f *Folder) dropExpired(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		// A held change lives ten minutes; a day-old file is long expired.
		if err == nil && f.opts.Now().Sub(info.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func validHoldKey(key string) bool {
	return key != "" && len(key) <= 32 && strings.Trim(key, "abcdefghijklmnopqrstuvwxyz234567") == ""
}
