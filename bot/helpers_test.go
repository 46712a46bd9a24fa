package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"gutskin/corpus"
)

func TestTextLen(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0}, {"abc", 3}, {"é", 1}, {"–", 1}, {"👍", 2}, {"a👍b", 4}, {"\xff", 1},
	} {
		if got := textLen(tc.s); got != tc.want {
			t.Errorf("textLen(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
	if got := cut("a👍b", 2); got != "a" {
		t.Errorf("cut must not split a surrogate pair: %q", got)
	}
}

func TestRenderPassage(t *testing.T) {
	const src = "https://example.org/a"
	long := strings.Repeat("Kefir is a fermented milk drink. ", 20) // 660 bytes, 20 sentences
	for _, tc := range []struct {
		name       string
		text       string
		highlights []corpus.Span
		budget     int
		want       string // exact, when set
		suffix     string
		contains   []string
	}{
		{name: "short, highlighted", text: "Kefir is a fermented milk drink.", highlights: []corpus.Span{{Start: 0, End: 5}, {Start: 21, End: 25}}, budget: 100,
			want: "**Kefir** is a fermented **milk** drink."},
		{name: "markdown escaped", text: "Use *stars* and _under_scores_ | pipes.", budget: 100,
			want: `Use \*stars\* and \_under\_scores\_ \| pipes.`},
		{name: "cut at a sentence", text: long, budget: 120, suffix: "drink. … [Read more](<https://example.org/a>)"},
		{name: "first sentence too long: cut at a word", text: strings.Repeat("word ", 100), budget: 80, suffix: " … [Read more](<https://example.org/a>)"},
		{name: "no link when the source is not a URL", text: long, budget: 100, suffix: "drink. …"},
		{name: "bad highlights ignored", text: "Kefir is good.", highlights: []corpus.Span{{Start: 5, End: 2}, {Start: -1, End: 3}, {Start: 0, End: 99}, {Start: 9, End: 13}}, budget: 100,
			want: "Kefir is **good**."},
		{name: "highlight at the cut", text: long, highlights: []corpus.Span{{Start: 0, End: 5}, {Start: 600, End: 650}}, budget: 150, contains: []string{"**Kefir**"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			source := src
			if strings.Contains(tc.name, "no link") {
				source = "not a url"
			}
			got := renderPassage(tc.text, tc.highlights, tc.budget, source)
			if textLen(got) > tc.budget {
				t.Errorf("%d characters, over the budget %d: %q", textLen(got), tc.budget, got)
			}
			if tc.want != "" && got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if tc.suffix != "" && !strings.HasSuffix(got, tc.suffix) {
				t.Errorf("%q does not end in %q", got, tc.suffix)
			}
			for _, c := range tc.contains {
				if !strings.Contains(got, c) {
					t.Errorf("%q lacks %q", got, c)
				}
			}
			if strings.Count(got, "**")%2 != 0 {
				t.Errorf("unbalanced bold markers: %q", got)
			}
		})
	}
}

func TestPackLines(t *testing.T) {
	lines := []string{strings.Repeat("a", 300), strings.Repeat("b", 300), strings.Repeat("c", 300), strings.Repeat("d", 300), "e"}
	for _, tc := range []struct {
		max  int
		want string
	}{
		{2000, strings.Join(lines, "\n")},
		{1024, strings.Join(lines[:3], "\n") + "\n+2 more"},
		{400, lines[0] + "\n+4 more"},
		{10, "+5 more"},
	} {
		got := packLines(lines, tc.max)
		if got != tc.want {
			t.Errorf("max %d: got %q…, want %q…", tc.max, truncateForLog(got), truncateForLog(tc.want))
		}
		if textLen(got) > tc.max && tc.max >= 10 {
			t.Errorf("max %d: %d characters", tc.max, textLen(got))
		}
	}
}

func truncateForLog(s string) string {
	if len(s) > 40 {
		return s[:20] + "…" + s[len(s)-20:]
	}
	return s
}

func TestCustomID(t *testing.T) {
	long := strings.Repeat("p", 90)
	for _, tc := range []struct {
		in   customID
		want string
	}{
		{customID{Action: actionNext, Key: "abc234", Index: 1}, "gs:n:abc234:1"},
		{customID{Action: actionNext, Key: "abcdefghijklmnop", Index: 4, Passages: []string{"3ac7f2025160", "7f76a01c90dc", "0204e2f77b3b", "81d699671cb3", "e5f38b1fce95"}},
			"gs:n:abcdefghijklmnop:4:3ac7f2025160.7f76a01c90dc.0204e2f77b3b.81d699671cb3.e5f38b1fce95"},
		{customID{Action: actionVote, Up: true, Key: "abc234", Index: 0, PassageID: "3ac7f2025160"}, "gs:v:u:abc234:0:3ac7f2025160"},
		{customID{Action: actionVote, Key: "abc234", Index: 2, PassageID: "slug#with:colons"}, "gs:v:d:abc234:2:slug#with:colons"},
		{customID{Action: actionVote, Key: "abc234", Index: 2, PassageID: long}, "gs:v:d:abc234:2:"},
		{customID{Action: actionSources, Index: 3}, "gs:s:3"},
		{customID{Action: actionConfirm, Key: "abc234"}, "gs:ok:abc234"},
		{customID{Action: actionCancel, Key: "abc234"}, "gs:x:abc234"},
	} {
		got := tc.in.encode()
		if got != tc.want {
			t.Errorf("encode %+v = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) > maxCustomIDLen {
			t.Errorf("%q is over 100 characters", got)
		}
		back, err := parseCustomID(got)
		if err != nil {
			t.Errorf("parse %q: %v", got, err)
			continue
		}
		want := tc.in
		if want.PassageID == long {
			want.PassageID = ""
		}
		if !reflect.DeepEqual(back, want) {
			t.Errorf("round trip %q: %+v, want %+v", got, back, want)
		}
	}
	for _, bad := range []string{"", "gs", "gs:", "gs:q:1", "gs:x:", "gs:ok:KEY", "gs:ok:abc:1", "gs:n:abc:1:", "gs:n:abc:1:3AC7.x", "gs:n:abc:1:a..b", "gs:n:KEY:1", "gs:n:abc:-1", "gs:n:abc:01", "gs:n:abc:1:2", "gs:v:x:abc:1:p", "gs:v:u:abc:1",
		"gs:s:", "gs:s:99999", "xx:s:1", "gs:s:1:2", strings.Repeat("g", 101)} {
		if c, err := parseCustomID(bad); err == nil {
			t.Errorf("parse %q = %+v, want an error", bad, c)
		} else if !errors.Is(err, errBadCustomID) {
			t.Errorf("parse %q: error %v does not wrap errBadCustomID", bad, err)
		}
	}
}

func TestCleanQuestionAndMentions(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  does   kefir\nhelp acne? ", "does kefir help acne?"},
		{"<@123> <@!456> <@&789> <#42> is milk bad", "is milk bad"},
		{"\xffkefir", "kefir"},
		{strings.Repeat("word ", 200), strings.TrimSpace(strings.Repeat("word ", 100))},
	} {
		if got := cleanQuestion(tc.in); got != tc.want {
			t.Errorf("cleanQuestion(%q) = %q, want %q", truncateForLog(tc.in), truncateForLog(got), truncateForLog(tc.want))
		}
	}
	for _, tc := range []struct {
		content, bot, rest string
		mentioned          bool
	}{
		{"<@42> hi", "42", "  hi", true},
		{"hey <@!42>, hi", "42", "hey  , hi", true},
		{"<@421> hi", "42", "<@421> hi", false},
		{"<@42>", "", "<@42>", false},
	} {
		rest, ok := stripMention(tc.content, tc.bot)
		if rest != tc.rest || ok != tc.mentioned {
			t.Errorf("stripMention(%q, %q) = %q, %v; want %q, %v", tc.content, tc.bot, rest, ok, tc.rest, tc.mentioned)
		}
	}
}

// embedLen sums an embed as Discord's 6000-character limit does.
func embedLen(e *discordgo.MessageEmbed) int {
	n := textLen(e.Title) + textLen(e.Description)
	if e.Footer != nil {
		n += textLen(e.Footer.Text)
	}
	if e.Author != nil {
		n += textLen(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += textLen(f.Name) + textLen(f.Value)
	}
	return n
}

// checkEmbed fails when an embed breaks a Discord limit.
func checkEmbed(t *testing.T, e *discordgo.MessageEmbed) {
	t.Helper()
	if textLen(e.Title) > limitTitle || textLen(e.Description) > limitDescription || embedLen(e) > limitEmbedTotal {
		t.Errorf("embed over a limit: title %d, description %d, total %d", textLen(e.Title), textLen(e.Description), embedLen(e))
	}
	if e.Footer != nil && textLen(e.Footer.Text) > limitFooter {
		t.Errorf("footer %d characters", textLen(e.Footer.Text))
	}
	if len(e.Fields) > 25 {
		t.Errorf("%d fields", len(e.Fields))
	}
	for _, f := range e.Fields {
		if textLen(f.Name) > limitFieldName || textLen(f.Value) > limitFieldValue || strings.TrimSpace(f.Value) == "" {
			t.Errorf("field %q: name %d, value %d characters", f.Name, textLen(f.Name), textLen(f.Value))
		}
	}
	if e.URL != "" && (webURL(e.URL) == "" || len(e.URL) > maxURL) {
		t.Errorf("embed URL %.80q… (%d characters) is not a web URL of at most %d", e.URL, len(e.URL), maxURL)
	}
}

func hugeAnswer() corpus.Answer {
	big := strings.Repeat("Ω😀 long words, ", 400)
	// 2,000 bytes that percent-encode to about 6,000 characters.
	art := corpus.ArticleInfo{Title: big, Source: "https://example.org/" + strings.Repeat("é", 990), Author: big}
	var cites []corpus.Reference
	for i := 1; i <= 60; i++ {
		cites = append(cites, corpus.Reference{Label: fmt.Sprint(i), Text: big, DOI: "10.1000/" + strings.Repeat("d", 200)})
	}
	cites = append(cites, corpus.Reference{Label: "", Text: big, URL: "https://example.org"})
	hit := corpus.Hit{Passage: corpus.Passage{ID: strings.Repeat("i", 120), Text: big + "@everyone <@123>", Article: art,
		Section: []string{big, big}, Citations: cites}, Highlights: []corpus.Span{{Start: 0, End: 10}, {Start: 50, End: 60}}}
	var also []corpus.ArticleInfo
	for i := 0; i < 10; i++ {
		also = append(also, corpus.ArticleInfo{Title: big + fmt.Sprint(i), Source: "https://example.org/a"})
	}
	return corpus.Answer{Urgent: big, Hits: []corpus.Hit{hit, hit, hit}, SeeAlso: also, Suggestions: also}
}

func TestMessagesFitByConstruction(t *testing.T) {
	a := hugeAnswer()
	for i := range a.Hits {
		m := answerMessage(a, i, "abcdefghijklmnop")
		if textLen(m.Content) > limitContent {
			t.Errorf("content %d characters", textLen(m.Content))
		}
		for _, e := range m.Embeds {
			checkEmbed(t, e)
		}
		for _, row := range m.Components {
			for _, c := range row.(discordgo.ActionsRow).Components {
				if id := c.(discordgo.Button).CustomID; len(id) == 0 || len(id) > maxCustomIDLen {
					t.Errorf("custom_id %q", id)
				}
			}
		}
	}
	if got := answerEmbed(a, 0).Fields[0].Value; !strings.HasSuffix(got, " more") {
		t.Errorf("60 references should end in +N more: …%s", got[len(got)-30:])
	}
	if m := noAnswerMessage(a); textLen(m.Content) > limitContent {
		t.Errorf("no-answer %d characters", textLen(m.Content))
	}
	var arts []corpus.ArticleInfo
	for i := 0; i < 200; i++ {
		arts = append(arts, a.SeeAlso[i%len(a.SeeAlso)])
	}
	for p := 0; p < 30; p++ {
		for _, e := range sourcesMessage(arts, p).Embeds {
			checkEmbed(t, e)
		}
	}
	rep := corpus.Report{}
	for i := 0; i < 500; i++ {
		rep.Skipped = append(rep.Skipped, corpus.Problem{File: strings.Repeat("f", 200), Reason: "too long"})
		rep.Warnings = append(rep.Warnings, strings.Repeat("w", 400))
	}
	for _, err := range []error{nil, errors.New(strings.Repeat("e", 9000))} {
		for _, e := range reportMessage(rep, err).Embeds {
			checkEmbed(t, e)
		}
	}
	for _, e := range helpMessage().Embeds {
		checkEmbed(t, e)
	}
}

func TestSourcesPages(t *testing.T) {
	var arts []corpus.ArticleInfo
	for i := 0; i < 23; i++ {
		arts = append(arts, corpus.ArticleInfo{Title: fmt.Sprintf("Article %d", i), Source: "https://example.org"})
	}
	pages := sourcesPages(arts)
	if len(pages) != 3 || len(pages[0]) != 10 || len(pages[2]) != 3 {
		t.Errorf("pages of %d, %d…", len(pages), len(pages[0]))
	}
	m := sourcesMessage(arts, 99) // clamped to the last page
	if !strings.Contains(m.Embeds[0].Footer.Text, "Page 3 of 3") {
		t.Errorf("footer %q", m.Embeds[0].Footer.Text)
	}
	if got := sourcesMessage(nil, 0).Content; !strings.Contains(got, "empty") {
		t.Errorf("empty library: %q", got)
	}
}

func TestCommandScopes(t *testing.T) {
	// names lists a scope's commands, with the permission a member needs
	// to see one, if any.
	names := func(s commandScope) string {
		var n []string
		for _, c := range s.commands {
			if c.DefaultMemberPermissions != nil {
				n = append(n, fmt.Sprintf("%s(%d)", c.Name, *c.DefaultMemberPermissions))
				continue
			}
			n = append(n, c.Name)
		}
		return s.guildID + ":" + strings.Join(n, ",")
	}
	for _, tc := range []struct {
		guild, mod string
		roles      bool
		want       []string
	}{
		{"", "", false, []string{":ask,sources,help,Find sources"}},
		{"1", "1", false, []string{"1:ask,sources,help,Find sources,reindex(32),library(32),gaps(32)"}},
		{"", "2", false, []string{":ask,sources,help,Find sources", "2:reindex(32),library(32),gaps(32)"}},
		{"1", "2", false, []string{"1:ask,sources,help,Find sources", "2:reindex(32),library(32),gaps(32)"}},
		{"1", "1", true, []string{"1:ask,sources,help,Find sources,reindex,library,gaps"}},
		{"", "2", true, []string{":ask,sources,help,Find sources", "2:reindex,library,gaps"}},
	} {
		var got []string
		for _, s := range commandScopes(tc.guild, tc.mod, tc.roles) {
			got = append(got, names(s))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("commandScopes(%q, %q, %v) = %v, want %v", tc.guild, tc.mod, tc.roles, got, tc.want)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAPITransport(t *testing.T) {
	var seen string
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r.URL.String()
		return &http.Response{StatusCode: 204, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
	})
	tr, err := newAPITransport("http://127.0.0.1:9/proxy/api/v9/", next)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		discordgo.EndpointWebhookToken("1", "tok") + "?wait=true": "http://127.0.0.1:9/proxy/api/v9/webhooks/1/tok?wait=true",
		discordgo.EndpointMessageReaction("c", "m", "⏳", "@me"):   "http://127.0.0.1:9/proxy/api/v9/channels/c/messages/m/reactions/%E2%8F%B3/@me",
		"https://discord.com/api/v9":                              "http://127.0.0.1:9/proxy/api/v9",
		"https://cdn.discordapp.com/avatars/1/2.png":              "https://cdn.discordapp.com/avatars/1/2.png",
		"https://discord.com/api/v90/x":                           "https://discord.com/api/v90/x",
	} {
		req, _ := http.NewRequest("GET", in, nil)
		if _, err := tr.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if seen != want {
			t.Errorf("%s → %s, want %s", in, seen, want)
		}
	}
	if tr, _ := newAPITransport(DefaultAPIURL, next); tr.base != nil {
		t.Error("the default API URL should not be rewritten")
	}
	for _, bad := range []string{"ftp://x", "discord.com/api", "http://", "https://u:p@x/api", "https://x/api?q=1"} {
		if _, err := ParseAPIURL(bad); err == nil {
			t.Errorf("ParseAPIURL(%q) accepted", bad)
		}
	}
}

func TestNormalize429(t *testing.T) {
	for _, tc := range []struct {
		body, header string
		want         float64
	}{
		{`{"message":"x","retry_after":0.25,"global":false}`, "1", 0.25},
		{`<html>rate limited</html>`, "2", 2},
		{``, "", 1},
		{`{"message":"no retry_after"}`, "0.5", 0.5},
	} {
		resp := &http.Response{StatusCode: 429, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(tc.body))}
		if tc.header != "" {
			resp.Header.Set("Retry-After", tc.header)
		}
		b, _ := io.ReadAll(normalize429(resp).Body)
		var got discordgo.TooManyRequests
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("body %q → %q does not decode: %v", tc.body, b, err)
			continue
		}
		if want := time.Duration(tc.want * float64(time.Second)); got.RetryAfter != want {
			t.Errorf("body %q header %q: retry after %s, want %s", tc.body, tc.header, got.RetryAfter, want)
		}
	}
}

func TestRetryWait(t *testing.T) {
	rest := func(code int) error {
		return &discordgo.RESTError{Response: &http.Response{StatusCode: code, Status: http.StatusText(code)}}
	}
	for _, tc := range []struct {
		name  string
		err   error
		retry bool
		wait  time.Duration
	}{
		{"429", &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &discordgo.TooManyRequests{RetryAfter: 300 * time.Millisecond}}}, true, 300 * time.Millisecond},
		{"500", rest(500), true, time.Second},
		{"502 from discordgo", fmt.Errorf("Exceeded Max retries HTTP 502 Bad Gateway, {}"), true, time.Second},
		{"400", rest(400), false, 0},
		{"401", rest(401), false, 0},
		{"network", &url.Error{Op: "Post", URL: "http://x/webhooks/1/SECRET", Err: errors.New("connection refused")}, true, time.Second},
		{"deadline", &url.Error{Op: "Post", URL: "http://x", Err: context.DeadlineExceeded}, false, 0},
	} {
		wait, ok := retryWait(tc.err, time.Second)
		if ok != tc.retry || (ok && wait != tc.wait) {
			t.Errorf("%s: retryWait = %s, %v; want %s, %v", tc.name, wait, ok, tc.wait, tc.retry)
		}
		if d := describe(tc.err); strings.Contains(d, "SECRET") || strings.Contains(d, "http") {
			t.Errorf("%s: describe leaks a URL: %q", tc.name, d)
		}
	}
}

