package bot_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gutskin/internal/discordfake"
)

const kefirTitle = "Kefir and the skin: what one small trial found"

func TestReadyAndRegistration(t *testing.T) {
	t.Run("dev guild is also the moderation guild", func(t *testing.T) {
		h := start(t, setup{})
		gw := h.fake.Gateway()
		if gw.Identifies != 1 || !gw.Connected {
			t.Errorf("gateway %+v, want one IDENTIFY and connected", gw)
		}
		const guildMessages, directMessages, messageContent = 1 << 9, 1 << 12, 1 << 15
		if gw.Intents&guildMessages == 0 || gw.Intents&directMessages == 0 || gw.Intents&messageContent != 0 {
			t.Errorf("intents %b: want guild and direct messages, and never MESSAGE_CONTENT", gw.Intents)
		}
		if !h.bot.Connected() {
			t.Error("Connected() = false after READY")
		}
		puts := h.fake.Find(discordfake.Match{Method: "PUT", Path: "/applications/**"})
		if len(puts) != 1 || puts[0].Path != "/applications/"+h.fake.AppID()+"/guilds/"+guildID+"/commands" {
			t.Fatalf("registration requests %v, want one guild bulk overwrite", puts)
		}
		var cmds []map[string]any
		if err := puts[0].Decode(&cmds); err != nil {
			t.Fatal(err)
		}
		names := map[string]map[string]any{}
		for _, c := range cmds {
			names[c["name"].(string)] = c
		}
		for _, n := range []string{"ask", "sources", "help", "Find sources", "reindex"} {
			if names[n] == nil {
				t.Errorf("command %q not registered (got %v)", n, cmds)
			}
		}
		// With a moderator role configured, Discord must not hide /reindex
		// from members without Manage Server: the handler gates it.
		if p, set := names["reindex"]["default_member_permissions"]; set && p != nil {
			t.Errorf("reindex default_member_permissions = %v, want none: moderator roles are configured", p)
		}
		if names["Find sources"]["type"] != float64(3) {
			t.Errorf("Find sources type = %v, want 3 (message command)", names["Find sources"]["type"])
		}
		q := names["ask"]["options"].([]any)[0].(map[string]any)
		if q["name"] != "question" || q["autocomplete"] != true || q["required"] != true {
			t.Errorf("ask's question option = %v", q)
		}
		for _, r := range h.fake.Requests() {
			if strings.Contains(r.Path, "/commands") && r.Method != "PUT" {
				t.Errorf("commands must only be bulk-overwritten, saw %s", r)
			}
		}
	})
	t.Run("global commands and a separate moderation guild", func(t *testing.T) {
		h := start(t, setup{guildID: "-", modGuildID: otherGuild})
		if _, err := h.fake.WaitRequests(h.ctx(), discordfake.Match{Method: "PUT", Path: "/applications/**"}, 2); err != nil {
			t.Fatal(err)
		}
		global, ok := h.fake.Commands("")
		if !ok || strings.Contains(string(global), "reindex") || !strings.Contains(string(global), `"ask"`) {
			t.Errorf("global commands = %s, want the member commands without reindex", global)
		}
		mod, ok := h.fake.Commands(otherGuild)
		if !ok || !strings.Contains(string(mod), `"reindex"`) || strings.Contains(string(mod), `"ask"`) {
			t.Errorf("moderation guild commands = %s, want reindex only", mod)
		}
	})
	t.Run("no moderation guild: no reindex", func(t *testing.T) {
		h := start(t, setup{guildID: "-"})
		global, _ := h.fake.Commands("")
		if strings.Contains(string(global), "reindex") {
			t.Errorf("reindex registered without a moderation guild: %s", global)
		}
		if n := len(h.fake.Find(discordfake.Match{Method: "PUT", Path: "/applications/**"})); n != 1 {
			t.Errorf("%d bulk overwrites, want 1", n)
		}
	})
}

