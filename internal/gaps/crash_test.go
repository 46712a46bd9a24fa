package gaps

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// helperDirEnv tells the child of TestKilledRecorderLosesNothing which data
// folder to record into.
const helperDirEnv = "GUTSKIN_GAPS_HELPER_DIR"

// TestHelperRecorder is the child of TestKilledRecorderLosesNothing, not a
// test: it records unanswered questions "crash question N" and prints
// "ok N" after each RecordQuestion returns, until it is killed.
func TestHelperRecorder(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("the child process of TestKilledRecorderLosesNothing")
	}
	s, err := Open(Options{Dir: dir})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	for n := 1; ; n++ {
		q := Question{GuildID: guild, MemberID: member, Via: "ask", Text: fmt.Sprintf("crash question %d", n)}
		if err := s.RecordQuestion(context.Background(), q); err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		fmt.Println("ok", n)
	}
}

// TestKilledRecorderLosesNothing kills a recording process with SIGKILL at
// a different point each round: every question it acknowledged is in the
// store, which opens and reports.
func TestKilledRecorderLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	rounds := 3
	if raceEnabled {
		rounds = 2 // the plain test run kills at three points
	}
	for round := range rounds {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRecorder$")
		cmd.Env = append(os.Environ(), helperDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after about 50 acknowledgements, a little later each round,
		// then read what the child printed before it died.
		killAfter := 40 + 10*round
		acked := map[int]bool{}
		last := 0
		lines := bufio.NewScanner(out)
		killed := false
		deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
		for lines.Scan() {
			text := lines.Text()
			n, err := strconv.Atoi(strings.TrimPrefix(text, "ok "))
			if !strings.HasPrefix(text, "ok ") || err != nil {
				if strings.HasPrefix(text, "error:") {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("round %d: the child failed: %s", round, text)
				}
				continue // the test framework's own lines
			}
			acked[n], last = true, n
			if !killed && n >= killAfter {
				time.Sleep(time.Duration(round) * 700 * time.Microsecond)
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		deadline.Stop()
		cmd.Wait()
		if !killed {
			t.Fatalf("round %d: the child stopped after %d records", round, last)
		}

		s, err := Open(Options{Dir: dir})
		if err != nil {
			t.Fatalf("round %d: the store does not open after the kill: %v", round, err)
		}
		stored := map[int]bool{}
		for _, q := range readStored(t, dir).questions {
			n, err := strconv.Atoi(strings.TrimPrefix(q.Text, "crash question "))
			if err != nil {
				t.Fatalf("round %d: a stored question reads %q", round, q.Text)
			}
			stored[n] = true
		}
		for n := range acked {
			if !stored[n] {
				t.Errorf("round %d: acknowledged question %d is lost", round, n)
			}
		}
		// At most the one question being recorded at the kill was stored
		// without being acknowledged.
		if len(stored) > len(acked)+1 {
			t.Errorf("round %d: %d questions stored, %d acknowledged", round, len(stored), len(acked))
		}
		rep, err := s.Report(context.Background(), 1, nil)
		if err != nil || rep.Questions != len(stored) {
			t.Errorf("round %d: the report counts %d questions, %v; want %d", round, rep.Questions, err, len(stored))
		}
		t.Logf("round %d: killed after %d acknowledged, %d stored", round, len(acked), len(stored))
	}
}
