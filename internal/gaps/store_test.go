package gaps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const (
	member = "300000000000000001"
	guild  = "400000000000000001"
)

// event is a question or a vote recorded at base+at.
type event struct {
	at time.Duration
	q  *Question
	v  *Vote
}

func unanswered(text string) *Question {
	return &Question{GuildID: guild, MemberID: member, Via: "ask", Text: text}
}

func answered(text, passage string) *Question {
	return &Question{GuildID: guild, MemberID: member, Via: "mention", Text: text, Answered: true, PassageID: passage, Article: "Article of " + passage}
}

// votes numbers the members of vote, so that each vote is a member's own.
var votes atomic.Int64

func vote(passage string, helpful bool, question string) *Vote {
	voter := member + strconv.FormatInt(votes.Add(1), 10)
	return &Vote{GuildID: guild, MemberID: voter, PassageID: passage, Article: "Article of " + passage, Helpful: helpful, Question: question}
}

func record(t *testing.T, s testStore, c *clock, events []event) {
	t.Helper()
	ctx := context.Background()
	for _, e := range events {
		c.set(e.at)
		var err error
		if e.q != nil {
			err = s.RecordQuestion(ctx, *e.q)
		} else {
			err = s.RecordVote(ctx, *e.v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestReport(t *testing.T) {
	var many []event // 12 passages with one 👎 each, p00 the oldest
	for i := range 12 {
		many = append(many, event{at: time.Duration(i) * time.Minute, v: vote(fmt.Sprintf("p%02d", i), false, "")})
	}
	tests := []struct {
		name      string
		events    []event
		at        time.Duration // of the report
		days      int
		questions int
		answered  int
		rate      float64
		gaps      []Gap
		downvoted []Downvoted
	}{
		{
			name: "empty",
			days: 7,
		},
		{
			name: "answered rate",
			events: []event{
				{at: 1 * time.Hour, q: answered("does kefir help acne", "kefir-1")},
				{at: 2 * time.Hour, q: answered("is kefir good for eczema", "kefir-2")},
				{at: 3 * time.Hour, q: unanswered("does coffee cause hair loss?")},
				{at: 4 * time.Hour, q: answered("what is the gut-skin axis", "axis-1")},
			},
			at:        5 * time.Hour,
			days:      1,
			questions: 4, answered: 3, rate: 0.75,
			gaps: []Gap{{Count: 1, Example: "does coffee cause hair loss?"}},
		},
		{
			name: "days window leaves older records out",
			events: []event{
				{at: 0, q: unanswered("zinc for acne?")},
				{at: 0, v: vote("old", false, "an old complaint")},
				{at: 5 * day, q: answered("kefir and eczema", "kefir-1")},
				{at: 8 * day, q: unanswered("does coffee cause hair loss?")},
				{at: 8 * day, v: vote("new", false, "does kefir help")},
			},
			at:        10 * day,
			days:      7,
			questions: 2, answered: 1, rate: 0.5,
			gaps:      []Gap{{Count: 1, Example: "does coffee cause hair loss?"}},
			downvoted: []Downvoted{{PassageID: "new", Article: "Article of new", Down: 1, Example: "does kefir help"}},
		},
		{
			name: "a window of whole days: 10 days reach back 10 days",
			events: []event{
				{at: 0, q: unanswered("zinc for acne?")},
				{at: 8 * day, q: unanswered("does coffee cause hair loss?")},
			},
			at:        10 * day,
			days:      10,
			questions: 2,
			gaps:      []Gap{{Count: 1, Example: "does coffee cause hair loss?"}, {Count: 1, Example: "zinc for acne?"}},
		},
		{
			name: "downvoted order and counts",
			events: []event{
				{at: 1 * time.Minute, v: vote("a", false, "first question on a")},
				{at: 2 * time.Minute, v: vote("a", true, "an upvoted question")},
				{at: 3 * time.Minute, v: vote("b", false, "")},
				{at: 4 * time.Minute, v: vote("c", false, "c once")},
				{at: 5 * time.Minute, v: vote("a", false, "second question on a")},
				{at: 6 * time.Minute, v: vote("b", false, "b, the later 👎")},
				{at: 7 * time.Minute, v: vote("a", false, "")},
				{at: 8 * time.Minute, v: vote("only-up", true, "liked")},
				{at: 9 * time.Minute, v: vote("d", false, "")},
				{at: 10 * time.Minute, v: vote("c", false, "")},
				{at: 11 * time.Minute, v: vote("c", true, "")},
				{at: 12 * time.Minute, v: vote("a", true, "")},
				// e and f tie with d on count and time: by PassageID.
				{at: 9 * time.Minute, v: vote("f", false, "")},
				{at: 9 * time.Minute, v: vote("e", false, "")},
			},
			at:   time.Hour,
			days: 1,
			downvoted: []Downvoted{
				{PassageID: "a", Article: "Article of a", Down: 3, Up: 2, Example: "second question on a"},
				{PassageID: "c", Article: "Article of c", Down: 2, Up: 1, Example: "c once"},
				{PassageID: "b", Article: "Article of b", Down: 2, Example: "b, the later 👎"},
				{PassageID: "d", Article: "Article of d", Down: 1},
				{PassageID: "e", Article: "Article of e", Down: 1},
				{PassageID: "f", Article: "Article of f", Down: 1},
			},
		},
		{
			name: "a member's votes on a passage count once",
			events: []event{
				{at: 1 * time.Minute, v: &Vote{GuildID: guild, MemberID: member, PassageID: "a", Article: "A"}},
				{at: 2 * time.Minute, v: &Vote{GuildID: guild, MemberID: member, PassageID: "a", Article: "A"}},
				{at: 3 * time.Minute, v: &Vote{GuildID: guild, MemberID: member, PassageID: "a", Article: "A", Helpful: true}},
			},
			at:        time.Hour,
			days:      1,
			downvoted: []Downvoted{{PassageID: "a", Article: "A", Down: 1}},
		},
		{
			name:   "at most 10 downvoted, the latest first",
			events: many,
			at:     time.Hour,
			days:   1,
			downvoted: func() []Downvoted {
				var want []Downvoted
				for i := 11; i >= 2; i-- {
					p := fmt.Sprintf("p%02d", i)
					want = append(want, Downvoted{PassageID: p, Article: "Article of " + p, Down: 1})
				}
				return want
			}(),
		},
	}
	eachBackend(t, func(t *testing.T, b backend) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := newClock()
				s := b.storage(t).open(t, c, 0)
				record(t, s, c, tt.events)
				c.set(tt.at)
				got, err := s.Report(context.Background(), tt.days, nil)
				if err != nil {
					t.Fatal(err)
				}
				if tt.gaps == nil {
					tt.gaps = []Gap{}
				}
				if tt.downvoted == nil {
					tt.downvoted = []Downvoted{}
				}
				want := Report{
					Since: base.Add(tt.at - time.Duration(tt.days)*day), Until: base.Add(tt.at), Days: tt.days,
					Questions: tt.questions, Answered: tt.answered, AnsweredRate: tt.rate,
					Gaps: tt.gaps, Downvoted: tt.downvoted,
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("report:\n got %+v\nwant %+v", got, want)
				}
			})
		}
	})
}

