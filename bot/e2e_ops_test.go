package bot_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gutskin/internal/discordfake"
)

func TestReindexByModerator(t *testing.T) {
	h := start(t, setup{})
	loadsBefore := h.loads.Load()
	entered, release := h.holdLoads()
	defer release()

	sent := h.command(mod, "reindex")
	if typ, data := h.response(sent); typ != 5 || flags(data)&64 == 0 {
		t.Fatalf("reindex: type %d flags %d, want an ephemeral deferral", typ, flags(data))
	}
	select {
	case <-entered:
	case <-time.After(waitLimit):
		t.Fatal("the rebuild never started loading the library")
	}

	// During the rebuild: answers keep coming from the old index…
	typ, data := h.response(h.ask(alice, "does kefir help acne?", false))
	if typ != 4 || embedsOf(data)[0]["title"] != kefirTitle {
		t.Errorf("answer during the rebuild: type %d %v", typ, data)
	}
	// …and a second /reindex says who started the running one, and when.
	_, busy := h.response(h.command(mod2, "reindex"))
	if flags(busy)&64 == 0 || !regexp.MustCompile(`started by <@`+mod.UserID+`> <t:\d+:R> is still running`).MatchString(busy["content"].(string)) {
		t.Errorf("second reindex: %v", busy)
	}
	assertNoPing(t, busy)

	// A new article lands in the folder, then the load goes on.
	data2, err := os.ReadFile("testdata/extra/sunlight-and-the-gut.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "sunlight-and-the-gut.md"), data2, 0o644); err != nil {
		t.Fatal(err)
	}
	release()
	r, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "PATCH", Path: sent.OriginalPath()})
	if err != nil {
		t.Fatal(err)
	}
	body := r.JSON()
	assertNoPing(t, body)
	e := embedsOf(body)[0]
	if e["title"] != "Library rebuilt" {
		t.Errorf("report title %q", e["title"])
	}
	contains(t, "report", e["description"].(string), "1 added, 0 removed, 0 changed — 4 in total", "**Passages:**", "No files skipped", "Took ")
	if got := h.loads.Load() - loadsBefore; got != 1 {
		t.Errorf("%d library loads, want 1 (the second /reindex must not rebuild)", got)
	}

	// The new article is answered afterwards.
	_, after := h.response(h.ask(bob, "can sunlight change gut bacteria?", false))
	if es := embedsOf(after); len(es) != 1 || es[0]["title"] != "Sunlight, vitamin D and the gut" {
		t.Errorf("answer after the rebuild: %v", after)
	}
	h.waitLog(func(l map[string]any) bool { return l["msg"] == "rebuild" && l["outcome"] == "rebuilt" })
}

func TestReindexRefused(t *testing.T) {
	h := start(t, setup{})
	before := h.loads.Load()
	dm := discordfake.Member{UserID: mod.UserID, Name: "mod"} // a DM: no guild
	for name, who := range map[string]discordfake.Member{"member": alice, "other guild": outsider, "DM": dm} {
		sent := h.command(who, "reindex")
		typ, data := h.response(sent)
		if typ != 4 || flags(data)&64 == 0 || !strings.Contains(data["content"].(string), "Only the library's moderators") {
			t.Errorf("%s: type %d data %v, want a one-line ephemeral refusal", name, typ, data)
		}
		if n := len(sent.Requests()); n != 1 {
			t.Errorf("%s: %d requests about the interaction, want just the refusal", name, n)
		}
	}
	// A member with a moderator role (no Manage Server) may.
	sent := h.command(roleMod, "reindex")
	if typ, _ := h.response(sent); typ != 5 {
		t.Errorf("role moderator: type %d, want a deferral", typ)
	}
	if _, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "PATCH", Path: sent.OriginalPath()}); err != nil {
		t.Fatal(err)
	}
	if got := h.loads.Load() - before; got != 1 {
		t.Errorf("%d library loads, want 1 (only the role moderator's)", got)
	}
}

func TestReindexEmptyLibraryKeepsOldIndex(t *testing.T) {
	h := start(t, setup{})
	entries, _ := os.ReadDir(h.dir)
	for _, e := range entries {
		os.Remove(filepath.Join(h.dir, e.Name()))
	}
	if err := os.WriteFile(filepath.Join(h.dir, "notes.pdf"), []byte("%PDF"), 0o644); err != nil {
		t.Fatal(err)
	}
	sent := h.command(mod, "reindex")
	h.response(sent)
	r, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "PATCH", Path: sent.OriginalPath()})
	if err != nil {
		t.Fatal(err)
	}
	e := embedsOf(r.JSON())[0]
	if e["title"] != "Library not rebuilt" {
		t.Errorf("title %q", e["title"])
	}
	desc := e["description"].(string)
	contains(t, "report", desc, "no articles", "current library", "notes.pdf")
	if n := strings.Count(desc, "loaded no articles"); n != 1 {
		t.Errorf("the reason appears %d times in the report, want once:\n%s", n, desc)
	}
	if _, data := h.response(h.ask(alice, "does kefir help acne?", false)); embedsOf(data)[0]["title"] != kefirTitle {
		t.Errorf("the old index should still answer: %v", data)
	}
}

