package bot

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"sync"
	"time"

	"gutskin/corpus"
)

// answerStore keeps recent answers in memory so Next answer can show the
// next hit. It forgets the oldest beyond its capacity, and everything on
// restart.
type answerStore struct {
	mu    sync.Mutex
	max   int
	byKey map[string]*storedAnswer
	order []string
}

type storedAnswer struct {
	asker  string
	answer corpus.Answer
}

func newAnswerStore(max int) *answerStore {
	return &answerStore{max: max, byKey: map[string]*storedAnswer{}}
}

var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func newKey() string {
	var b [10]byte
	rand.Read(b[:])
	return strings.ToLower(keyEncoding.EncodeToString(b[:])) // 16 characters
}

// put stores an answer and returns its key.
func (s *answerStore) put(asker string, a corpus.Answer) string {
	key := newKey()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byKey[key] = &storedAnswer{asker: asker, answer: a}
	s.order = append(s.order, key)
	for len(s.order) > s.max {
		delete(s.byKey, s.order[0])
		s.order = s.order[1:]
	}
	return key
}

func (s *answerStore) get(key string) (*storedAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byKey[key]
	return a, ok
}

// votes remembers who rated which passage, so a member's vote counts once.
type votes struct {
	mu    sync.Mutex
	max   int
	seen  map[string]bool
	order []string
}

func newVotes(max int) *votes { return &votes{max: max, seen: map[string]bool{}} }

// first records member's vote on passage and reports whether it is the
// first one.
func (v *votes) first(passageID, member string) bool {
	k := passageID + "\x00" + member
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen[k] {
		return false
	}
	v.seen[k] = true
	v.order = append(v.order, k)
	for len(v.order) > v.max {
		delete(v.seen, v.order[0])
		v.order = v.order[1:]
	}
	return true
}

// cooldown limits how often one member may ask.
type cooldown struct {
	every time.Duration // 0: off
	mu    sync.Mutex
	last  map[string]time.Time
}

func newCooldown(every time.Duration) *cooldown {
	return &cooldown{every: every, last: map[string]time.Time{}}
}

// take reports whether member may ask now (and records it), or how long to
// wait.
func (c *cooldown) take(member string, now time.Time) (wait time.Duration, ok bool) {
	if c.every <= 0 || member == "" {
		return 0, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, seen := c.last[member]; seen {
		if next := t.Add(c.every); now.Before(next) {
			return next.Sub(now), false
		}
	}
	if len(c.last) > 10000 {
		for m, t := range c.last {
			if now.Sub(t) >= c.every {
				delete(c.last, m)
			}
		}
	}
	c.last[member] = now
	return 0, true
}
