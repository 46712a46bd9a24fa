package gaps

import (
	"errors"
	"fmt"
	"strings"
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
// when unanswered. The bbolt backend stores it as JSON, the PostgreSQL one
// as a row with a column per field (named as the JSON keys).
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

// check tells whether q may be recorded; both backends call it before they
// touch their storage, so a refused question costs nothing.
func (q Question) check() error {
	switch q.Via {
	case "ask", "mention", "find_sources":
		return nil
	}
	return fmt.Errorf("via %q is not ask, mention or find_sources", q.Via)
}

// record is q as every backend stores it, under the hashing key key: the
// IDs hashed, the passage kept only when answered, the text only when not.
// This is the one place that decides what of a question is kept.
func (q Question) record(key []byte) questionRecord {
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
	return r
}

// check tells whether v may be recorded (see Question.check).
func (v Vote) check() error {
	if v.PassageID == "" {
		return errors.New("no passage ID")
	}
	return nil
}

// record is v as every backend stores it, under the hashing key key: the
// IDs hashed, the question kept only for 👎. This is the one place that
// decides what of a vote is kept.
func (v Vote) record(key []byte) voteRecord {
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
	return r
}