func TestReportJSON(t *testing.T) {
	eachBackend(t, testReportJSON)
}

func testReportJSON(t *testing.T, b backend) {
	c := newClock()
	s := b.storage(t).open(t, c, 0)
	empty, err := s.Report(context.Background(), 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	record(t, s, c, []event{
		{q: unanswered("does coffee cause hair loss?")},
		{q: answered("kefir and eczema", "kefir-1")},
		{v: vote("kefir-1", false, "kefir and eczema")},
	})
	full, err := s.Report(context.Background(), 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rep  Report
		want []string
	}{
		{"empty lists are not null", empty, []string{`"gaps":[]`, `"downvoted":[]`, `"questions":0`, `"answered_rate":0`}},
		{"snake_case fields", full, []string{
			`"since":"2026-02-22T12:00:00Z"`, `"until":"2026-03-01T12:00:00Z"`, `"days":7`, `"questions":2`, `"answered":1`,
			`"answered_rate":0.5`, `"gaps":[{"count":1,"example":"does coffee cause hair loss?"}]`,
			`"downvoted":[{"passage_id":"kefir-1","article":"Article of kefir-1","down":1,"up":0,"example":"kefir and eczema"}]`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.rep)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("%s lacks %s", b, w)
				}
			}
		})
	}
}