func TestCallGivesUpAfterTheLastAttempt(t *testing.T) {
	var logs strings.Builder
	b := &Bot{log: slog.New(slog.NewTextHandler(&logs, nil))}
	calls := 0
	var last time.Time
	err := b.call(context.Background(), time.Now().Add(time.Minute), "test", false, func(...discordgo.RequestOption) error {
		calls++
		last = time.Now()
		// The last attempt's 429 asks for a wait nothing follows.
		wait := time.Millisecond
		if calls == maxAttempts {
			wait = 5 * time.Second
		}
		return &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &discordgo.TooManyRequests{RetryAfter: wait}}}
	})
	if idle := time.Since(last); idle > time.Second {
		t.Errorf("waited %s after the last attempt before giving up", idle)
	}
	var ce *callError
	if calls != maxAttempts || !errors.As(err, &ce) || ce.attempts != maxAttempts {
		t.Errorf("%d calls, error %v; want %d attempts", calls, err, maxAttempts)
	}
	if n := strings.Count(logs.String(), "retrying REST call"); n != maxAttempts-1 {
		t.Errorf("%d retry log lines for %d attempts", n, maxAttempts)
	}
}

func TestCooldownAndVotes(t *testing.T) {
	c := newCooldown(5 * time.Second)
	now := time.Now()
	if _, ok := c.take("a", now); !ok {
		t.Fatal("first question refused")
	}
	if wait, ok := c.take("a", now.Add(2*time.Second)); ok || wait != 3*time.Second {
		t.Errorf("within the cooldown: wait %s ok %v", wait, ok)
	}
	if _, ok := c.take("b", now.Add(time.Second)); !ok {
		t.Error("another member refused")
	}
	if _, ok := c.take("a", now.Add(5*time.Second)); !ok {
		t.Error("after the cooldown: refused")
	}
	if _, ok := newCooldown(0).take("a", now); !ok {
		t.Error("cooldown 0 refused")
	}
	if got := slowDown(2100 * time.Millisecond); !strings.Contains(got, "3 seconds") {
		t.Errorf("slowDown = %q", got)
	}

	v := newVotes(2)
	if !v.first("p", "a") || v.first("p", "a") || !v.first("p", "b") || !v.first("q", "a") {
		t.Error("votes: want one per member and passage")
	}
	if !v.first("p", "a") { // forgotten beyond capacity
		t.Error("votes: oldest should be forgotten beyond capacity")
	}

	s := newAnswerStore(2)
	k1 := s.put("a", corpus.Answer{})
	s.put("a", corpus.Answer{})
	s.put("a", corpus.Answer{})
	if _, ok := s.get(k1); ok {
		t.Error("answer store: oldest should be forgotten beyond capacity")
	}
	if len(k1) != 16 || !utf8.ValidString(k1) {
		t.Errorf("key %q", k1)
	}
}