func TestAskAnswersWithPassageAndReferences(t *testing.T) {
	h := start(t, setup{})
	sent := h.ask(alice, "Does kefir help acne?", false)
	typ, data := h.response(sent)
	if typ != 4 {
		t.Fatalf("response type %d, want 4 (answered directly: the search is quick)", typ)
	}
	if flags(data)&64 != 0 {
		t.Error("a public /ask answered ephemerally")
	}
	assertNoPing(t, data)
	es := embedsOf(data)
	if len(es) != 1 {
		t.Fatalf("%d embeds, want 1", len(es))
	}
	e := es[0]
	if e["title"] != kefirTitle || e["url"] != "https://example.org/gutskin-fixtures/kefir-and-the-skin" {
		t.Errorf("title %q url %q", e["title"], e["url"])
	}
	desc := e["description"].(string)
	contains(t, "description", desc, "*Does kefir help acne?*", "No study in this library tested", "**kefir**")
	contains(t, "Sources field", field(e, "Sources"), "**[1]**", "Alves E", "doi.org/10.3390/life12071075", "(<https://doi.org/10.3390/life12071075>)")
	contains(t, "footer", footer(e), "Not medical advice", "Answer 1 of")
	b := buttons(data)
	if b["Next answer"] == "" || b["👍"] == "" || b["👎"] == "" {
		t.Errorf("buttons %v, want Next answer, 👍, 👎", b)
	}
	for label, id := range b {
		if len(id) > 100 {
			t.Errorf("button %s custom_id is %d characters", label, len(id))
		}
	}
	line := h.waitLog(func(l map[string]any) bool { return l["msg"] == "interaction" && l["kind"] == "ask" })
	if line["outcome"] != "answer" || line["passage"] == "" || line["latency_ms"] == nil {
		t.Errorf("log line %v: want outcome answer, a passage ID and latency", line)
	}
}

func TestAskPrivate(t *testing.T) {
	h := start(t, setup{})
	typ, data := h.response(h.ask(alice, "is milk bad for acne", true))
	if typ != 4 || flags(data)&64 == 0 {
		t.Fatalf("type %d flags %d, want 4 with the ephemeral flag 64", typ, flags(data))
	}
	e := embedsOf(data)[0]
	if e["title"] != "Diet and acne: the trials in brief" {
		t.Errorf("title %q", e["title"])
	}
	contains(t, "description", e["description"].(string), "Milk, dairy and acne", "78,529")
}

func TestLongReferenceListEndsInMore(t *testing.T) {
	h := start(t, setup{})
	_, data := h.response(h.ask(alice, "diet and acne evidence in brief?", false))
	e := embedsOf(data)[0]
	src := field(e, "Sources")
	if len([]rune(src)) > 1024 {
		t.Errorf("Sources field is %d characters, over 1024", len([]rune(src)))
	}
	if !regexp.MustCompile(`\n\+\d more$`).MatchString(src) {
		t.Errorf("five long references should end in \"+N more\":\n%s", src)
	}
	contains(t, "Sources", src, "**[1]** Meixiong J")
}

func TestAnswerWithEveryoneNeverPings(t *testing.T) {
	h := start(t, setup{})
	_, data := h.response(h.ask(alice, "How are new articles announced?", false))
	assertNoPing(t, data)
	raw, _ := json.Marshal(data)
	if !strings.Contains(string(raw), `"allowed_mentions":{"parse":[]`) {
		t.Errorf(`body lacks "allowed_mentions":{"parse":[]: %s`, raw)
	}
	desc := embedsOf(data)[0]["description"].(string)
	contains(t, "description", desc, "@everyone", "<@123>")

	// The same passage as a reply to a mention.
	msg, err := h.fake.PostMessage(bob, "", "<@"+h.fake.BotUserID()+"> how are new articles announced?")
	if err != nil {
		t.Fatal(err)
	}
	r, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "POST", Path: "/channels/*/messages"})
	if err != nil {
		t.Fatal(err)
	}
	body := r.JSON()
	assertNoPing(t, body)
	if am := body["allowed_mentions"].(map[string]any); am["replied_user"] != false {
		t.Errorf("replied_user = %v, want false", am["replied_user"])
	}
	if ref := body["message_reference"].(map[string]any); ref["message_id"] != msg.ID {
		t.Errorf("reply references %v, want %s", ref["message_id"], msg.ID)
	}
	contains(t, "reply", embedsOf(body)[0]["description"].(string), "@everyone")
}