func TestTextKeptOnlyWhenAllowed(t *testing.T) {
	eachBackend(t, testTextKeptOnlyWhenAllowed)
}

func testTextKeptOnlyWhenAllowed(t *testing.T, b backend) {
	c := newClock()
	storage := b.storage(t)
	s := storage.open(t, c, 0)
	record(t, s, c, []event{
		{q: answered("TEXT-OF-AN-ANSWERED-QUESTION", "kefir-1")},
		{q: unanswered("TEXT-OF-AN-OPEN-QUESTION")},
		{v: vote("kefir-1", true, "UPVOTED-QUESTION-TEXT")},
		{v: vote("kefir-1", false, "DOWNVOTED-QUESTION-TEXT")},
	})
	raw := storage.raw(t)
	st := storage.stored(t)
	tests := []struct {
		text string
		kept bool
	}{
		{"TEXT-OF-AN-ANSWERED-QUESTION", false},
		{"TEXT-OF-AN-OPEN-QUESTION", true},
		{"UPVOTED-QUESTION-TEXT", false},
		{"DOWNVOTED-QUESTION-TEXT", true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := bytes.Contains(raw, []byte(tt.text)); got != tt.kept {
				t.Errorf("the store holds the text: %v, want %v", got, tt.kept)
			}
		})
	}
	// No text key at all where no text is kept.
	if _, ok := st.raw[0]["text"]; ok || st.questions[0].Passage != "kefir-1" || !st.questions[0].Answered {
		t.Errorf("answered question stored as %v", st.raw[0])
	}
	if _, ok := st.raw[2]["question"]; ok || !st.votes[0].Helpful {
		t.Errorf("👍 stored as %v", st.raw[2])
	}
}

func TestPrivacy(t *testing.T) {
	eachBackend(t, testPrivacy)
}

func testPrivacy(t *testing.T, b backend) {
	ctx := context.Background()
	storage := b.storage(t)
	s := storage.open(t, nil, 0)
	events := []event{
		{q: answered("ANSWERED-SECRET", "kefir-1")},
		{q: unanswered("does coffee cause hair loss?")},
		{q: &Question{MemberID: member, Via: "find_sources", Text: "a DM question"}},
		{v: vote("kefir-1", false, "why kefir")},
		{v: vote("kefir-1", true, "")},
	}
	record(t, s, newClock(), events)

	raw := storage.raw(t)
	for _, secret := range []string{member, guild, "ANSWERED-SECRET"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the store holds %q", secret)
		}
	}
	key := storage.key(t)
	if len(key) != keySize {
		t.Errorf("the key holds %d bytes, want %d", len(key), keySize)
	}
	if bolt, ok := storage.(boltStorage); ok {
		fi, err := os.Stat(filepath.Join(bolt.dir, keyFile))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("gaps.key is %v, want 0600", fi.Mode().Perm())
		}
	}

	st := storage.stored(t)
	m, g := st.questions[0].Member, st.questions[0].Guild
	if len(m) != 32 || len(g) != 32 || m == g {
		t.Fatalf("member hash %q, guild hash %q: want two different 32-digit hashes", m, g)
	}
	if m != hashID(key, "member", member) || g != hashID(key, "guild", guild) {
		t.Errorf("hashes %q/%q are not the stored key's", m, g)
	}
	if st.questions[2].Guild != "" || st.questions[2].Member != m {
		t.Errorf("a DM question is stored with guild %q, member %q", st.questions[2].Guild, st.questions[2].Member)
	}

	// The same key after a restart: the same hashes.
	s.Close()
	s2 := storage.open(t, nil, 0)
	again := *vote("kefir-2", true, "")
	again.MemberID = member
	if err := s2.RecordVote(ctx, again); err != nil {
		t.Fatal(err)
	}
	st = storage.stored(t)
	last := st.votes[len(st.votes)-1]
	for _, r := range st.questions[:2] {
		if r.Member != m || r.Guild != g {
			t.Errorf("question hashes %q/%q, want %q/%q", r.Member, r.Guild, m, g)
		}
	}
	if last.Member != m || last.Guild != g {
		t.Errorf("after reopening, hashes %q/%q, want %q/%q", last.Member, last.Guild, m, g)
	}

	// Another store, another key: other hashes.
	other := b.storage(t)
	s3 := other.open(t, nil, 0)
	if err := s3.RecordVote(ctx, *vote("kefir-2", true, "")); err != nil {
		t.Fatal(err)
	}
	if o := other.stored(t).votes[0]; o.Member == m || o.Guild == g {
		t.Errorf("another key gives the same hashes %q/%q", o.Member, o.Guild)
	}
}

