package bot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Button custom_ids carry what a press needs, in at most 100 characters:
//
//	gs:n:KEY:I:P0.P1…    Next answer: show hit I of stored answer KEY,
//	                     whose hits are passages P0, P1… (read back by ID
//	                     when KEY is not in this process's memory)
//	gs:v:u:KEY:I:PID     👍 on hit I of answer KEY, passage PID
//	gs:v:d:KEY:I:PID     👎 likewise
//	gs:s:P               /sources page P
//	gs:ok:KEY            confirm the library change KEY (/library)
//	gs:x:KEY             cancel it
//
// KEY names an answer kept in memory; after a restart, or on another
// replica, it is gone, and Next answer reads the passages it names instead
// (without the highlights of the question's words), while feedback still
// knows the passage from PID. PID and the passage list are left out when
// they would not fit.
const (
	customIDPrefix = "gs"
	maxCustomIDLen = 100
)

// Button actions.
const (
	actionNext    = "n"
	actionVote    = "v"
	actionSources = "s"
	actionConfirm = "ok"
	actionCancel  = "x"
)

// customID is a decoded button custom_id.
type customID struct {
	Action string
	Key    string // answer key (next, vote)
	Index  int    // hit index (next, vote) or page (sources)
	Up     bool   // vote direction
	// PassageID is the voted passage; may be empty.
	PassageID string
	// Passages are the answer's hits, for Next answer; may be empty.
	Passages []string
}

var errBadCustomID = errors.New("not a gutskin custom_id")

// encode renders the custom_id; it is at most 100 characters.
func (c customID) encode() string {
	switch c.Action {
	case actionNext:
		base := customIDPrefix + ":n:" + c.Key + ":" + strconv.Itoa(c.Index)
		if list := strings.Join(c.Passages, "."); len(c.Passages) > 0 && len(base)+1+len(list) <= maxCustomIDLen {
			return base + ":" + list
		}
		return base
	case actionVote:
		dir := "d"
		if c.Up {
			dir = "u"
		}
		base := customIDPrefix + ":v:" + dir + ":" + c.Key + ":" + strconv.Itoa(c.Index) + ":"
		if len(base)+len(c.PassageID) <= maxCustomIDLen {
			return base + c.PassageID
		}
		return base
	case actionSources:
		return customIDPrefix + ":s:" + strconv.Itoa(c.Index)
	case actionConfirm, actionCancel:
		return customIDPrefix + ":" + c.Action + ":" + c.Key
	}
	return ""
}

// parseCustomID decodes a custom_id made by encode.
func parseCustomID(s string) (customID, error) {
	if len(s) > maxCustomIDLen {
		return customID{}, fmt.Errorf("%w: %d characters", errBadCustomID, len(s))
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) < 3 || parts[0] != customIDPrefix {
		return customID{}, errBadCustomID
	}
	index := func(p string) (int, error) {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 10000 || strconv.Itoa(n) != p {
			return 0, fmt.Errorf("%w: bad number %q", errBadCustomID, p)
		}
		return n, nil
	}
	validKey := func(k string) bool {
		if k == "" || len(k) > 32 {
			return false
		}
		for _, r := range k {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
				return false
			}
		}
		return true
	}
	switch parts[1] {
	case actionNext:
		if len(parts) != 4 && len(parts) != 5 || !validKey(parts[2]) {
			return customID{}, errBadCustomID
		}
		n, err := index(parts[3])
		if err != nil {
			return customID{}, err
		}
		c := customID{Action: actionNext, Key: parts[2], Index: n}
		if len(parts) == 5 {
			c.Passages = strings.Split(parts[4], ".")
			for _, p := range c.Passages {
				if len(p) != 12 || strings.Trim(p, "0123456789abcdef") != "" {
					return customID{}, fmt.Errorf("%w: bad passage ID %q", errBadCustomID, p)
				}
			}
		}
		return c, nil
	case actionVote:
		if len(parts) != 6 || (parts[2] != "u" && parts[2] != "d") || !validKey(parts[3]) {
			return customID{}, errBadCustomID
		}
		n, err := index(parts[4])
		if err != nil {
			return customID{}, err
		}
		return customID{Action: actionVote, Up: parts[2] == "u", Key: parts[3], Index: n, PassageID: parts[5]}, nil
	case actionSources:
		if len(parts) != 3 {
			return customID{}, errBadCustomID
		}
		n, err := index(parts[2])
		if err != nil {
			return customID{}, err
		}
		return customID{Action: actionSources, Index: n}, nil
	case actionConfirm, actionCancel:
		if len(parts) != 3 || !validKey(parts[2]) {
			return customID{}, errBadCustomID
		}
		return customID{Action: parts[1], Key: parts[2]}, nil
	}
	return customID{}, errBadCustomID
}