// A rebuild that uses its whole timeout must still leave the report its
// follow-up budget inside the interaction token's lifetime.
func TestRebuildLeavesTimeToReport(t *testing.T) {
	// Received, deferred, then rebuilt until the timeout: now.
	r := &reply{recv: time.Now().Add(-(ackBudget + rebuildTimeout))}
	if left := time.Until(r.followupDeadline()); left < followupBudget-time.Second {
		t.Errorf("a report after a %s rebuild has %s left to be sent, want %s", rebuildTimeout, left, followupBudget)
	}
}

func TestIsModerator(t *testing.T) {
	const guild, other, role = "400000000000000001", "400000000000000002", "500000000000000001"
	b := &Bot{opts: Options{ModerationGuildID: guild}, modRoles: map[string]bool{role: true}}
	member := func(g string, perms int64, roles ...string) *discordgo.Interaction {
		return &discordgo.Interaction{GuildID: g, Member: &discordgo.Member{Permissions: perms, Roles: roles}}
	}
	for _, tc := range []struct {
		name string
		i    *discordgo.Interaction
		want bool
	}{
		{"Manage Server", member(guild, discordgo.PermissionManageGuild), true},
		{"Administrator", member(guild, discordgo.PermissionAdministrator), true},
		{"moderator role", member(guild, 0, "1", role), true},
		{"plain member", member(guild, discordgo.PermissionSendMessages, "1"), false},
		{"Manage Server in another guild", member(other, discordgo.PermissionManageGuild|discordgo.PermissionAdministrator, role), false},
		{"DM", &discordgo.Interaction{User: &discordgo.User{ID: "1"}}, false},
	} {
		if got := b.isModerator(tc.i); got != tc.want {
			t.Errorf("%s: isModerator = %v, want %v", tc.name, got, tc.want)
		}
	}
	noGuild := &Bot{opts: Options{}, modRoles: map[string]bool{role: true}}
	if noGuild.isModerator(&discordgo.Interaction{Member: &discordgo.Member{Permissions: discordgo.PermissionAdministrator}}) {
		t.Error("with no moderation guild, nobody may reindex")
	}
}