func TestMention(t *testing.T) {
	h := start(t, setup{})
	bot := "<@" + h.fake.BotUserID() + ">"
	// Ignored: no mention, another user's mention, a bot's message.
	if _, err := h.fake.PostMessage(alice, "", "does kefir help acne?"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.PostMessage(alice, "", "<@123> does kefir help acne?"); err != nil {
		t.Fatal(err)
	}
	msg, err := h.fake.PostMessage(bob, "", bot+" does kefir help acne?")
	if err != nil {
		t.Fatal(err)
	}
	r, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "POST", Path: "/channels/" + discordfake.DefaultChannelID + "/messages"})
	if err != nil {
		t.Fatal(err)
	}
	body := r.JSON()
	if ref := body["message_reference"].(map[string]any); ref["message_id"] != msg.ID || ref["fail_if_not_exists"] != false {
		t.Errorf("message_reference %v", ref)
	}
	e := embedsOf(body)[0]
	if e["title"] != kefirTitle {
		t.Errorf("title %q", e["title"])
	}
	replies := h.fake.MessagesReplyingTo(msg.ID)
	if len(replies) != 1 {
		t.Fatalf("%d replies to the mention, want 1", len(replies))
	}
	// Next answer on the mention reply, by the member who asked, edits it.
	typ, data := h.response(h.click(bob, replies[0].ID, buttons(body)["Next answer"]))
	if typ != 7 {
		t.Errorf("Next answer by the asker: type %d, want 7 (update)", typ)
	}
	contains(t, "footer", footer(embedsOf(data)[0]), "Answer 2 of")
	if n := len(h.fake.Find(discordfake.Match{Method: "POST", Path: "/channels/*/messages"})); n != 1 {
		t.Errorf("%d channel messages, want 1: messages without a mention of the bot get no reply", n)
	}

	// A bare mention gets a hint.
	msg2, _ := h.fake.PostMessage(carol, "", bot)
	if _, err := h.fake.WaitRequests(h.ctx(), discordfake.Match{Method: "POST", Path: "/channels/*/messages"}, 2); err != nil {
		t.Fatal(err)
	}
	if rs := h.fake.MessagesReplyingTo(msg2.ID); len(rs) != 1 || !strings.Contains(rs[0].Content(), "/ask") {
		t.Errorf("bare mention replies %v", rs)
	}
}

func TestFindSources(t *testing.T) {
	h := start(t, setup{})
	target, err := h.fake.PostMessage(bob, "", "does kefir help acne?")
	if err != nil {
		t.Fatal(err)
	}
	sent, err := h.fake.MessageCommand(alice, "Find sources", target)
	if err != nil {
		t.Fatal(err)
	}
	typ, data := h.response(sent)
	if typ != 4 || flags(data)&64 == 0 {
		t.Fatalf("type %d flags %d, want an ephemeral answer", typ, flags(data))
	}
	if e := embedsOf(data); len(e) != 1 || e[0]["title"] != kefirTitle {
		t.Errorf("embeds %v", e)
	}
	if n := len(h.fake.Find(discordfake.Match{Method: "POST", Path: "/channels/*/messages"})); n != 0 {
		t.Errorf("Find sources posted %d channel messages", n)
	}
}

func TestButtons(t *testing.T) {
	h := start(t, setup{})
	sent := h.ask(alice, "does kefir help acne?", false)
	_, data := h.response(sent)
	first := buttons(data)
	orig, ok := sent.Original()
	if !ok {
		t.Fatal("no original message")
	}
	firstTitle := embedsOf(data)[0]["description"].(string)

	// Next answer by someone else: shown to them alone; the asker's message stays.
	typ, other := h.response(h.click(bob, orig.ID, first["Next answer"]))
	if typ != 4 || flags(other)&64 == 0 {
		t.Errorf("Next answer by another member: type %d flags %d, want an ephemeral message", typ, flags(other))
	}
	contains(t, "footer", footer(embedsOf(other)[0]), "Answer 2 of")

	// Next answer by the asker: the message itself moves on.
	typ, next := h.response(h.click(alice, orig.ID, first["Next answer"]))
	if typ != 7 {
		t.Fatalf("Next answer by the asker: type %d, want 7", typ)
	}
	assertNoPing(t, next)
	if d := embedsOf(next)[0]["description"].(string); d == firstTitle || !strings.Contains(d, "measured") {
		t.Errorf("Next answer shows %q", d)
	}
	second := buttons(next)
	if second["👍"] == first["👍"] {
		t.Error("feedback buttons should name the new passage")
	}

	// Feedback: once per member and passage.
	_, up := h.response(h.click(alice, orig.ID, first["👍"]))
	if flags(up)&64 == 0 || !strings.Contains(up["content"].(string), "Thanks") {
		t.Errorf("👍 reply %v", up)
	}
	_, again := h.response(h.click(alice, orig.ID, first["👎"]))
	if !strings.Contains(again["content"].(string), "already rated") {
		t.Errorf("second vote by the same member: %v", again["content"])
	}
	_, down := h.response(h.click(bob, orig.ID, first["👎"]))
	if !strings.Contains(down["content"].(string), "did not help") {
		t.Errorf("👎 by another member: %v", down["content"])
	}
	votes := 0
	for _, l := range h.logLines() {
		if l["msg"] == "feedback" {
			votes++
			if l["passage"] == "" {
				t.Errorf("feedback logged without a passage: %v", l)
			}
		}
	}
	if votes != 2 {
		t.Errorf("%d feedback records, want 2 (the repeat is not counted)", votes)
	}

	// After a restart (or on another replica): Next answer reads the
	// passages its button names, and shows carol the next one privately;
	// a button that names none says it expired; feedback still works.
	h.stop()
	h.run()
	_, next = h.response(h.click(carol, orig.ID, second["Next answer"]))
	if es := embedsOf(next); flags(next)&64 == 0 || len(es) != 1 || !strings.HasSuffix(footer(es[0]), "Answer 3 of 5") {
		t.Errorf("Next answer after a restart: %v", next)
	}
	old := second["Next answer"][:strings.LastIndexByte(second["Next answer"], ':')]
	_, expired := h.response(h.click(carol, orig.ID, old))
	if flags(expired)&64 == 0 || !strings.Contains(expired["content"].(string), "expired") {
		t.Errorf("Next answer naming no passage, after a restart: %v", expired)
	}
	_, after := h.response(h.click(carol, orig.ID, second["👍"]))
	if !strings.Contains(after["content"].(string), "Thanks") {
		t.Errorf("👍 after a restart: %v", after["content"])
	}
}

