package bot_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gutskin/internal/discordfake"
)

const sunlightTitle = "Sunlight, vitamin D and the gut"

// webPageQuestion is answered by internal/webpage/testdata/blog-post.html
// (see its README) and by no article of testdata/library.
const webPageQuestion = "is rosacea linked to the gut?"

// libraryCommand sends /library SUB with its options.
func (h *harness) libraryCommand(m discordfake.Member, sub string, opts ...discordfake.Option) discordfake.Sent {
	h.t.Helper()
	return h.command(m, "library", discordfake.Option{Name: sub, Value: opts})
}

// edits waits for the n-th edit of an interaction's original response and
// returns its body.
func (h *harness) edits(sent discordfake.Sent, n int) map[string]any {
	h.t.Helper()
	rs, err := h.fake.WaitRequests(h.ctx(), discordfake.Match{Method: "PATCH", Path: sent.OriginalPath(), Status: 200}, n)
	if err != nil {
		h.t.Fatalf("edit %d of %s: %v; problems %v", n, sent.ID, err, h.fake.Problems())
	}
	body := rs[n-1].JSON()
	assertNoPing(h.t, body)
	return body
}

// preview runs /library add and returns the preview's message and its
// buttons.
func (h *harness) preview(m discordfake.Member, opt discordfake.Option) (discordfake.Message, map[string]any, map[string]string) {
	h.t.Helper()
	sent := h.libraryCommand(m, "add", opt)
	if typ, data := h.response(sent); typ != 5 || flags(data)&64 == 0 {
		h.t.Fatalf("add: type %d flags %d, want an ephemeral deferral", typ, flags(data))
	}
	body := h.edits(sent, 1)
	msg, ok := sent.Original()
	if !ok {
		h.t.Fatal("no preview message")
	}
	return msg, body, buttons(body)
}

// confirm presses a preview's button and returns the final edit.
func (h *harness) confirm(m discordfake.Member, msg discordfake.Message, customID string, edits int) map[string]any {
	h.t.Helper()
	sent := h.click(m, msg.ID, customID)
	if typ, _ := h.response(sent); typ != 6 {
		h.t.Fatalf("confirm: type %d, want a deferred update", typ)
	}
	return h.edits(sent, edits)
}

func (h *harness) answerTitle(m discordfake.Member, question string) string {
	h.t.Helper()
	_, data := h.response(h.ask(m, question, false))
	if es := embedsOf(data); len(es) > 0 {
		title, _ := es[0]["title"].(string)
		return title
	}
	return ""
}

