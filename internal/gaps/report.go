package gaps

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxDownvoted is how many passages a report lists at most under Downvoted.
const maxDownvoted = 10

// Report is what /gaps and `gutskin gaps` show for a period.
type Report struct {
	// Since and Until bound the period read: Until is now, Since is Days
	// days before, or Retention before if that is later.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Days is the length of the period asked for.
	Days int `json:"days"`
	// Questions is how many questions were asked in the period.
	Questions int `json:"questions"`
	// Answered is how many of them were answered.
	Answered int `json:"answered"`
	// AnsweredRate is Answered/Questions, 0 when there were none.
	AnsweredRate float64 `json:"answered_rate"`
	// Gaps are the unanswered questions grouped by what they ask, most
	// asked first.
	Gaps []Gap `json:"gaps"`
	// Downvoted are the passages with the most 👎, most first (ties: the
	// latest 👎 first, then by PassageID), at most 10.
	Downvoted []Downvoted `json:"downvoted"`
}

// Gap is a group of unanswered questions that ask the same thing.
type Gap struct {
	// Count is how many questions the group holds.
	Count int `json:"count"`
	// Example is one question of the group: its most frequent wording, else
	// the most recent question.
	Example string `json:"example"`
}

// Downvoted is a passage members marked 👎 in a report's period.
type Downvoted struct {
	// PassageID is the passage.
	PassageID string `json:"passage_id"`
	// Article is its article's title, as of the latest vote.
	Article string `json:"article"`
	// Down and Up count its 👎 and 👍 in the period.
	Down int `json:"down"`
	Up   int `json:"up"`
	// Example is the question of its latest 👎 that had one, if any.
	Example string `json:"example"`
}

// Report reads the last days days (days >= 1, records older than the
// retention period left out). terms maps a question to its content terms
// (the caller passes the search index's analysis: lower-cased, stemmed, stop
// words out, synonyms folded); nil means a simple fallback: lower-case
// letter/digit words minus a small English stop-word list, with a crude
// plural strip. See groupGaps for how questions are grouped.
func (s *Store) Report(ctx context.Context, days int, terms func(string) []string) (Report, error) {
	if days < 1 {
		return Report{}, fmt.Errorf("report the gaps: %d days, want at least 1", days)
	}
	until := s.now()
	window := s.retention
	if days <= 100_000 && time.Duration(days)*24*time.Hour < window { // no overflow
		window = time.Duration(days) * 24 * time.Hour
	}
	rep := Report{
		Since:     until.Add(-window),
		Until:     until,
		Days:      days,
		Gaps:      []Gap{},
		Downvoted: []Downvoted{},
	}
	lo, hi := stamp(rep.Since), stamp(rep.Until)

	var unanswered []asked
	type passage struct {
		Downvoted
		lastDown uint64
	}
	byPassage := map[string]*passage{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		err := scan(ctx, tx.Bucket([]byte(questionsBucket)), lo, hi, func(at uint64, v []byte) error {
			var r questionRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			rep.Questions++
			if r.Answered {
				rep.Answered++
			} else {
				unanswered = append(unanswered, asked{text: r.Text, at: at})
			}
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
			p := byPassage[r.Passage]
			if p == nil {
				p = &passage{Downvoted: Downvoted{PassageID: r.Passage}}
				byPassage[r.Passage] = p
			}
			if r.Article != "" {
				p.Article = r.Article
			}
			if r.Helpful {
				p.Up++
				return nil
			}
			p.Down++
			p.lastDown = at
			if r.Question != "" {
				p.Example = r.Question
			}
			return nil
		})
	})
	if err != nil && !errors.Is(err, errNoStore) {
		return Report{}, fmt.Errorf("report the gaps: %w", err)
	}
	if rep.Questions > 0 {
		rep.AnsweredRate = float64(rep.Answered) / float64(rep.Questions)
	}
	rep.Gaps = groupGaps(unanswered, terms)

	var down []*passage
	for _, p := range byPassage {
		if p.Down > 0 {
			down = append(down, p)
		}
	}
	slices.SortFunc(down, func(a, b *passage) int {
		return cmp.Or(
			cmp.Compare(b.Down, a.Down),
			cmp.Compare(b.lastDown, a.lastDown),
			strings.Compare(a.PassageID, b.PassageID),
		)
	})
	for _, p := range down[:min(len(down), maxDownvoted)] {
		rep.Downvoted = append(rep.Downvoted, p.Downvoted)
	}
	return rep, nil
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
