// Package gaps records what members ask the bot and how they vote on its
// answers, privately, so that moderators can see what the library does not
// cover: the unanswered questions grouped by what they ask, and the passages
// members found unhelpful.
//
// # Privacy
//
// Member and guild IDs are stored only as keyed hashes (HMAC-SHA256 with a
// 32-byte secret made at first start and kept with the records), with a
// different domain for members and guilds; a raw ID is never stored, logged
// or returned. Question text is kept only for unanswered questions and for
// 👎-ed answers: an answered question leaves no text behind. Records older
// than the retention period are deleted by writes and by Prune; reports
// ignore them even before that. Erasing removes every record and the key.
//
// # Backends
//
// Two backends keep the records, with the same methods and the same rules:
//
//   - [Store], the embedded default for one process: a bbolt file in the
//     data folder (see bolt.go);
//   - [PGStore], for many replicas sharing one store: PostgreSQL, chosen
//     with DATABASE_URL (see postgres.go).
//
// A backend only reads and writes records. What a record holds (hashes, the
// text rules) is decided by Question.record and Vote.record, and what a
// report says by one report builder fed the records of its period, so the
// two backends cannot drift apart on privacy or on what /gaps shows.
package gaps

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// DefaultRetention is how long records are kept when Options.Retention is
// not set.
const DefaultRetention = 90 * 24 * time.Hour

// keySize is the size of the hashing key, in bytes.
const keySize = 32

// Options configure a Store or a PGStore.
type Options struct {
	// Dir is the data folder of a Store; it is created (0755) if missing.
	// A PGStore does not use it.
	Dir string
	// Retention is how long records are kept; DefaultRetention when zero
	// or negative.
	Retention time.Duration
	// Now tells the time of records and reports; time.Now when nil.
	Now func() time.Time
}

// withDefaults fills in what Options leaves unset.
func (o Options) withDefaults() Options {
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// hashID is the stored form of a Discord ID: the first 16 bytes, in hex, of
// HMAC-SHA256 under the store's key of the domain ("member" or "guild"), a
// zero byte and the ID. An empty ID (a guild in DMs) stays empty.
func hashID(key []byte, domain, id string) string {
	if id == "" {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