func TestAutocomplete(t *testing.T) {
	h := start(t, setup{cooldown: time.Hour})
	for _, prefix := range []string{"ke", ""} {
		sent, err := h.fake.Autocomplete(alice, "", "ask", discordfake.Option{Name: "question", Value: prefix, Focused: true})
		if err != nil {
			t.Fatal(err)
		}
		typ, data := h.response(sent)
		if typ != 8 {
			t.Fatalf("type %d, want 8", typ)
		}
		choices, ok := data["choices"].([]any)
		if !ok || len(choices) == 0 || len(choices) > 25 {
			t.Fatalf("prefix %q: choices %v", prefix, data["choices"])
		}
		for _, c := range choices {
			name := c.(map[string]any)["name"].(string)
			if n := len([]rune(name)); n < 1 || n > 100 {
				t.Errorf("choice %q is %d characters", name, n)
			}
		}
		if prefix == "ke" && choices[0].(map[string]any)["name"] != kefirTitle {
			t.Errorf("first choice for %q = %v, want the kefir article", prefix, choices[0])
		}
	}
	// Autocomplete does not count against the cooldown.
	if typ, data := h.response(h.ask(alice, "does kefir help acne?", false)); typ != 4 || len(embedsOf(data)) != 1 {
		t.Errorf("ask after autocomplete: type %d data %v", typ, data)
	}
}

func TestNoAnswer(t *testing.T) {
	h := start(t, setup{})
	typ, data := h.response(h.ask(alice, "how do I fix my car brakes?", false))
	if typ != 4 || flags(data)&64 == 0 {
		t.Errorf("no-answer: type %d flags %d, want an ephemeral message", typ, flags(data))
	}
	if len(embedsOf(data)) != 0 || len(buttons(data)) != 0 {
		t.Errorf("no-answer must not show a passage: %v", data)
	}
	contains(t, "no-answer", data["content"].(string), "couldn't find a confident answer", "/sources")
	assertNoPing(t, data)

	_, urgent := h.response(h.ask(alice, "chest pain after kefir", false))
	contains(t, "urgent no-answer", urgent["content"].(string), "seek medical care", "couldn't find")
}