func TestCooldown(t *testing.T) {
	h := start(t, setup{cooldown: time.Hour})
	if _, data := h.response(h.ask(alice, "does kefir help acne?", false)); len(embedsOf(data)) != 1 {
		t.Fatalf("first question: %v", data)
	}
	typ, slow := h.response(h.ask(alice, "is milk bad for acne", false))
	if typ != 4 || flags(slow)&64 == 0 || !regexp.MustCompile(`Slow down.*in \d+ seconds`).MatchString(slow["content"].(string)) {
		t.Errorf("second question within the cooldown: type %d %v", typ, slow)
	}
	if _, data := h.response(h.ask(bob, "is milk bad for acne", false)); len(embedsOf(data)) != 1 {
		t.Errorf("another member is not affected: %v", data)
	}
	// A mention over the cooldown gets a ⏳ reaction, not a message.
	msg, err := h.fake.PostMessage(alice, "", "<@"+h.fake.BotUserID()+"> is milk bad for acne")
	if err != nil {
		t.Fatal(err)
	}
	r, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "PUT", Path: "/channels/*/messages/" + msg.ID + "/reactions/⏳/@me"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 204 {
		t.Errorf("reaction answered %d", r.Status)
	}
	if rs := h.fake.MessagesReplyingTo(msg.ID); len(rs) != 0 {
		t.Errorf("a mention over the cooldown got %d replies", len(rs))
	}
}

func TestGatewayDrop(t *testing.T) {
	t.Run("resume", func(t *testing.T) {
		h := start(t, setup{})
		h.fake.DropGateway()
		// An interaction sent while the bot is away is replayed on RESUME.
		sent := h.ask(alice, "does kefir help acne?", false)
		if _, err := h.fake.WaitGateway(h.ctx(), func(g discordfake.GatewayStatus) bool { return g.Resumes == 1 && g.Connected }); err != nil {
			t.Fatal(err)
		}
		if typ, data := h.response(sent); typ != 4 || len(embedsOf(data)) != 1 {
			t.Errorf("replayed interaction: type %d %v", typ, data)
		}
		if _, data := h.response(h.ask(bob, "is milk bad for acne", false)); len(embedsOf(data)) != 1 {
			t.Errorf("after the resume: %v", data)
		}
		waitConnected(t, h)
		if g := h.fake.Gateway(); g.Identifies != 1 {
			t.Errorf("%d IDENTIFYs, want 1 (resumed, not re-identified)", g.Identifies)
		}
	})
	t.Run("session invalidated: reconnect", func(t *testing.T) {
		h := start(t, setup{})
		h.fake.InvalidateNextResume()
		h.fake.DropGateway()
		if _, err := h.fake.WaitGateway(h.ctx(), func(g discordfake.GatewayStatus) bool { return g.Identifies == 2 && g.Connected }); err != nil {
			t.Fatal(err)
		}
		if _, data := h.response(h.ask(alice, "does kefir help acne?", false)); len(embedsOf(data)) != 1 {
			t.Errorf("after re-identifying: %v", data)
		}
		if n := len(h.fake.Find(discordfake.Match{Method: "PUT", Path: "/applications/**"})); n != 1 {
			t.Errorf("%d registrations, want 1: commands are registered once at start", n)
		}
		waitConnected(t, h)
	})
}

func waitConnected(t *testing.T, h *harness) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !h.bot.Connected() {
		if time.Now().After(deadline) {
			t.Fatal("Connected() stayed false after the gateway came back")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRateLimited(t *testing.T) {
	h := start(t, setup{})
	t.Run("429 as Discord sends it", func(t *testing.T) {
		h.fake.InjectFault(discordfake.Fault{Method: "POST", Path: "/interactions/*/*/callback", Status: 429, RetryAfter: 0.3})
		sent := h.ask(alice, "does kefir help acne?", false)
		if typ, _ := h.response(sent); typ != 4 {
			t.Fatalf("type %d", typ)
		}
		calls := h.fake.Find(discordfake.Match{Method: "POST", Path: sent.CallbackPath()})
		if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 204 {
			t.Fatalf("callbacks %v, want a 429 then a 204", calls)
		}
		if gap := calls[1].At.Sub(calls[0].At); gap < 300*time.Millisecond {
			t.Errorf("retried after %s, before retry_after (300ms)", gap)
		}
	})
	t.Run("429 with an HTML body and only the Retry-After header", func(t *testing.T) {
		h.fake.InjectFault(discordfake.Fault{Method: "POST", Path: "/interactions/*/*/callback", Status: 429,
			RetryAfterHeader: "1", Body: "<html><body>You are being rate limited.</body></html>"})
		sent := h.ask(bob, "does kefir help acne?", false)
		h.response(sent)
		calls := h.fake.Find(discordfake.Match{Method: "POST", Path: sent.CallbackPath()})
		if len(calls) != 2 || calls[1].At.Sub(calls[0].At) < time.Second {
			t.Errorf("callbacks %v, want a retry after the header's 1s", calls)
		}
	})
	t.Run("429 longer than the deadline is not waited for", func(t *testing.T) {
		h.fake.InjectFault(discordfake.Fault{Method: "POST", Path: "/interactions/*/*/callback", Status: 429, RetryAfter: 30})
		lost := h.ask(carol, "does kefir help acne?", false)
		h.waitLog(func(l map[string]any) bool { return l["msg"] == "reply not delivered" })
		if calls := h.fake.Find(discordfake.Match{Method: "POST", Path: lost.CallbackPath()}); len(calls) != 1 {
			t.Errorf("callbacks %v, want the one 429 and no retry", calls)
		}
		start := time.Now()
		if _, data := h.response(h.ask(alice, "is milk bad for acne", false)); len(embedsOf(data)) != 1 {
			t.Errorf("the bot should keep answering: %v", data)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("next answer took %s: the bot must not sleep on a long retry_after", d)
		}
	})
	t.Run("429 on a mention reply", func(t *testing.T) {
		h.fake.InjectFault(discordfake.Fault{Method: "POST", Path: "/channels/*/messages", Status: 429, RetryAfter: 0.2})
		msg, _ := h.fake.PostMessage(carol, "", "<@"+h.fake.BotUserID()+"> is milk bad for acne")
		if _, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "POST", Path: "/channels/*/messages", Status: 200}); err != nil {
			t.Fatal(err)
		}
		if rs := h.fake.MessagesReplyingTo(msg.ID); len(rs) != 1 {
			t.Errorf("%d replies after a 429, want 1", len(rs))
		}
	})
}

