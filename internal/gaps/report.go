package gaps

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
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

// reportBuilder makes a Report out of the records of its period, whichever
// backend read them: a backend asks it for the period, feeds it each
// question and each vote of the period, each kind in time order (records of
// one instant in the order they were written), and takes the result. So the
// answered rate, the grouping of gaps and the order of the downvoted
// passages are worked out in one place for every backend.
type reportBuilder struct {
	rep        Report
	unanswered []asked
	byPassage  map[string]*passageVotes
}

// passageVotes is a passage's votes being counted.
type passageVotes struct {
	Downvoted
	lastDown uint64 // stamp of its latest 👎
	// voters are the members (hashed) counted already: a member's vote
	// counts once, even when the bot forgot it had it (a restart).
	voters map[string]bool
}

// newReport starts the report of the last days days before now, records
// older than retention left out. days must be at least 1.
func newReport(days int, now time.Time, retention time.Duration) (*reportBuilder, error) {
	if days < 1 {
		return nil, fmt.Errorf("%d days, want at least 1", days)
	}
	window := retention
	if days <= 100_000 && time.Duration(days)*24*time.Hour < window { // no overflow
		window = time.Duration(days) * 24 * time.Hour
	}
	return &reportBuilder{
		rep: Report{
			Since:     now.Add(-window),
			Until:     now,
			Days:      min(days, int(window/(24*time.Hour))),
			Gaps:      []Gap{},
			Downvoted: []Downvoted{},
		},
		byPassage: map[string]*passageVotes{},
	}, nil
}

// period is the time span whose records the builder wants, both ends
// included.
func (b *reportBuilder) period() (since, until time.Time) { return b.rep.Since, b.rep.Until }

// question counts a question of the period, of time stamp at (see stamp).
func (b *reportBuilder) question(at uint64, r questionRecord) {
	b.rep.Questions++
	if r.Answered {
		b.rep.Answered++
		return
	}
	b.unanswered = append(b.unanswered, asked{text: r.Text, at: at})
}

// vote counts a vote of the period, of time stamp at; votes must come in
// time order, since the latest one sets a passage's article and example.
func (b *reportBuilder) vote(at uint64, r voteRecord) {
	p := b.byPassage[r.Passage]
	if p == nil {
		p = &passageVotes{Downvoted: Downvoted{PassageID: r.Passage}}
		b.byPassage[r.Passage] = p
	}
	if r.Article != "" {
		p.Article = r.Article
	}
	if r.Member != "" {
		if p.voters == nil {
			p.voters = map[string]bool{}
		}
		if p.voters[r.Member] {
			return
		}
		p.voters[r.Member] = true
	}
	if r.Helpful {
		p.Up++
		return
	}
	p.Down++
	p.lastDown = at
	if r.Question != "" {
		p.Example = r.Question
	}
}

// report is the finished Report; terms is Report's (see groupGaps).
func (b *reportBuilder) report(terms func(string) []string) Report {
	rep := b.rep
	if rep.Questions > 0 {
		rep.AnsweredRate = float64(rep.Answered) / float64(rep.Questions)
	}
	rep.Gaps = groupGaps(b.unanswered, terms)

	var down []*passageVotes
	for _, p := range b.byPassage {
		if p.Down > 0 {
			down = append(down, p)
		}
	}
	slices.SortFunc(down, func(a, b *passageVotes) int {
		return cmp.Or(
			cmp.Compare(b.Down, a.Down),
			cmp.Compare(b.lastDown, a.lastDown),
			strings.Compare(a.PassageID, b.PassageID),
		)
	})
	for _, p := range down[:min(len(down), maxDownvoted)] {
		rep.Downvoted = append(rep.Downvoted, p.Downvoted)
	}
	return rep
}

// stamp is a record's time as reports compare them, and as the bbolt
// backend keys records: Unix nanoseconds, clamped to what fits (1970 to
// 2262).
func stamp(t time.Time) uint64 {
	switch {
	case t.Unix() < 0:
		return 0
	case t.Unix() >= math.MaxInt64/int64(time.Second):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}