func TestRetention(t *testing.T) {
	ctx := context.Background()
	// Enough old questions to fill pages of their own, which pruning frees.
	const old = 300
	var events []event
	for i := range old {
		events = append(events, event{at: time.Duration(i) * time.Minute, q: unanswered(fmt.Sprintf("OLD-QUESTION %d: does zinc clear acne, or does it only dry the skin out?", i))})
	}
	events = append(events,
		event{at: 1 * day, v: vote("p1", false, "OLD-DOWNVOTE about kefir")},
		event{at: 20 * day, q: unanswered("young question about coffee")},
		event{at: 21 * day, v: vote("p2", false, "young downvote")},
	)
	tests := []struct {
		name  string
		prune func(t *testing.T, s testStore, st storage) // run at base+40 days
	}{
		{"Prune", func(t *testing.T, s testStore, _ storage) {
			n, err := s.Prune(ctx)
			if err != nil || n != old+1 {
				t.Errorf("Prune removed %d, %v; want %d", n, err, old+1)
			}
			if n, err := s.Prune(ctx); err != nil || n != 0 {
				t.Errorf("a second Prune removed %d, %v; want 0", n, err)
			}
		}},
		{"a write, then Prune", func(t *testing.T, s testStore, st storage) {
			if err := s.RecordQuestion(ctx, *answered("kefir", "p3")); err != nil {
				t.Fatal(err)
			}
			if recs := st.stored(t); len(recs.questions)+len(recs.votes) != 3 {
				t.Errorf("after a write %d records, want 3", len(recs.questions)+len(recs.votes))
			}
			if n, err := s.Prune(ctx); err != nil || n != 0 {
				t.Errorf("Prune removed %d, %v; want 0 (the write pruned)", n, err)
			}
		}},
	}
	eachBackend(t, func(t *testing.T, b backend) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := newClock()
				storage := b.storage(t)
				s := storage.open(t, c, 30*day)
				record(t, s, c, events)
				c.set(40 * day)

				// Reports leave expired records out before any pruning.
				rep, err := s.Report(ctx, 365, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !rep.Since.Equal(base.Add(10*day)) || rep.Questions != 1 || len(rep.Downvoted) != 1 || rep.Downvoted[0].PassageID != "p2" {
					t.Errorf("report over 365 days with 30 days' retention: %+v", rep)
				}

				tt.prune(t, s, storage)

				raw := storage.raw(t)
				for _, gone := range []string{"OLD-QUESTION", "OLD-DOWNVOTE"} {
					if bytes.Contains(raw, []byte(gone)) {
						t.Errorf("the store still holds %s after pruning", gone)
					}
				}
				if !bytes.Contains(raw, []byte("young question")) {
					t.Error("the store lost a young question")
				}
				rep, err = s.Report(ctx, 365, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Gaps) != 1 || rep.Gaps[0].Example != "young question about coffee" || len(rep.Downvoted) != 1 {
					t.Errorf("report after pruning: %+v", rep)
				}
				if bolt, ok := storage.(boltStorage); ok {
					if entries, _ := os.ReadDir(bolt.dir); len(entries) != 2 {
						t.Errorf("the folder holds %d files after pruning, want gaps.db and gaps.key", len(entries))
					}
				}
			})
		}
	})
}