func TestDeferredReplies(t *testing.T) {
	h := start(t, setup{deferAfter: -1}) // defer every answer at once
	t.Run("public answer", func(t *testing.T) {
		sent := h.ask(alice, "does kefir help acne?", false)
		if typ, data := h.response(sent); typ != 5 || flags(data)&64 != 0 {
			t.Fatalf("deferral type %d flags %d, want a public type 5", typ, flags(data))
		}
		r, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "PATCH", Path: sent.OriginalPath()})
		if err != nil {
			t.Fatal(err)
		}
		body := r.JSON()
		assertNoPing(t, body)
		if e := embedsOf(body); len(e) != 1 || e[0]["title"] != kefirTitle {
			t.Errorf("edit embeds %v", e)
		}
		if m, _ := sent.Original(); m.Loading() || m.Ephemeral() {
			t.Errorf("original after the edit: %+v", m)
		}
	})
	t.Run("private answer", func(t *testing.T) {
		sent := h.ask(bob, "does kefir help acne?", true)
		if typ, data := h.response(sent); typ != 5 || flags(data)&64 == 0 {
			t.Fatalf("deferral type %d flags %d, want an ephemeral type 5", typ, flags(data))
		}
		if _, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "PATCH", Path: sent.OriginalPath()}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("public deferral, then no answer", func(t *testing.T) {
		sent := h.ask(carol, "how do I fix my car brakes?", false)
		if typ, data := h.response(sent); typ != 5 || flags(data)&64 != 0 {
			t.Fatalf("deferral type %d flags %d", typ, flags(data))
		}
		del, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "DELETE", Path: sent.OriginalPath()})
		if err != nil {
			t.Fatal(err)
		}
		fu, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "POST", Path: sent.FollowupPath()})
		if err != nil {
			t.Fatal(err)
		}
		if fu.Seq < del.Seq {
			t.Error("the follow-up came before the deferred reply was deleted")
		}
		body := fu.JSON()
		if flags(body)&64 == 0 || !strings.Contains(body["content"].(string), "couldn't find") {
			t.Errorf("follow-up %v, want the ephemeral no-answer", body)
		}
		assertNoPing(t, body)
		if n := len(h.fake.Find(discordfake.Match{Method: "PATCH", Path: sent.OriginalPath()})); n != 0 {
			t.Errorf("the public deferred reply was edited %d times; the no-answer must stay private", n)
		}
	})
	t.Run("public deferral, then no answer, delete refused", func(t *testing.T) {
		// Discord makes the first follow-up to a deferral an edit of it,
		// ephemeral flag or not; so the public reply is settled first.
		h.fake.InjectFault(discordfake.Fault{Method: "DELETE", Path: "/webhooks/*/*/messages/@original", Status: 403})
		sent := h.ask(carol, "how do I fix my car brakes?", false)
		h.response(sent)
		edit, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "PATCH", Path: sent.OriginalPath()})
		if err != nil {
			t.Fatal(err)
		}
		fu, err := h.fake.WaitRequest(h.ctx(), discordfake.Match{Method: "POST", Path: sent.FollowupPath()})
		if err != nil {
			t.Fatal(err)
		}
		if fu.Seq < edit.Seq {
			t.Error("the private follow-up came before the public deferred reply was settled")
		}
		if got := edit.JSON()["content"]; got != "Replied privately." {
			t.Errorf("public deferred reply edited to %q, want the neutral line", got)
		}
		if m, _ := sent.Original(); m.Loading() || strings.Contains(m.Content(), "couldn't find") {
			t.Errorf("public original after the refused delete: %+v", m)
		}
		if body := fu.JSON(); flags(body)&64 == 0 || !strings.Contains(body["content"].(string), "couldn't find") {
			t.Errorf("follow-up %v, want the ephemeral no-answer", body)
		}
	})
}

func TestSourcesAndHelp(t *testing.T) {
	lib := t.TempDir()
	for i := 1; i <= 23; i++ {
		text := fmt.Sprintf("---\ntitle: \"Fixture article %02d\"\nsource: https://example.org/gutskin-fixtures/a%02d\nauthor: gutskin test fixtures\n---\n\n## Section %02d\n\n"+
			"This fixture article number %02d exists only so the sources list has several pages to turn through, and its words are plain filler about nothing in particular.\n", i, i, i, i)
		if err := os.WriteFile(filepath.Join(lib, fmt.Sprintf("a%02d.md", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := start(t, setup{library: lib})
	typ, data := h.response(h.command(alice, "sources"))
	if typ != 4 || flags(data)&64 == 0 {
		t.Fatalf("type %d flags %d", typ, flags(data))
	}
	e := embedsOf(data)[0]
	contains(t, "sources", e["title"].(string), "23 articles")
	contains(t, "sources", e["description"].(string), "[Fixture article 01](<https://example.org/gutskin-fixtures/a01>)")
	contains(t, "footer", footer(e), "Page 1 of 3")
	b := buttons(data)
	if b["Next ▶"] == "" || b["◀ Previous"] != "" {
		t.Fatalf("page 1 buttons %v", b)
	}
	sent := h.command(alice, "sources")
	h.response(sent)
	orig, _ := sent.Original()
	typ, page2 := h.response(h.click(alice, orig.ID, b["Next ▶"]))
	if typ != 7 {
		t.Fatalf("paging type %d, want 7", typ)
	}
	contains(t, "page 2", embedsOf(page2)[0]["description"].(string), "Fixture article 11")
	contains(t, "page 2 footer", footer(embedsOf(page2)[0]), "Page 2 of 3")

	typ, help := h.response(h.command(alice, "help"))
	if typ != 4 || flags(help)&64 == 0 {
		t.Errorf("help type %d flags %d", typ, flags(help))
	}
	contains(t, "help", embedsOf(help)[0]["description"].(string), "/ask", "Find sources")
}