// The HTTP response takes the handler's first reply, or, when the handler
// is late, a deferral of the right kind; never both.
func TestHTTPAck(t *testing.T) {
	a := newHTTPAck()
	go func() { <-a.body; close(a.written) }()
	if !a.offer(context.Background(), "reply") || a.expire(discordgo.InteractionResponseDeferredMessageUpdate) {
		t.Error("an offered reply must win, and the deferral must not")
	}
	a = newHTTPAck()
	if !a.expire(deferralFor(kindAsk)) || a.offer(context.Background(), "late reply") {
		t.Error("after the deferral, a late reply must not be sent as the response")
	}
	if a.deferred() != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Errorf("deferred as %v", a.deferred())
	}
	r := &reply{http: a}
	r.tookHTTPDeferral()
	if !r.acked || !r.deferred || !r.ephemeral {
		t.Errorf("after an HTTP deferral of a command: %+v", r)
	}
	for kind, want := range map[string]discordgo.InteractionResponseType{
		kindNext: discordgo.InteractionResponseDeferredMessageUpdate, kindLibraryPress: discordgo.InteractionResponseDeferredMessageUpdate,
		kindAutocomplete: discordgo.InteractionApplicationCommandAutocompleteResult, kindReindex: discordgo.InteractionResponseDeferredChannelMessageWithSource,
	} {
		if got := deferralFor(kind); got != want {
			t.Errorf("deferralFor(%s) = %v, want %v", kind, got, want)
		}
	}
}