func TestServerError(t *testing.T) {
	h := start(t, setup{deferAfter: -1})
	h.fake.InjectFault(discordfake.Fault{Method: "POST", Path: "/interactions/*/*/callback", Status: 500})
	h.fake.InjectFault(discordfake.Fault{Method: "PATCH", Path: "/webhooks/*/*/messages/@original", Status: 502})
	sent := h.ask(alice, "does kefir help acne?", false)
	if typ, _ := h.response(sent); typ != 5 {
		t.Fatalf("type %d, want the deferral after a 500", typ)
	}
	edits, err := h.fake.WaitRequests(h.ctx(), discordfake.Match{Method: "PATCH", Path: sent.OriginalPath()}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if edits[0].Status != 502 || edits[1].Status != 200 {
		t.Errorf("edits %v, want a 502 then a 200", edits)
	}
	calls := h.fake.Find(discordfake.Match{Method: "POST", Path: sent.CallbackPath()})
	if len(calls) != 2 || calls[0].Status != 500 || calls[1].Status != 204 {
		t.Errorf("callbacks %v, want a 500 then a 204", calls)
	}
	if m, _ := sent.Original(); len(m.Embeds()) != 1 {
		t.Errorf("the answer did not arrive: %+v", m)
	}
}

func TestSlowRoute(t *testing.T) {
	h := start(t, setup{})
	t.Run("slow but in time", func(t *testing.T) {
		h.fake.InjectFault(discordfake.Fault{Method: "POST", Path: "/interactions/*/*/callback", Delay: 700 * time.Millisecond})
		if typ, _ := h.response(h.ask(alice, "does kefir help acne?", false)); typ != 4 {
			t.Errorf("type %d", typ)
		}
	})
	t.Run("slower than the deadline", func(t *testing.T) {
		h.fake.InjectFault(discordfake.Fault{Method: "POST", Path: "/interactions/*/*/callback", Delay: 6 * time.Second})
		lost := h.ask(bob, "does kefir help acne?", false)
		h.waitLog(func(l map[string]any) bool { return l["msg"] == "reply not delivered" })
		for _, r := range lost.Requests() {
			if r.Status != 0 {
				t.Errorf("%v: the bot should have given up within the deadline", r)
			}
		}
		if typ, _ := h.response(h.ask(carol, "is milk bad for acne", false)); typ != 4 {
			t.Errorf("the bot should keep answering: type %d", typ)
		}
	})
}

func TestShutdownFinishesRepliesInFlight(t *testing.T) {
	h := start(t, setup{})
	h.fake.InjectFault(discordfake.Fault{Method: "POST", Path: "/interactions/*/*/callback", Delay: 500 * time.Millisecond})
	sent := h.ask(alice, "does kefir help acne?", false)
	// Wait until the reply is on its way, then stop.
	if _, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "POST", Path: sent.CallbackPath(), Received: true}); err != nil {
		t.Fatal(err)
	}
	h.stop()
	calls := h.fake.Find(discordfake.Match{Method: "POST", Path: sent.CallbackPath()})
	if len(calls) != 1 || calls[0].Status != 204 {
		t.Errorf("callbacks %v: the reply in flight must finish before the bot stops", calls)
	}
	g := h.fake.Gateway()
	if len(g.CloseCodes) != 1 || g.CloseCodes[0] != 1000 {
		t.Errorf("close codes %v, want one normal closure (1000)", g.CloseCodes)
	}
	if h.bot.Connected() {
		t.Error("Connected() = true after Run returned")
	}
	h.waitLog(func(l map[string]any) bool { return l["msg"] == "bot stopped" })
}
