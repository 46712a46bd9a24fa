package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"gutskin/internal/discordfake"
)

// guildOnShard returns a guild ID whose events Discord sends to shard of
// count: (id >> 22) % count.
func guildOnShard(shard, count int) string {
	for id := uint64(400000000000000001); ; id += 1 << 22 {
		if int((id>>22)%uint64(count)) == shard {
			return strconv.FormatUint(id, 10)
		}
	}
}

// Two processes with SHARD_COUNT=auto (Discord recommends 2) each identify
// with their own shard, and every mention is answered exactly once.
func TestShards(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two gutskin processes")
	}
	bin := gutskinBinary(t)
	guilds := []string{guildOnShard(0, 2), guildOnShard(1, 2)}
	fake, err := discordfake.New(discordfake.Options{Token: serveTestToken, Guilds: guilds, RecommendedShards: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	lib, err := filepath.Abs(filepath.Join("bot", "testdata", "library"))
	if err != nil {
		t.Fatal(err)
	}
	var procs []*exec.Cmd
	var logs []*lockedBuffer
	for shard := range 2 {
		cmd := exec.Command(bin, "serve")
		cmd.Env = []string{"DISCORD_TOKEN=" + serveTestToken, "DISCORD_API_URL=" + fake.APIURL(), "CORPUS_DIR=" + lib,
			"SHARD_ID=" + strconv.Itoa(shard), "SHARD_COUNT=auto", "HEALTH_ADDR=", "ASK_COOLDOWN=0", "LOG_FORMAT=json", "DATA_DIR="}
		l := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = l, l
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs, logs = append(procs, cmd), append(logs, l)
	}
	t.Cleanup(func() {
		for _, p := range procs {
			p.Process.Signal(syscall.SIGTERM)
			p.Wait()
		}
		if t.Failed() {
			for i, l := range logs {
				t.Logf("shard %d:\n%s", i, tail(l.String(), 2000))
			}
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for len(fake.Shards()) < 2 || !fake.Shards()[0].Connected || !fake.Shards()[1].Connected {
		if time.Now().After(deadline) {
			t.Fatalf("shards identified: %+v", fake.Shards())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for shard, st := range fake.Shards() {
		if st.Identifies != 1 {
			t.Errorf("shard %d identified %d times", shard, st.Identifies)
		}
	}

	var posted []discordfake.Message
	for i := range 6 {
		m := discordfake.Member{UserID: fmt.Sprintf("3000000000000000%02d", i), GuildID: guilds[i%2]}
		msg, err := fake.PostMessage(m, "", "<@"+fake.BotUserID()+"> does kefir help acne?")
		if err != nil {
			t.Fatal(err)
		}
		posted = append(posted, msg)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		done := 0
		for _, m := range posted {
			if len(fake.MessagesReplyingTo(m.ID)) > 0 {
				done++
			}
		}
		if done == len(posted) {
			break
		}
	}
	time.Sleep(500 * time.Millisecond) // a second answer would come by now
	for i, m := range posted {
		if n := len(fake.MessagesReplyingTo(m.ID)); n != 1 {
			t.Errorf("mention %d (guild on shard %d) answered %d times, want once", i, i%2, n)
		}
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
}