// TestErase: after an erase nothing is left, neither records nor the key;
// erasing twice, or erasing a store never used, is fine; a store opened
// afterwards starts empty.
func TestErase(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, b backend) {
		for _, used := range []bool{true, false} {
			name := "a used store"
			if !used {
				name = "no store"
			}
			t.Run(name, func(t *testing.T) {
				storage := b.storage(t)
				if used {
					s := storage.open(t, nil, 0)
					record(t, s, newClock(), []event{{q: unanswered("ERASED-QUESTION")}, {v: vote("p", false, "ERASED-DOWNVOTE")}})
				}
				for i := range 2 {
					if err := storage.erase(t); err != nil {
						t.Fatalf("erase %d: %v", i+1, err)
					}
				}
				if st := storage.stored(t); len(st.questions)+len(st.votes) != 0 {
					t.Errorf("after erasing, %d records are left", len(st.questions)+len(st.votes))
				}
				if key := storage.key(t); key != nil {
					t.Error("after erasing, the key is left")
				}
				raw := storage.raw(t)
				for _, gone := range []string{"ERASED-QUESTION", "ERASED-DOWNVOTE"} {
					if bytes.Contains(raw, []byte(gone)) {
						t.Errorf("after erasing, the store holds %s", gone)
					}
				}
				s := storage.open(t, nil, 0)
				rep, err := s.Report(ctx, 90, nil)
				if err != nil || rep.Questions != 0 || len(rep.Downvoted) != 0 {
					t.Errorf("a new store after erasing: %+v, %v", rep, err)
				}
			})
		}
	})
}

// TestEraseFolder (bbolt only): Erase removes the bbolt store's files, its temporary
// files too, and nothing else of the folder, whatever state they are in.
func TestEraseFolder(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) // before Erase
	}{
		{"a used store", func(t *testing.T, dir string) {
			s := openStore(t, dir, nil, 0)
			record(t, s, newClock(), []event{{q: unanswered("coffee and hair")}, {v: vote("p", false, "q")}})
		}},
		{"with leftover temporary files", func(t *testing.T, dir string) {
			openStore(t, dir, nil, 0)
			for _, n := range []string{"gaps.key.tmp-123", "gaps.db.tmp-456"} {
				os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600)
			}
		}},
		{"no store", func(t *testing.T, dir string) {}},
		{"a broken database", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, dbFile), []byte("not a bbolt file"), 0o600)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "index.bolt"), []byte("other data"), 0o644); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, dir)
			if err := Erase(dir); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].Name() != "index.bolt" {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Fatalf("after Erase the folder holds %v, want only index.bolt", names)
			}
			if err := Erase(dir); err != nil {
				t.Errorf("a second Erase: %v", err)
			}
			s := openStore(t, dir, nil, 0)
			rep, err := s.Report(ctx, 90, nil)
			if err != nil || rep.Questions != 0 || len(rep.Downvoted) != 0 {
				t.Errorf("a new store after Erase: %+v, %v", rep, err)
			}
		})
	}
	if err := Erase(filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Errorf("Erase of a missing folder: %v", err)
	}
}

// TestEraseUnderAStore: a store in use when the store is erased (by another
// process) carries on with new records under a new key.
func TestEraseUnderAStore(t *testing.T) {
	eachBackend(t, testEraseUnderAStore)
}

