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

// helperDirEnv and helperURLEnv tell the child of
// TestKilledRecorderLosesNothing which store to record into: a data folder
// (bbolt) or a database (PostgreSQL).
const (
	helperDirEnv = "GUTSKIN_GAPS_HELPER_DIR"
	helperURLEnv = "GUTSKIN_GAPS_HELPER_DATABASE_URL"
)

// TestHelperRecorder is the child of TestKilledRecorderLosesNothing, not a
// test: it records unanswered questions "crash question N" and prints
// "ok N" after each RecordQuestion returns, until it is killed.
func TestHelperRecorder(t *testing.T) {
	var (
		s   testStore
		err error
	)
	switch dir, dbURL := os.Getenv(helperDirEnv), os.Getenv(helperURLEnv); {
	case dir != "":
		s, err = Open(Options{Dir: dir})
	case dbURL != "":
		s, err = OpenPostgres(context.Background(), dbURL, Options{})
	default:
		t.Skip("the child process of TestKilledRecorderLosesNothing")
	}
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
// store, which opens and reports. For bbolt this is about its file; for
// PostgreSQL, about acknowledging only committed writes (a killed server is
// TestPostgresDown's).
func TestKilledRecorderLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	eachBackend(t, testKilledRecorderLosesNothing)
}

func testKilledRecorderLosesNothing(t *testing.T, b backend) {
	rounds := 3
	if raceEnabled {
		rounds = 2 // the plain test run kills at three points
	}
	for round := range rounds {
		storage := b.storage(t)
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRecorder$")
		switch st := storage.(type) {
		case boltStorage:
			cmd.Env = append(os.Environ(), helperDirEnv+"="+st.dir)
		case pgStorage:
			cmd.Env = append(os.Environ(), helperURLEnv+"="+st.url)
		}
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

		s := storage.open(t, nil, 0) // fails the test if it does not open
		stored := map[int]bool{}
		for _, q := range storage.stored(t).questions {
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
