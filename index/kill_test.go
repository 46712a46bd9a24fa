package index

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// The kill test re-runs this test binary as a child process that rebuilds
// an index directory; these variables tell the child what to do.
const (
	helperDirEnv      = "GUTSKIN_INDEX_HELPER_DIR"
	helperPassagesEnv = "GUTSKIN_INDEX_HELPER_PASSAGES"
	// killPassages makes the child's build take long enough to be killed
	// half-way: well over a second on two cores.
	killPassages = 6000
)

// TestHelperProcess is the child of TestKilledRebuildKeepsPreviousIndex,
// not a test: it rebuilds the directory it is given from a large synthetic
// library.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("the child process of TestKilledRebuildKeepsPreviousIndex")
	}
	n, err := strconv.Atoi(os.Getenv(helperPassagesEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	ix, _, err := Open(context.Background(), Options{Dir: dir, Load: libraryLoad(syntheticLibrary(n)), Reuse: ReuseNever})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	ix.Close()
	// Getting here means the parent did not kill the build in time.
	fmt.Fprintln(os.Stderr, "helper: rebuild finished")
	os.Exit(0)
}

func TestKilledRebuildKeepsPreviousIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process that builds a large index")
	}
	dir := t.TempDir()
	old := buildOnDisk(t, dir, "alpha")

	var out bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir, helperPassagesEnv+"="+strconv.Itoa(killPassages))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			<-exited
		}
	})

	// Wait for the child's new generation to appear and Bleve to start
	// writing into it, then kill the child without warning.
	var partial string
	deadline := time.After(60 * time.Second)
wait:
	for {
		select {
		case err := <-exited:
			killed = true
			t.Fatalf("the child exited before it was killed (%v):\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("no new generation appeared within 60s:\n%s", out.String())
		case <-time.After(time.Millisecond):
		}
		for _, g := range genDirs(t, dir) {
			if g == old {
				continue
			}
			partial = g
			if _, err := os.Stat(filepath.Join(dir, g, bleveDir)); err == nil {
				break wait
			}
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		killed = true
	case <-time.After(20 * time.Second):
		t.Fatal("the killed child did not exit within 20s")
	}
	if cur := currentGen(t, dir); cur != old {
		t.Fatalf("the child finished its build before it was killed (CURRENT names %s); raise killPassages:\n%s", cur, out.String())
	}
	if gens := genDirs(t, dir); !slices.Contains(gens, partial) {
		t.Fatalf("the killed build left no directory: %v", gens)
	}
	var files, size int64
	filepath.WalkDir(filepath.Join(dir, partial), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				files, size = files+1, size+info.Size()
			}
		}
		return nil
	})
	t.Logf("killed the build with %d files (%d bytes) in %s", files, size, partial)

	ix, info := openIndex(t, Options{Dir: dir, Load: mustNotLoad(t), Reuse: ReuseAny})
	if info.Rebuilt || info.SetAside != "" {
		t.Fatalf("open after the kill: %+v", info)
	}
	// Only the previous index knows about quokkas.
	answersQuokka(t, ix, "alpha")
	if gens := genDirs(t, dir); !slices.Equal(gens, []string{old}) {
		t.Errorf("generations after open: %v, want only %s", gens, old)
	}
	// The dead child's writer lock went with it.
	ix.opts.Load = loader(mustQuokka("beta"))
	if _, err := ix.Rebuild(context.Background()); err != nil {
		t.Fatalf("rebuild after the kill: %v", err)
	}
	answersQuokka(t, ix, "beta")
}
