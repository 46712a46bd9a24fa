package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gutskin/bot"
	"gutskin/internal/discordfake"
	"gutskin/internal/gaps"
)

// unansweredGroups are three things members ask in many words that the test
// library does not cover, most asked first.
var unansweredGroups = [][]string{
	{"does coffee cause hair loss?", "can coffee make my hair fall out", "coffee and hair loss, is there a link?",
		"is coffee making me lose hair", "hair loss from drinking coffee?", "does coffee cause hair loss?",
		"can coffee make my hair fall out", "coffee hair loss", "does coffee cause hair loss?"},
	{"does magnesium help sleep?", "magnesium for better sleep", "can magnesium improve my sleep",
		"should i take magnesium to sleep", "magnesium sleep", "does magnesium help sleep?"},
	{"can I get a tattoo with a nut allergy?", "tattoo ink and nut allergy", "nut allergy tattoos safe?", "tattoo with nut allergy"},
}

// answered are questions the test library answers.
var answered = []string{"does kefir help acne?", "is kefir good for my skin?", "does milk cause acne?",
	"does a high glycemic diet cause acne?", "what is kefir?"}

// waitRecorded waits until the store holds n questions.
func (h *harness) waitRecorded(n int) gaps.Report {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rep, err := h.store.Report(context.Background(), 1, nil)
		if err != nil {
			h.t.Fatal(err)
		}
		if rep.Questions >= n || time.Now().After(deadline) {
			if rep.Questions != n {
				h.t.Fatalf("%d questions recorded, want %d", rep.Questions, n)
			}
			return rep
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func member(i int) discordfake.Member {
	return discordfake.Member{UserID: fmt.Sprintf("3000000000000001%02d", i%100), GuildID: guildID}
}

// A scripted run of 200 questions by /ask, mention and Find sources, with
// votes: /gaps shows the three unanswered groups with their counts, the
// passages rated 👎 most and the answered rate, and nobody's ID.
func TestGapsAfterAScriptedRun(t *testing.T) {
	h := start(t, setup{})
	var script []string
	for _, g := range unansweredGroups {
		script = append(script, g...)
	}
	unanswered := len(script)
	for i := 0; len(script) < 200; i++ {
		script = append(script, answered[i%len(answered)])
	}

	// Every question must get the reply it should; the script checks its
	// own premise before counting on it.
	// Ten members at a time, as a busy server might send them.
	var wg sync.WaitGroup
	errs := make(chan string, len(script))
	slots := make(chan struct{}, 10)
	for i, q := range script {
		m := member(i)
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			var got bool
			switch i % 10 {
			case 3: // a mention
				msg, err := h.fake.PostMessage(m, fmt.Sprintf("2000000000000002%02d", i/10), "<@"+h.fake.BotUserID()+"> "+q)
				if err != nil {
					errs <- err.Error()
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				for len(h.fake.MessagesReplyingTo(msg.ID)) == 0 && ctx.Err() == nil {
					time.Sleep(10 * time.Millisecond)
				}
				replies := h.fake.MessagesReplyingTo(msg.ID)
				if len(replies) == 0 {
					errs <- "no reply to the mention " + q
					return
				}
				raw, _ := json.Marshal(replies[0].Body)
				got = strings.Contains(string(raw), "Next answer") || strings.Contains(string(raw), "👍")
			default:
				sent, err := h.fake.Command(m, "", "ask", discordfake.Option{Name: "question", Value: q})
				if err != nil {
					errs <- err.Error()
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				r, err := sent.WaitCallback(ctx)
				if err != nil {
					errs <- err.Error()
					return
				}
				got = len(embedsOf(r.JSON()["data"].(map[string]any))) > 0
			}
			if want := i >= unanswered; got != want {
				errs <- fmt.Sprintf("%q answered %v, want %v", q, got, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Votes: three 👎 and a 👍 on the kefir answer, one 👎 on another.
	vote := func(m discordfake.Member, data map[string]any, sent discordfake.Sent, emoji string) {
		t.Helper()
		msg, ok := sent.Original()
		if !ok {
			t.Fatal("no answer message to vote on")
		}
		h.response(h.click(m, msg.ID, buttons(data)[emoji]))
	}
	kefirSent := h.ask(bob, "does kefir help acne?", false)
	_, kefirData := h.response(kefirSent)
	milkSent := h.ask(bob, "does milk cause acne?", false)
	_, milkData := h.response(milkSent)
	for _, m := range []discordfake.Member{member(1), member(2), member(3)} {
		vote(m, kefirData, kefirSent, "👎")
	}
	vote(member(4), kefirData, kefirSent, "👍")
	vote(member(1), milkData, milkSent, "👎")
	total := len(script) + 2
	rep := h.waitRecorded(total)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if rep, _ = h.store.Report(context.Background(), 1, nil); len(rep.Downvoted) == 2 && rep.Downvoted[0].Down+rep.Downvoted[0].Up == 4 {
			break
		}
	}

	sent := h.command(mod, "gaps", discordfake.Option{Name: "days", Value: 7})
	h.response(sent)
	body := h.edits(sent, 1)
	e := embedsOf(body)[0]
	contains(t, "gaps", e["description"].(string), fmt.Sprintf("**%d questions**, %d answered (%.0f%%)", total, total-unanswered, 100*float64(total-unanswered)/float64(total)))
	groups := strings.Split(field(e, "Unanswered, most asked first"), "\n")
	if len(groups) != 3 {
		t.Fatalf("groups:\n%s", strings.Join(groups, "\n"))
	}
	for i, g := range unansweredGroups {
		if !strings.HasPrefix(groups[i], fmt.Sprintf("• **%d×** ", len(g))) {
			t.Errorf("group %d = %q, want %d questions", i, groups[i], len(g))
		}
	}
	down := field(e, "Passages rated 👎 most")
	if !strings.HasPrefix(down, "• **3 👎** · 1 👍 — "+kefirTitle) || !strings.Contains(down, "• **1 👎** · 0 👍") {
		t.Errorf("passages rated 👎:\n%s", down)
	}
	raw, _ := json.Marshal(body)
	for _, id := range append(everyUserID, member(1).UserID, guildID) {
		if strings.Contains(string(raw), id) {
			t.Errorf("/gaps shows the ID %s", id)
		}
	}

	// The store holds no ID, and no text of an answered question.
	db := storeBytes(t, h.data)
	for _, s := range []string{alice.UserID, bob.UserID, member(7).UserID, guildID, "is kefir good for my skin", "glycemic diet"} {
		if strings.Contains(db, s) {
			t.Errorf("the gaps store holds %q", s)
		}
	}
	if !strings.Contains(db, "magnesium for better sleep") {
		t.Error("the gaps store lacks an unanswered question's text")
	}

	// Nor do the logs, at any level the bot wrote.
	logs := h.logs.String()
	for i := range 100 {
		if strings.Contains(logs, member(i).UserID) {
			t.Fatalf("a member's ID (%s) is in the logs", member(i).UserID)
		}
	}
	if strings.Contains(logs, "magnesium") || strings.Contains(logs, guildID) {
		t.Error("a question's text or the guild's ID is in the logs")
	}

	// A member who is not a moderator is refused.
	_, data := h.response(h.command(alice, "gaps"))
	if !strings.Contains(data["content"].(string), "Only the library's moderators") {
		t.Errorf("member: %v", data)
	}
}

// storeBytes reads every file of the data folder as one string.
func storeBytes(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// slowRecorder holds every question until released: the reply must not
// wait for it.
type slowRecorder struct {
	bot.Recorder
	release chan struct{}
}

func (s slowRecorder) RecordQuestion(ctx context.Context, q gaps.Question) error {
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Recorder.RecordQuestion(ctx, q)
}

func TestRecordingNeverDelaysAReply(t *testing.T) {
	release := make(chan struct{})
	h := start(t, setup{recorder: func(r bot.Recorder) bot.Recorder { return slowRecorder{r, release} }})
	for _, q := range []string{"does kefir help acne?", "does coffee cause hair loss?"} {
		start := time.Now()
		if typ, _ := h.response(h.ask(alice, q, false)); typ != 4 {
			t.Errorf("%q: type %d", q, typ)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%q: the reply took %s while recording was held", q, d)
		}
	}
	if rep, _ := h.store.Report(context.Background(), 1, nil); rep.Questions != 0 {
		t.Fatalf("recorded %d questions while held", rep.Questions)
	}
	close(release)
	rep := h.waitRecorded(2)
	if rep.Answered != 1 || len(rep.Gaps) != 1 {
		t.Errorf("after release: %+v", rep)
	}
}