func (h *harness) libraryFiles() []string {
	h.t.Helper()
	var out []string
	entries, _ := os.ReadDir(h.dir)
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// The whole round: add from an attachment, answer from it, remove it, no
// longer answer from it, restore it.
func TestLibraryAddRemoveRestore(t *testing.T) {
	h := start(t, setup{})
	const question = "can sunlight change gut bacteria?"
	if got := h.answerTitle(bob, question); got == sunlightTitle {
		t.Fatal("the library answers from the article before it is added")
	}
	data, err := os.ReadFile("testdata/extra/sunlight-and-the-gut.md")
	if err != nil {
		t.Fatal(err)
	}
	att := h.fake.AddAttachment("sunlight.md", "text/markdown; charset=utf-8", data)
	msg, body, btn := h.preview(mod, discordfake.Option{Name: "file", Value: att})
	es := embedsOf(body)
	if len(es) != 2 || es[0]["title"] != "Preview: "+sunlightTitle { // the preview, and the article's one passage
		t.Fatalf("preview embeds: %v", es)
	}
	contains(t, "preview", es[0]["description"].(string), "**From:** sunlight.md", "`sunlight-vitamin-d-and-the-gut.md`", "**Passages:**", "expires <t:")
	if es[1]["title"] != sunlightTitle || es[1]["description"] == "" {
		t.Errorf("first passage as members see it: %v", es[1])
	}
	if btn["Add"] == "" || btn["Cancel"] == "" {
		t.Fatalf("preview buttons: %v", btn)
	}
	if slices.Contains(h.libraryFiles(), "sunlight-vitamin-d-and-the-gut.md") {
		t.Fatal("the preview wrote the file")
	}

	final := h.confirm(mod, msg, btn["Add"], 1)
	contains(t, "add reply", final["content"].(string), "Added **"+sunlightTitle+"** as `sunlight-vitamin-d-and-the-gut.md`")
	if e := embedsOf(final); len(e) != 1 || e[0]["title"] != "Library rebuilt" {
		t.Errorf("add reply embeds: %v", e)
	}
	if c, _ := final["components"].([]any); len(c) != 0 {
		t.Errorf("the buttons stay after the add: %v", c)
	}
	if got := h.answerTitle(bob, question); got != sunlightTitle {
		t.Errorf("after the add, answered from %q", got)
	}

	// Remove: autocomplete offers the title, with the slug as value.
	ac, err := h.fake.Autocomplete(mod, "", "library", discordfake.Option{Name: "remove", Value: []discordfake.Option{{Name: "article", Value: "sunl", Focused: true}}})
	if err != nil {
		t.Fatal(err)
	}
	_, acData := h.response(ac)
	choices, _ := acData["choices"].([]any)
	if len(choices) != 1 || choices[0].(map[string]any)["value"] != "sunlight-vitamin-d-and-the-gut" || choices[0].(map[string]any)["name"] != sunlightTitle {
		t.Fatalf("autocomplete: %v", acData)
	}
	sent := h.libraryCommand(mod, "remove", discordfake.Option{Name: "article", Value: "sunlight-vitamin-d-and-the-gut"})
	h.response(sent)
	ask := h.edits(sent, 1)
	contains(t, "remove question", ask["content"].(string), "Remove **"+sunlightTitle+"**")
	askMsg, _ := sent.Original()
	final = h.confirm(mod, askMsg, buttons(ask)["Remove"], 1)
	contains(t, "remove reply", final["content"].(string), "Removed **"+sunlightTitle+"**")
	if slices.Contains(h.libraryFiles(), "sunlight-vitamin-d-and-the-gut.md") {
		t.Error("the file is still in the library")
	}
	if got := h.answerTitle(bob, question); got == sunlightTitle {
		t.Error("after the remove, still answered from the removed article")
	}

	// Restore, directly.
	sent = h.libraryCommand(mod, "restore", discordfake.Option{Name: "article", Value: "sunlight-vitamin-d-and-the-gut"})
	h.response(sent)
	final = h.edits(sent, 1)
	contains(t, "restore reply", final["content"].(string), "Restored **"+sunlightTitle+"**")
	if got := h.answerTitle(bob, question); got != sunlightTitle {
		t.Errorf("after the restore, answered from %q", got)
	}

	// List shows the library, privately.
	sent = h.libraryCommand(mod, "list")
	if _, data := h.response(sent); flags(data)&64 == 0 {
		t.Errorf("list is not private: %v", data)
	}
	list := h.edits(sent, 1)
	if e := embedsOf(list); len(e) != 1 || !strings.Contains(e[0]["description"].(string), sunlightTitle) {
		t.Errorf("list: %v", list)
	}
}

// An update of an article says what changes and keeps the old version.
func TestLibraryUpdate(t *testing.T) {
	h := start(t, setup{})
	old, err := os.ReadFile(filepath.Join(h.dir, "kefir-and-the-skin.md"))
	if err != nil {
		t.Fatal(err)
	}
	updated := bytes.Replace(old, []byte("\n## "), []byte("\n## Where to buy it\n\nSupermarkets sell kefir in the dairy aisle next to the yogurt.\n\n## "), 1)
	att := h.fake.AddAttachment("kefir-new.md", "text/markdown", updated)
	msg, body, btn := h.preview(mod, discordfake.Option{Name: "file", Value: att})
	desc := embedsOf(body)[0]["description"].(string)
	contains(t, "update preview", desc, "**This updates** `kefir-and-the-skin.md`", "new sections: Where to buy it")
	if btn["Update"] == "" {
		t.Fatalf("buttons %v", btn)
	}
	final := h.confirm(mod, msg, btn["Update"], 1)
	contains(t, "update reply", final["content"].(string), "Updated **", "previous version is kept")
	now, _ := os.ReadFile(filepath.Join(h.dir, "kefir-and-the-skin.md"))
	if !bytes.Equal(now, updated) {
		t.Error("the library file was not updated")
	}
	contains(t, "report", embedsOf(final)[0]["description"].(string), "0 added, 0 removed, 1 changed")
}

func TestLibraryAddFromWebPage(t *testing.T) {
	page, err := os.ReadFile("../internal/webpage/testdata/blog-post.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()
	h := start(t, setup{})
	msg, body, btn := h.preview(mod, discordfake.Option{Name: "url", Value: srv.URL + "/blog/post"})
	es := embedsOf(body)
	title := strings.TrimPrefix(es[0]["title"].(string), "Preview: ")
	if title == "" || strings.Contains(title, "|") {
		t.Fatalf("preview title %q", title)
	}
	contains(t, "web preview", es[0]["description"].(string), "**Source:** ["+srv.URL+"/blog/post]")
	if refs := field(es[0], "References found"); !strings.Contains(refs, "[1]") {
		t.Errorf("references found: %q", refs)
	}
	h.confirm(mod, msg, btn["Add"], 1)
	var written []byte
	for _, f := range h.libraryFiles() {
		data, _ := os.ReadFile(filepath.Join(h.dir, f))
		if strings.Contains(string(data), "source: "+srv.URL) {
			written = data
		}
	}
	if written == nil {
		t.Fatalf("no library file records the page's URL: %v", h.libraryFiles())
	}
	lower := strings.ToLower(string(written))
	for _, chrome := range []string{"cookie", "newsletter", "share:", "related posts", "©"} {
		if strings.Contains(lower, chrome) {
			t.Errorf("page chrome %q survived into the article", chrome)
		}
	}
	if got := h.answerTitle(bob, webPageQuestion); got != title {
		t.Errorf("%q answered from %q, want the added page %q", webPageQuestion, got, title)
	}
}

func TestLibraryRefusals(t *testing.T) {
	h := start(t, setup{})
	before := h.libraryFiles()
	ok, _ := os.ReadFile("testdata/extra/sunlight-and-the-gut.md")

	// A member who is not a moderator.
	_, data := h.response(h.libraryCommand(alice, "list"))
	if !strings.Contains(data["content"].(string), "Only the library's moderators") || flags(data)&64 == 0 {
		t.Errorf("member: %v", data)
	}

	// Hostile files: each refused with its reason, nothing written.
	for name, tt := range map[string]struct {
		file string
		body []byte
		want string
	}{
		"binary":        {"photo.md", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "binary content"},
		"5 MiB":         {"huge.md", bytes.Repeat([]byte("kefir "), 5<<20/6), "at most 1 MiB"},
		"invalid UTF-8": {"latin1.txt", []byte("Caf\xe9 and the gut\n\nA caf\xe9 sells kefir.\n"), "invalid UTF-8"},
		"a PDF":         {"paper.pdf", []byte("%PDF-1.7"), "only .md and .txt"},
	} {
		att := h.fake.AddAttachment(tt.file, "application/octet-stream", tt.body)
		sent := h.libraryCommand(mod, "add", discordfake.Option{Name: "file", Value: att})
		h.response(sent)
		body := h.edits(sent, 1)
		if c := body["content"].(string); !strings.HasPrefix(c, "Not added: ") || !strings.Contains(c, tt.want) || !strings.Contains(c, "Nothing was written") {
			t.Errorf("%s: %q", name, c)
		}
	}
	if got := h.libraryFiles(); !slices.Equal(got, before) {
		t.Errorf("refused files changed the library: %v", got)
	}

	// A preview confirmed by someone else, even another moderator.
	att := h.fake.AddAttachment("sunlight.md", "text/markdown", ok)
	msg, _, btn := h.preview(mod, discordfake.Option{Name: "file", Value: att})
	sent := h.click(mod2, msg.ID, btn["Add"])
	_, data = h.response(sent)
	if !regexp.MustCompile(`Only <@` + mod.UserID + `>, who asked for this preview`).MatchString(data["content"].(string)) {
		t.Errorf("someone else's confirmation: %v", data)
	}
	assertNoPing(t, data)
	if got := h.libraryFiles(); !slices.Equal(got, before) {
		t.Errorf("someone else's confirmation wrote: %v", got)
	}
	// Cancel by the owner writes nothing, and the preview is then used up.
	sent = h.click(mod, msg.ID, btn["Cancel"])
	if typ, data := h.response(sent); typ != 7 || !strings.Contains(data["content"].(string), "Cancelled") {
		t.Errorf("cancel: %d %v", typ, data)
	}
	_, data = h.response(h.click(mod, msg.ID, btn["Add"]))
	if !strings.Contains(data["content"].(string), "expired or was already used") {
		t.Errorf("add after cancel: %v", data)
	}
	if got := h.libraryFiles(); !slices.Equal(got, before) {
		t.Errorf("a cancelled preview wrote: %v", got)
	}

	// Both a file and a URL, or neither.
	_, data = h.response(h.libraryCommand(mod, "add"))
	contains(t, "no source", data["content"].(string), "Attach a .md or .txt file")
}

func TestLibraryPreviewExpires(t *testing.T) {
	h := start(t, setup{previewTTL: 200 * time.Millisecond})
	before := h.libraryFiles()
	data, _ := os.ReadFile("testdata/extra/sunlight-and-the-gut.md")
	msg, _, btn := h.preview(mod, discordfake.Option{Name: "file", Value: h.fake.AddAttachment("sunlight.md", "text/markdown", data)})
	time.Sleep(300 * time.Millisecond)
	_, reply := h.response(h.click(mod, msg.ID, btn["Add"]))
	if !strings.Contains(reply["content"].(string), "expired") {
		t.Errorf("expired preview: %v", reply)
	}
	if got := h.libraryFiles(); !slices.Equal(got, before) {
		t.Errorf("an expired preview wrote: %v", got)
	}
}

// An add while /reindex runs waits for it, and says so.
func TestLibraryAddWaitsForARebuild(t *testing.T) {
	h := start(t, setup{})
	data, _ := os.ReadFile("testdata/extra/sunlight-and-the-gut.md")
	msg, _, btn := h.preview(mod, discordfake.Option{Name: "file", Value: h.fake.AddAttachment("sunlight.md", "text/markdown", data)})

	entered, release := h.holdLoads()
	defer release()
	reindex := h.command(mod2, "reindex")
	h.response(reindex)
	<-entered

	sent := h.click(mod, msg.ID, btn["Add"])
	h.response(sent)
	waiting := h.edits(sent, 1)
	if !regexp.MustCompile(`library change started by <@` + mod2.UserID + `> <t:\d+:R> is still running; your add waits`).MatchString(waiting["content"].(string)) {
		t.Errorf("waiting notice: %v", waiting)
	}
	if slices.Contains(h.libraryFiles(), "sunlight-vitamin-d-and-the-gut.md") {
		t.Error("the add did not wait for the rebuild")
	}
	release()
	final := h.edits(sent, 2)
	contains(t, "add after the wait", final["content"].(string), "Added **"+sunlightTitle+"**")
	if got := h.answerTitle(bob, "can sunlight change gut bacteria?"); got != sunlightTitle {
		t.Errorf("after the add, answered from %q", got)
	}
}
