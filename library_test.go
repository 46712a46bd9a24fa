package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gutskin/corpus"
)

// The command line runs the same preview, refusals and writes as /library.
func TestLibraryCommandLine(t *testing.T) {
	article, err := filepath.Abs("testdata/libraries/community/butyrate-and-the-skin-barrier.md")
	if err != nil {
		t.Fatal(err)
	}
	isolate(t)
	dir := filepath.Join(t.TempDir(), "corpus")
	builtin, err := corpus.Load(corpus.Default())
	if err != nil {
		t.Fatal(err)
	}
	seeds := len(builtin.Articles)

	if code, _, stderr := runCLI(t, "", "library", "list"); code != exitUsage || !strings.Contains(stderr, "no library folder") {
		t.Errorf("no folder: exit %d, %q", code, stderr)
	}

	code, stdout, stderr := runCLI(t, "", "library", "add", article, "--corpus", dir, "--dry-run")
	if code != exitOK || !strings.Contains(stdout, "Preview: Butyrate, short-chain fatty acids and the skin barrier") || !strings.Contains(stdout, "Dry run: nothing was written") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("a dry run created the folder: %v", err)
	}

	code, stdout, stderr = runCLI(t, "", "library", "add", "--json", article, "--corpus", dir)
	if code != exitOK {
		t.Fatalf("add: exit %d: %s", code, stderr)
	}
	if n := strings.Count(strings.TrimSpace(stdout), "\n"); n != 0 {
		t.Errorf("--json printed %d lines, want one object", n+1)
	}
	var added struct {
		Title  string          `json:"title"`
		File   string          `json:"file"`
		Seeds  int             `json:"seeds"`
		DryRun bool            `json:"dry_run"`
		Update json.RawMessage `json:"update"`
		Added  struct {
			File   string `json:"file"`
			Seeded int    `json:"seeded"`
		} `json:"added"`
	}
	if err := json.Unmarshal([]byte(stdout), &added); err != nil {
		t.Fatal(err)
	}
	if added.File != "butyrate-short-chain-fatty-acids-and-the-skin-barrier.md" || added.Seeds != seeds || added.Added.Seeded != seeds || string(added.Update) != "null" || added.DryRun {
		t.Errorf("add --json: %s", stdout)
	}

	// The new article answers.
	code, stdout, _ = runCLI(t, "", "ask", "--corpus", dir, "--json", "early-life SCFA levels and allergy: what did the birth-cohort study find?")
	if code != exitOK || !strings.Contains(stdout, `"title":"Butyrate, short-chain fatty acids and the skin barrier"`) {
		t.Errorf("ask after the add: exit %d %s", code, truncateOutput(stdout))
	}

	// Adding it again is an update.
	code, stdout, _ = runCLI(t, "", "library", "add", article, "--corpus", dir)
	if code != exitOK || !strings.Contains(stdout, "(updates butyrate-short-chain-fatty-acids-and-the-skin-barrier.md)") || !strings.Contains(stdout, "nothing members see changes") {
		t.Errorf("second add: exit %d\n%s", code, stdout)
	}

	if code, stdout, _ = runCLI(t, "", "library", "remove", "butyrate-short-chain-fatty-acids-and-the-skin-barrier", "--corpus", dir); code != exitOK || !strings.Contains(stdout, "Removed") {
		t.Errorf("remove: exit %d %s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "", "library", "list", "--json", "--corpus", dir)
	var listing struct {
		Articles []struct{ Slug string } `json:"articles"`
		Removed  []struct{ Slug string } `json:"removed"`
	}
	if err := json.Unmarshal([]byte(stdout), &listing); err != nil || code != exitOK {
		t.Fatalf("list: exit %d %v", code, err)
	}
	if len(listing.Articles) != seeds || len(listing.Removed) != 2 { // the removed file and the version the update replaced
		t.Errorf("list after remove: %d articles, %d removed", len(listing.Articles), len(listing.Removed))
	}
	if code, _, stderr = runCLI(t, "", "library", "restore", "butyrate-short-chain-fatty-acids-and-the-skin-barrier", "--corpus", dir); code != exitOK {
		t.Errorf("restore: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "butyrate-short-chain-fatty-acids-and-the-skin-barrier.md")); err != nil {
		t.Errorf("restore: %v", err)
	}
}

func TestLibraryCommandLineRefusals(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	binary := filepath.Join(t.TempDir(), "photo.md")
	os.WriteFile(binary, []byte("\x89PNG\r\n\x1a\n\x00\x00"), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"add", binary}, exitRuntime, "binary content"},
		{[]string{"add", filepath.Join(dir, "missing.md")}, exitUsage, "no such file"},
		{[]string{"add", "gopher://example.org/kefir"}, exitRuntime, "scheme gopher"},
		{[]string{"add", "http://127.0.0.1:9/kefir.md"}, exitRuntime, "loopback"},
		{[]string{"remove", "nope"}, exitRuntime, "no such article"},
		{[]string{"restore", "nope"}, exitRuntime, "no such article"},
		{[]string{"add"}, exitUsage, "want one FILE or URL"},
		{[]string{"list", "extra"}, exitUsage, "want no argument"},
		{[]string{"rename", "x"}, exitUsage, "unknown subcommand"},
		{[]string{"remove", "x", "--json"}, exitUsage, "--json is for add and list"},
	} {
		code, _, stderr := runCLI(t, "", append(append([]string{"library"}, tt.args...), "--corpus", dir)...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != tt.code || !strings.Contains(lines[len(lines)-1], tt.want) {
			t.Errorf("library %v: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refusals wrote %d files", len(entries))
	}
	t.Setenv("FETCH_ALLOW_PRIVATE", "maybe")
	if code, _, stderr := runCLI(t, "", "library", "list", "--corpus", dir); code != exitUsage || !strings.Contains(stderr, "FETCH_ALLOW_PRIVATE") {
		t.Errorf("bad FETCH_ALLOW_PRIVATE: exit %d %q", code, stderr)
	}
}

func truncateOutput(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}