func testEraseUnderAStore(t *testing.T, b backend) {
	ctx := context.Background()
	storage := b.storage(t)
	s := storage.open(t, nil, 0)
	if err := s.RecordQuestion(ctx, *unanswered("before")); err != nil {
		t.Fatal(err)
	}
	before := storage.stored(t).questions[0].Member
	if err := storage.erase(t); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordQuestion(ctx, *unanswered("after")); err != nil {
		t.Fatal(err)
	}
	st := storage.stored(t)
	if len(st.questions) != 1 || st.questions[0].Text != "after" || st.questions[0].Member == before {
		t.Errorf("after erasing the store holds %+v (member hash before: %q)", st.questions, before)
	}
	key := storage.key(t)
	if key == nil {
		t.Fatal("no key beside the new records")
	}
	if st.questions[0].Member != hashID(key, "member", member) {
		t.Error("the new record is not hashed under the new key")
	}
}

func TestConcurrentRecords(t *testing.T) {
	eachBackend(t, testConcurrentRecords)
}

func testConcurrentRecords(t *testing.T, b backend) {
	s := b.storage(t).open(t, nil, 0)
	const goroutines, each = 20, 5
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*each)
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				errs <- s.RecordQuestion(context.Background(), *unanswered(fmt.Sprintf("goroutine %d question %d", g, i)))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.Report(context.Background(), 1, nil)
	if err != nil || rep.Questions != goroutines*each {
		t.Fatalf("%d questions recorded, %v; want %d", rep.Questions, err, goroutines*each)
	}
}

// TestTwoStores: the CLI's store reports while the bot's records, on one
// storage (for bbolt, both opening the file per operation).
func TestTwoStores(t *testing.T) {
	eachBackend(t, testTwoStores)
}

func testTwoStores(t *testing.T, b backend) {
	ctx := context.Background()
	storage := b.storage(t)
	bot := storage.open(t, nil, 0)
	cli := storage.open(t, nil, 0)
	const n = 20
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := bot.RecordQuestion(ctx, *unanswered(fmt.Sprintf("question %d", i))); err != nil {
				done <- err
				return
			}
			time.Sleep(time.Millisecond)
		}
		done <- nil
	}()
	reports := 0
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			rep, err := cli.Report(ctx, 1, nil)
			if err != nil || rep.Questions != n {
				t.Fatalf("the CLI's report: %d questions, %v; want %d", rep.Questions, err, n)
			}
			if reports == 0 {
				t.Error("no report ran while the bot recorded")
			}
			return
		default:
		}
		rep, err := cli.Report(ctx, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Questions > n {
			t.Fatalf("%d questions", rep.Questions)
		}
		reports++
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPruneWhileRecording: Prune runs while another store records; no
// record is lost (for bbolt: Prune replaces the file, and a record that
// waited for the old file's lock goes into the new file, not the old one
// left behind).
func TestPruneWhileRecording(t *testing.T) {
	eachBackend(t, testPruneWhileRecording)
}

func testPruneWhileRecording(t *testing.T, b backend) {
	ctx := context.Background()
	storage := b.storage(t)
	bot := storage.open(t, nil, 0)
	cli := storage.open(t, nil, 0)
	const n = 30
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := bot.RecordQuestion(ctx, *unanswered(fmt.Sprintf("question %d", i))); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	prunes := 0
	for running := true; running; prunes++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
		}
		if _, err := cli.Prune(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if got := len(storage.stored(t).questions); got != n {
		t.Errorf("%d questions stored with %d prunes meanwhile, want %d", got, prunes, n)
	}
}

// TestBusy (bbolt only: the file lock): an operation that cannot get the
// file from another process gives up after its wait, saying so on one line.
func TestBusy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir, nil, 0)
	s.wait = 100 * time.Millisecond
	path := filepath.Join(dir, dbFile)
	held, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	want := "the gaps store is busy (another gutskin process holds " + path + ")"
	tests := []struct {
		name string
		op   func() error
	}{
		{"RecordQuestion", func() error { return s.RecordQuestion(ctx, *unanswered("q")) }},
		{"RecordVote", func() error { return s.RecordVote(ctx, *vote("p", true, "")) }},
		{"Report", func() error { _, err := s.Report(ctx, 1, nil); return err }},
		{"Prune", func() error { _, err := s.Prune(ctx); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.op()
			if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want an error saying %q", err, want)
			}
		})
	}
}

