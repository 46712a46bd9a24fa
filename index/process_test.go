package index

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gutskin/corpus"
)

// TestReplicaProcesses runs replicas as separate processes, each this test
// binary running TestHelperReplica; these variables tell it what to do.
const (
	replicaDirEnv     = "GUTSKIN_INDEX_REPLICA_DIR"
	replicaVersionEnv = "GUTSKIN_INDEX_REPLICA_VERSION"
)

// TestHelperReplica is a replica for TestReplicaProcesses, not a test: it
// opens the directory it is given with quokkaLibrary of the version it is
// given, as `serve` does, and says on stdout what it serves:
//
//	open <generation> <rebuilt>   once open
//	serving <generation>          whenever that changes
//	rebuilt <generation>          after "rebuild <version>" on stdin
//	error <message>
//
// It closes the index and exits when stdin ends.
func TestHelperReplica(t *testing.T) {
	dir := os.Getenv(replicaDirEnv)
	if dir == "" {
		t.Skip("a child process of TestReplicaProcesses")
	}
	var version atomic.Pointer[string]
	v := os.Getenv(replicaVersionEnv)
	version.Store(&v)
	load := func(context.Context) (*corpus.Library, error) { return corpus.Load(mustQuokka(*version.Load())) }
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ix, info, err := Open(ctx, Options{Dir: dir, Load: load, Reuse: ReuseIfCurrent})
	if err != nil {
		say("error %v", err)
		os.Exit(3)
	}
	say("open %s %t", ix.Generation(), info.Rebuilt)
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		last := ix.Generation()
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			if g := ix.Generation(); g != last {
				last = g
				say("serving %s", g)
			}
		}
	}()
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) != 2 || f[0] != "rebuild" {
			say("error unknown command %q", in.Text())
			continue
		}
		version.Store(&f[1])
		if _, err := ix.Rebuild(ctx); err != nil {
			say("error %v", err)
		} else {
			say("rebuilt %s", ix.Generation())
		}
	}
	close(done)
	<-watched
	ix.Close()
	os.Exit(0)
}

// replicaProcess is a running TestHelperReplica.
type replicaProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	// exited is closed when the process has exited, with err.
	exited chan struct{}
	err    error
}

func startReplica(t *testing.T, dir, version string) *replicaProcess {
	t.Helper()
	r := &replicaProcess{lines: make(chan string, 100), exited: make(chan struct{})}
	r.cmd = exec.Command(os.Args[0], "-test.run=^TestHelperReplica$")
	r.cmd.Env = append(os.Environ(), replicaDirEnv+"="+dir, replicaVersionEnv+"="+version)
	r.cmd.Stderr = os.Stderr
	out, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if r.stdin, err = r.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
		r.err = r.cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() {
		r.stdin.Close()
		select {
		case <-r.exited:
		case <-time.After(20 * time.Second):
			r.cmd.Process.Kill()
		}
	})
	return r
}

// await reads the replica's lines until one starts with prefix, and
// returns the rest of it. An error line, or none in time, fails the test.
func (r *replicaProcess) await(t *testing.T, prefix string, within time.Duration) string {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case line, ok := <-r.lines:
			switch {
			case !ok:
				t.Fatalf("the replica exited while waiting for %q", prefix)
			case strings.HasPrefix(line, "error "):
				t.Fatalf("replica: %s", line)
			case strings.HasPrefix(line, prefix+" "):
				return strings.TrimPrefix(line, prefix+" ")
			}
		case <-deadline:
			t.Fatalf("no %q from the replica within %v", prefix, within)
		}
	}
}

// awaitServing waits until the replica says it serves gen.
func (r *replicaProcess) awaitServing(t *testing.T, gen string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if got := r.await(t, "serving", time.Until(deadline)); got == gen {
			return
		}
	}
}

// Three replica processes start at once on an empty directory: all open,
// one builds. A rebuild in this process, and one in a replica, reach the
// others within 2 s.
func TestReplicaProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three child processes")
	}
	dir := t.TempDir()
	var replicas []*replicaProcess
	for range 3 {
		replicas = append(replicas, startReplica(t, dir, "alpha"))
	}
	var gen string
	builds := 0
	for i, r := range replicas {
		f := strings.Fields(r.await(t, "open", time.Minute))
		if len(f) != 2 {
			t.Fatalf("replica %d: open %v", i, f)
		}
		if gen == "" {
			gen = f[0]
		}
		if f[0] != gen {
			t.Errorf("replica %d opened %s, another %s", i, f[0], gen)
		}
		if f[1] == "true" {
			builds++
		}
	}
	if builds != 1 {
		t.Errorf("%d replicas built, want 1", builds)
	}
	if gens := genDirs(t, dir); len(gens) != 1 || gens[0] != gen {
		t.Errorf("generations %v, want [%s]", gens, gen)
	}

	// This process rebuilds; every replica follows.
	here, _ := openIndex(t, Options{Dir: dir, Load: loader(mustQuokka("beta"))})
	if _, err := here.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	for _, r := range replicas {
		r.awaitServing(t, here.Generation(), followWithin-time.Since(published))
	}
	t.Logf("three replica processes followed within %v", time.Since(published).Round(time.Millisecond))

	// A replica rebuilds; this process and the other replicas follow.
	if _, err := io.WriteString(replicas[1].stdin, "rebuild gamma\n"); err != nil {
		t.Fatal(err)
	}
	rebuilt := replicas[1].await(t, "rebuilt", time.Minute)
	published = time.Now()
	for i, r := range replicas {
		if i != 1 {
			r.awaitServing(t, rebuilt, followWithin-time.Since(published))
		}
	}
	followsQuokka(t, here, "gamma")
	if got := here.Generation(); got != rebuilt {
		t.Errorf("serving %s, the replica published %s", got, rebuilt)
	}

	for i, r := range replicas {
		r.stdin.Close()
		select {
		case <-r.exited:
			if r.err != nil {
				t.Errorf("replica %d: %v", i, r.err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("replica %d did not exit", i)
		}
	}
	here.Close()
	if l := leases(t, dir); len(l) != 0 {
		t.Errorf("leases left after every replica closed: %v", l)
	}
}
