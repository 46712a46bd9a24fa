package library

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gutskin/corpus"
)

// helperDirEnv tells the child of TestKilledAddLeavesOldOrNew which
// library folder to write into.
const helperDirEnv = "GUTSKIN_LIBRARY_HELPER_DIR"

// bigVersion is a large version of one article (the same title), so that
// writing it takes a while and a kill can land half-way.
func bigVersion(v string) []byte {
	var b strings.Builder
	b.WriteString("---\ntitle: Kefir and the skin\n---\n\n")
	for i := 0; b.Len() < 200_000; i++ {
		fmt.Fprintf(&b, "Version %s, paragraph %d: kefir is a fermented milk drink made with grains of bacteria and yeasts.\n\n", v, i)
	}
	return []byte(b.String())
}

// TestHelperAdder is the child of TestKilledAddLeavesOldOrNew, not a test:
// it adds two versions of one article in turn until it is killed.
func TestHelperAdder(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("the child process of TestKilledAddLeavesOldOrNew")
	}
	f := New(Options{Dir: dir})
	ctx := context.Background()
	versions := [][]byte{bigVersion("A"), bigVersion("B")}
	for i := 0; ; i++ {
		p, err := f.Preview(ctx, Source{Name: "kefir.md", Data: versions[i%2]})
		if err == nil {
			_, err = f.Add(ctx, p)
		}
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		fmt.Println("added")
	}
}

func TestKilledAddLeavesOldOrNew(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	a, b := bigVersion("A"), bigVersion("B")
	rounds := 5
	if raceEnabled {
		rounds = 2 // the plain test run kills at five points
	}
	for round := range rounds {
		dir := filepath.Join(t.TempDir(), "corpus")
		os.MkdirAll(dir, 0o755)
		target := filepath.Join(dir, "kefir-and-the-skin.md")
		if err := os.WriteFile(target, a, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAdder$")
		cmd.Env = append(os.Environ(), helperDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		if !lines.Scan() || lines.Text() != "added" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: the child did not add: %q", round, lines.Text())
		}
		// Kill at a different point of the next writes each round.
		time.Sleep(time.Duration(round*3) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()

		got, err := os.ReadFile(target)
		if err != nil {
			t.Fatalf("round %d: the article is gone: %v", round, err)
		}
		if string(got) != string(a) && string(got) != string(b) {
			t.Fatalf("round %d: the library holds part of an article (%d bytes)", round, len(got))
		}
		lib, err := corpus.Load(os.DirFS(dir))
		if err != nil || len(lib.Articles) != 1 || len(lib.Skipped) != 0 {
			t.Fatalf("round %d: the library reads as %v, %d articles, skipped %v", round, err, len(lib.Articles), lib.Skipped)
		}
	}
}