// TestErrors: refused input, a cancelled context and a closed store fail
// on one line, and store nothing.
func TestErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ctx := context.Background()
	tests := []struct {
		name string
		op   func(s testStore) error
		want string // in the error
		is   error
	}{
		{"unknown via", func(s testStore) error { return s.RecordQuestion(ctx, Question{Via: "slash", Text: "q"}) }, `record a question: via "slash"`, nil},
		{"vote without passage", func(s testStore) error { return s.RecordVote(ctx, Vote{Helpful: true}) }, "record a vote: no passage ID", nil},
		{"zero days", func(s testStore) error { _, err := s.Report(ctx, 0, nil); return err }, "report the gaps: 0 days", nil},
		{"cancelled record", func(s testStore) error { return s.RecordQuestion(cancelled, *unanswered("q")) }, "", context.Canceled},
		{"cancelled vote", func(s testStore) error { return s.RecordVote(cancelled, *vote("p", true, "")) }, "", context.Canceled},
		{"cancelled report", func(s testStore) error { _, err := s.Report(cancelled, 1, nil); return err }, "", context.Canceled},
		{"cancelled prune", func(s testStore) error { _, err := s.Prune(cancelled); return err }, "", context.Canceled},
		{"closed", func(s testStore) error {
			if err := s.Close(); err != nil {
				return err
			}
			if err := s.Close(); err != nil {
				return err
			}
			return s.RecordQuestion(ctx, *unanswered("q"))
		}, "is closed", nil},
	}
	eachBackend(t, func(t *testing.T, b backend) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				storage := b.storage(t)
				s := storage.open(t, nil, 0)
				err := tt.op(s)
				if err == nil || !strings.Contains(err.Error(), tt.want) || tt.is != nil && !errors.Is(err, tt.is) {
					t.Fatalf("got %v, want an error with %q", err, tt.want)
				}
				if strings.ContainsAny(err.Error(), "\n\r") {
					t.Errorf("the error spans several lines: %q", err)
				}
				if st := storage.stored(t); len(st.questions)+len(st.votes) != 0 {
					t.Errorf("a failed operation stored %d records", len(st.questions)+len(st.votes))
				}
			})
		}
	})
}

// TestOpenErrors (bbolt only; TestOpenPostgresErrors is PostgreSQL's).
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	badKey := filepath.Join(dir, "bad-key")
	os.MkdirAll(badKey, 0o755)
	os.WriteFile(filepath.Join(badKey, keyFile), []byte("short"), 0o600)
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, nil, 0o644)
	tests := []struct {
		name string
		dir  string
		want string
	}{
		{"no folder", "", "open the gaps store: no data folder given"},
		{"a key of the wrong size", badKey, "read the gaps key " + filepath.Join(badKey, keyFile) + ": it holds 5 bytes, want 32"},
		{"a file for a folder", notDir, "open the gaps store: create the data folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(Options{Dir: tt.dir})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestOpenCreates (bbolt only; TestPostgresSchema is PostgreSQL's): Open
// makes the folder, the key and the database, and a second Open keeps the
// key.
func TestOpenCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	openStore(t, dir, nil, 0)
	key1, err := os.ReadFile(filepath.Join(dir, keyFile))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, dbFile))
	if err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("gaps.db: %v, %v; want mode 0600", fi.Mode(), err)
	}
	openStore(t, dir, nil, 0)
	key2, _ := os.ReadFile(filepath.Join(dir, keyFile))
	if !bytes.Equal(key1, key2) {
		t.Error("a second Open changed the key")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{dbFile, keyFile}) {
		t.Errorf("the folder holds %v", names)
	}
}
