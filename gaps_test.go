package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gutskin/internal/gaps"
)

func TestGapsCommandLine(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	store, err := gaps.Open(gaps.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, q := range []gaps.Question{
		{GuildID: "400000000000000001", MemberID: "300000000000000001", Via: "ask", Text: "does coffee cause hair loss?"},
		{GuildID: "400000000000000001", MemberID: "300000000000000002", Via: "mention", Text: "can coffee make my hair fall out"},
		{GuildID: "400000000000000001", MemberID: "300000000000000003", Via: "ask", Text: "does kefir help acne?", Answered: true, PassageID: "p1", Article: "Kefir"},
	} {
		if err := store.RecordQuestion(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.RecordVote(ctx, gaps.Vote{GuildID: "400000000000000001", MemberID: "300000000000000003", PassageID: "p1", Article: "Kefir", Question: "does kefir help acne?"}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	code, stdout, stderr := runCLI(t, "", "gaps", "--data", dir, "--json", "--days", "7")
	if code != exitOK {
		t.Fatalf("gaps --json: exit %d %s", code, stderr)
	}
	var rep struct {
		Days         int     `json:"days"`
		Questions    int     `json:"questions"`
		Answered     int     `json:"answered"`
		AnsweredRate float64 `json:"answered_rate"`
		Gaps         []struct {
			Count   int    `json:"count"`
			Example string `json:"example"`
		} `json:"gaps"`
		Downvoted []struct {
			PassageID string `json:"passage_id"`
			Down      int    `json:"down"`
		} `json:"downvoted"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Days != 7 || rep.Questions != 3 || rep.Answered != 1 || len(rep.Gaps) != 1 || rep.Gaps[0].Count != 2 ||
		len(rep.Downvoted) != 1 || rep.Downvoted[0].Down != 1 {
		t.Errorf("gaps --json: %s", stdout)
	}
	code, stdout, _ = runCLI(t, "", "gaps", "--data", dir)
	if code != exitOK || !strings.Contains(stdout, "3 questions, 1 answered (33%)") || !strings.Contains(stdout, "     2  ") {
		t.Errorf("gaps: exit %d\n%s", code, stdout)
	}

	if code, _, stderr = runCLI(t, "", "gaps", "--erase", "--data", dir); code != exitOK {
		t.Fatalf("erase: exit %d %s", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after --erase the folder holds %v", names)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"gaps"}, "no data folder"},
		{[]string{"gaps", "--data", filepath.Join(dir, "missing")}, "no such folder"},
		{[]string{"gaps", "--data", dir, "--days", "0"}, "want 1 to 3650"},
		{[]string{"gaps", "--data", dir, "extra"}, "unexpected argument"},
	} {
		if code, _, stderr := runCLI(t, "", tt.args...); code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}

// `gutskin gaps` only reads: on a folder with no store it creates nothing.
func TestGapsCommandLineOnlyReads(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "", "gaps", "--data", dir)
	if code != exitOK || !strings.Contains(stdout, "0 questions") {
		t.Fatalf("exit %d %q %q", code, stdout, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a report wrote %d files", len(entries))
	}
}
