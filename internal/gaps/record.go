package gaps

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Question is one question a member asked, answered or not.
type Question struct {
	// GuildID and MemberID are raw Discord IDs, hashed before storage;
	// GuildID is "" in DMs.
	GuildID, MemberID string
	// Via is how it was asked: "ask", "mention" or "find_sources".
	Via string
	// Text is the question; it is kept only when Answered is false.
	Text string
	// Answered tells whether the bot gave a passage.
	Answered bool
	// PassageID is the passage given, when answered.
	PassageID string
	// Article is its article's title, when answered.
	Article string
}

// Vote is a member's 👍 or 👎 on a passage.
type Vote struct {
	// GuildID and MemberID are raw Discord IDs, hashed before storage;
	// GuildID is "" in DMs.
	GuildID, MemberID string
	// PassageID is the passage voted on.
	PassageID string
	// Article is the passage's article title.
	Article string
	// Helpful is true for 👍, false for 👎.
	Helpful bool
	// Question is the question the passage answered, if known; it is kept
	// only for 👎.
	Question string
}

// questionRecord is a Question as stored: hashes for IDs, and text only
// when unanswered.
type questionRecord struct {
	Guild    string `json:"guild,omitempty"`
	Member   string `json:"member,omitempty"`
	Via      string `json:"via"`
	Answered bool   `json:"answered,omitempty"`
	Passage  string `json:"passage_id,omitempty"`
	Article  string `json:"article,omitempty"`
	Text     string `json:"text,omitempty"`
}

// voteRecord is a Vote as stored: hashes for IDs, and the question only
// for 👎.
type voteRecord struct {
	Guild    string `json:"guild,omitempty"`
	Member   string `json:"member,omitempty"`
	Passage  string `json:"passage_id"`
	Article  string `json:"article,omitempty"`
	Helpful  bool   `json:"helpful,omitempty"`
	Question string `json:"question,omitempty"`
}

// RecordQuestion stores a question; it is durable when RecordQuestion
// returns nil. The text of an answered question is dropped here.
func (s *Store) RecordQuestion(ctx context.Context, q Question) error {
	switch q.Via {
	case "ask", "mention", "find_sources":
	default:
		return fmt.Errorf("record a question: via %q is not ask, mention or find_sources", q.Via)
	}
	at := s.now()
	err := s.update(ctx, func(tx *bolt.Tx, key []byte) error {
		r := questionRecord{
			Guild:    hashID(key, "guild", q.GuildID),
			Member:   hashID(key, "member", q.MemberID),
			Via:      q.Via,
			Answered: q.Answered,
		}
		if q.Answered {
			r.Passage, r.Article = q.PassageID, q.Article
		} else {
			r.Text = strings.TrimSpace(q.Text)
		}
		return put(tx.Bucket([]byte(questionsBucket)), at, r)
	})
	if err != nil {
		return fmt.Errorf("record a question: %w", err)
	}
	return nil
}

// RecordVote stores a vote; it is durable when RecordVote returns nil. The
// question of a 👍 is dropped here.
func (s *Store) RecordVote(ctx context.Context, v Vote) error {
	if v.PassageID == "" {
		return errors.New("record a vote: no passage ID")
	}
	at := s.now()
	err := s.update(ctx, func(tx *bolt.Tx, key []byte) error {
		r := voteRecord{
			Guild:   hashID(key, "guild", v.GuildID),
			Member:  hashID(key, "member", v.MemberID),
			Passage: v.PassageID,
			Article: v.Article,
			Helpful: v.Helpful,
		}
		if !v.Helpful {
			r.Question = strings.TrimSpace(v.Question)
		}
		return put(tx.Bucket([]byte(votesBucket)), at, r)
	})
	if err != nil {
		return fmt.Errorf("record a vote: %w", err)
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

// stamp is the key form of a time: Unix nanoseconds, clamped to what fits
// (1970 to 2262).
func stamp(t time.Time) uint64 {
	switch {
	case t.Unix() < 0:
		return 0
	case t.Unix() >= math.MaxInt64/int64(time.Second):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
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
