package corpus

import (
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestLoadSkipsBadFiles(t *testing.T) {
	good := md("Good", prose("a good article")+"\n")
	tests := []struct {
		name   string
		file   string
		data   string
		line   int
		reason string
	}{
		{"no title", "untitled.md", "---\nauthor: Ada\n---\n" + prose("x"), 1, "no title"},
		{"unclosed front matter", "open.md", "---\ntitle: Open\n" + prose("x"), 1, "front matter opened with --- is never closed"},
		{"bad YAML", "yaml.md", "---\ntitle: Good\nauthor: Ada\ntitle: Again\n---\n" + prose("x"), 4, `broken front matter: mapping key "title" already defined at line 2`},
		{"invalid UTF-8", "latin1.md", "---\ntitle: Caf\xe9\n---\n" + prose("x"), 2, "invalid UTF-8"},
		{"invalid UTF-8 deep in a text file", "latin1.txt", "A Title Line Here\n\n" + prose("x") + "\n\nna\xefve\n", 5, "invalid UTF-8"},
		{"binary", "image.md", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, "binary content"},
		{"binary text file", "data.txt", "A Title Line Here\n\x00", 2, "binary content"},
		{"empty markdown", "empty.md", "", 0, "no text"},
		{"empty text", "empty.txt", "", 0, "no text"},
		{"blank lines only", "blank.txt", "\n \n\t\n\u00a0\n", 0, "no text"},
		{"front matter only", "bare.md", "---\ntitle: Bare\n---\n", 0, "no text"},
		{"headings only", "headings.md", md("Headings", "## One\n\n## Two\n"), 0, "no text"},
		{"chrome only", "chrome.txt", "Why Fibre Matters for Skin\n\nShare\nBlog Image\nRead Other Blogs\n", 0, "no text"},
		{"over 1 MiB", "huge.md", md("Huge", strings.Repeat(prose("x")+"\n\n", MaxFileSize/150)), 0, "over the"},
		{"unknown extension", "notes.docx", "PK\x03\x04", 0, `unknown extension ".docx"`},
		{"no extension", "README", "Read me", 0, `unknown extension ""`},
		{"PDF", "paper.pdf", "%PDF-1.7", 0, "unknown extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib := loadFiles(t, map[string]string{tt.file: tt.data, "good.md": good, "also-good.txt": "Another Good Article Here\n\n" + prose("more") + "\n"})
			checkLibrary(t, lib)
			if len(lib.Articles) != 2 {
				t.Errorf("other files did not load: %d articles", len(lib.Articles))
			}
			if len(lib.Skipped) != 1 {
				t.Fatalf("skipped = %v, want %s", lib.Skipped, tt.file)
			}
			p := lib.Skipped[0]
			if p.File != tt.file || p.Line != tt.line || !strings.Contains(p.Reason, tt.reason) {
				t.Errorf("skipped %q, want %s:%d containing %q", p.String(), tt.file, tt.line, tt.reason)
			}
			if len(lib.Warnings) > 0 {
				t.Errorf("warnings %v", lib.Warnings)
			}
		})
	}
}

func TestLoadManyBadFilesAtOnce(t *testing.T) {
	lib := loadFiles(t, map[string]string{
		"a.md":        "",
		"b.md":        "---\ntitle: [x\n---\n",
		"c.txt":       "\xff\xfe",
		"d.bin":       "\x00",
		"e.md":        "---\n",
		"ok.md":       md("Fine", prose("fine")),
		"sub/ok2.txt": "A Title In A Folder\n\n" + prose("folder"),
	})
	checkLibrary(t, lib)
	if got := []string{lib.Articles[0].Slug, lib.Articles[1].Slug}; len(lib.Articles) != 2 || !slices.Equal(got, []string{"ok", "sub/ok2"}) {
		t.Errorf("articles %v", got)
	}
	var files []string
	for _, p := range lib.Skipped {
		files = append(files, p.File)
	}
	if !slices.Equal(files, []string{"a.md", "b.md", "c.txt", "d.bin", "e.md"}) {
		t.Errorf("skipped %v", lib.Skipped)
	}
}

func TestLoadDuplicateSlug(t *testing.T) {
	lib := loadFiles(t, map[string]string{
		"kefir.md":  md("Kefir from Markdown", prose("kefir")),
		"kefir.txt": "Kefir From Plain Text\n\n" + prose("kefir"),
		"other.md":  md("Other", prose("other")),
	})
	checkLibrary(t, lib)
	if len(lib.Articles) != 2 || lib.Articles[0].Title != "Kefir from Markdown" {
		t.Errorf("articles %+v", lib.Articles)
	}
	if len(lib.Warnings) != 1 || lib.Warnings[0].File != "kefir.txt" || !strings.Contains(lib.Warnings[0].Reason, `duplicate slug "kefir"`) ||
		!strings.Contains(lib.Warnings[0].Reason, "kefir.md") {
		t.Errorf("warnings = %v", lib.Warnings)
	}
	if len(lib.Skipped) != 0 {
		t.Errorf("skipped = %v", lib.Skipped)
	}
}

func TestLoadIgnoresHiddenFiles(t *testing.T) {
	lib := loadFiles(t, map[string]string{
		".gitkeep":              "",
		".kefir.md.swp":         "\x00binary swap",
		".DS_Store":             "\x00\x01",
		".drafts/unfinished.md": "---\ntitle: [broken\n",
		"sub/.hidden.md":        md("Hidden", prose("hidden")),
		"kefir.md":              md("Kefir", prose("kefir")),
	})
	checkLibrary(t, lib)
	if len(lib.Articles) != 1 || len(lib.Skipped) != 0 || len(lib.Warnings) != 0 {
		t.Errorf("articles %d skipped %v warnings %v", len(lib.Articles), lib.Skipped, lib.Warnings)
	}
}

func TestLoadSortsAndNamesArticles(t *testing.T) {
	lib := loadFiles(t, map[string]string{
		"zinc.md":            md("Zinc", prose("zinc")),
		"acne/diet.MD":       md("Diet", prose("diet")),
		"fibre.markdown":     md("Fibre", prose("fibre")),
		"kefir.TXT":          "Kefir And The Skin Today\n\n" + prose("kefir"),
		"sub/dir/deep.txt":   "A Deep Article Title Here\n\n" + prose("deep"),
		"empty-dir/.gitkeep": "",
	})
	checkLibrary(t, lib)
	var got []string
	for _, a := range lib.Articles {
		got = append(got, a.Slug+" "+a.File)
	}
	want := []string{"acne/diet acne/diet.MD", "fibre fibre.markdown", "kefir kefir.TXT", "sub/dir/deep sub/dir/deep.txt", "zinc zinc.md"}
	if !slices.Equal(got, want) {
		t.Errorf("articles = %q, want %q", got, want)
	}
}

func TestLoadMissingRoot(t *testing.T) {
	if _, err := Load(os.DirFS("testdata/no-such-folder")); err == nil {
		t.Error("want an error for a missing folder")
	}
}

func TestLoadFixtureFolders(t *testing.T) {
	for _, dir := range []string{"testdata/markdown", "testdata/plaintext"} {
		lib, err := Load(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		checkLibrary(t, lib)
		files, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(lib.Articles) != len(files) || len(lib.Skipped) != 0 || len(lib.Warnings) != 0 {
			t.Errorf("%s: %d articles, skipped %v, warnings %v", dir, len(lib.Articles), lib.Skipped, lib.Warnings)
		}
	}
}

// Windows Notepad's "Unicode" saves UTF-16 with a byte-order mark, whose
// zero bytes once made the file look binary.
func TestLoadSkipsUTF16(t *testing.T) {
	lib, err := Load(os.DirFS("testdata/utf16"))
	if err != nil {
		t.Fatal(err)
	}
	checkLibrary(t, lib)
	var got []string
	for _, p := range lib.Skipped {
		got = append(got, p.String())
	}
	want := []string{
		"kefir-utf16le.md: UTF-16 text; save it as UTF-8",
		"yogurt-utf16be.txt: UTF-16 text; save it as UTF-8",
	}
	if len(lib.Articles) != 0 || !slices.Equal(got, want) {
		t.Errorf("%d articles, skipped %q, want %q", len(lib.Articles), got, want)
	}
}

func TestFingerprint(t *testing.T) {
	files := func() fstest.MapFS {
		return fstest.MapFS{
			"kefir.md":  {Data: []byte(md("Kefir", prose("kefir"))), ModTime: time.Unix(1, 0)},
			"fibre.txt": {Data: []byte("Fibre And The Skin Today\n\n" + prose("fibre"))},
			"broken.md": {Data: []byte("---\ntitle: [x\n---\n")},
			".gitkeep":  {Data: []byte("")},
		}
	}
	fp := func(fsys fstest.MapFS) string {
		t.Helper()
		lib, err := Load(fsys)
		if err != nil {
			t.Fatal(err)
		}
		if len(lib.Fingerprint) != 64 {
			t.Fatalf("fingerprint %q", lib.Fingerprint)
		}
		return lib.Fingerprint
	}
	base := fp(files())
	if again := fp(files()); again != base {
		t.Errorf("fingerprint not stable: %s then %s", base, again)
	}
	touched := files()
	touched["kefir.md"].ModTime = time.Unix(2, 0)
	touched["kefir.md"].Mode = 0o600
	if fp(touched) != base {
		t.Errorf("a new modification time or mode changed the fingerprint")
	}
	changes := map[string]func(fstest.MapFS){
		"one byte of a loaded file": func(m fstest.MapFS) { m["kefir.md"].Data[len(m["kefir.md"].Data)-1] = '!' },
		"a plain-text file":         func(m fstest.MapFS) { m["fibre.txt"].Data = append(m["fibre.txt"].Data, '\n') },
		"a skipped file":            func(m fstest.MapFS) { m["broken.md"].Data = []byte("---\ntitle: [y\n---\n") },
		"a new file":                func(m fstest.MapFS) { m["zinc.md"] = &fstest.MapFile{Data: []byte(md("Zinc", prose("zinc")))} },
		"a new skipped file":        func(m fstest.MapFS) { m["notes.docx"] = &fstest.MapFile{Data: []byte("PK")} },
		"a removed file":            func(m fstest.MapFS) { delete(m, "fibre.txt") },
		"a renamed file":            func(m fstest.MapFS) { m["kefir2.md"] = m["kefir.md"]; delete(m, "kefir.md") },
		"bytes moved between files": func(m fstest.MapFS) {
			m["kefir.md"].Data = append(m["kefir.md"].Data, m["fibre.txt"].Data[:1]...)
			m["fibre.txt"].Data = m["fibre.txt"].Data[1:]
		},
	}
	for name, change := range changes {
		m := files()
		change(m)
		if fp(m) == base {
			t.Errorf("%s: fingerprint unchanged", name)
		}
	}
	hidden := files()
	hidden[".gitkeep"].Data = []byte("x")
	if fp(hidden) != base {
		t.Errorf("a hidden file changed the fingerprint")
	}
}

// errFS fails to open one file, as a file with bad permissions would. It
// offers only Open, so every read goes through it.
type errFS struct{ m fstest.MapFS }

func (e errFS) Open(name string) (fs.File, error) {
	if name == "locked.md" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return e.m.Open(name)
}

func TestLoadUnreadableFile(t *testing.T) {
	fsys := errFS{fstest.MapFS{
		"locked.md": {Data: []byte(md("Locked", prose("locked")))},
		"open.md":   {Data: []byte(md("Open", prose("open")))},
	}}
	lib, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Articles) != 1 || len(lib.Skipped) != 1 || lib.Skipped[0].String() != "locked.md: cannot read: permission denied" {
		t.Errorf("articles %d skipped %v", len(lib.Articles), lib.Skipped)
	}
}

func TestProblemString(t *testing.T) {
	if got := (Problem{File: "a.md", Line: 3, Reason: "broken"}).String(); got != "a.md:3: broken" {
		t.Errorf("got %q", got)
	}
	if got := (Problem{File: "a.md", Reason: "broken"}).String(); got != "a.md: broken" {
		t.Errorf("got %q", got)
	}
}

func TestLibraryPassages(t *testing.T) {
	lib := loadFiles(t, map[string]string{
		"b.md": md("B", "## One\n\n"+prose("b one")+"\n\n## Two\n\n"+prose("b two")),
		"a.md": md("A", prose("a")),
	})
	var got []string
	for _, p := range lib.Passages() {
		got = append(got, p.Slug+" "+strings.Join(p.Section, ">"))
	}
	if want := []string{"a ", "b One", "b Two"}; !slices.Equal(got, want) {
		t.Errorf("passages = %q, want %q", got, want)
	}
}

// ReadFile is the loader's reading of one file: the same article, or the
// reason the loader would skip it, as one line naming the file.
func TestReadFileReadsAsLoadDoes(t *testing.T) {
	good := "---\ntitle: Kefir\n---\n\nKefir is a fermented milk drink [1].\n\n## References\n\n1. Alves E (2022) A review.\n"
	tests := []struct {
		name, file, data string
		wantErr          string
	}{
		{name: "markdown", file: "kefir.md", data: good},
		{name: "plain text", file: "notes.txt", data: "Kefir and the skin\n\nKefir is a fermented milk drink. Some people drink it daily, hoping their skin will clear.\n\nNobody has tested that in a trial yet.\n"},
		{name: "binary", file: "x.md", data: "---\ntitle: X\n---\n\x00\x01", wantErr: "x.md:4: binary content (NUL byte)"},
		{name: "invalid UTF-8", file: "x.md", data: "---\ntitle: X\n---\n\nbad \xff byte\n", wantErr: "x.md:5: invalid UTF-8"},
		{name: "no title", file: "x.md", data: "just text\n", wantErr: "x.md:1: no title"},
		{name: "extension", file: "x.pdf", data: "text", wantErr: `x.pdf: unknown extension ".pdf"`},
		{name: "too large", file: "x.txt", data: strings.Repeat("a", MaxFileSize+1), wantErr: "x.txt: file is over the"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			art, _, err := ReadFile(tt.file, []byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("ReadFile error = %v, want one line starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lib, err := Load(fstest.MapFS{tt.file: {Data: []byte(tt.data)}})
			if err != nil || len(lib.Articles) != 1 {
				t.Fatalf("Load: %v, %d articles", err, len(lib.Articles))
			}
			if !reflect.DeepEqual(art, lib.Articles[0]) {
				t.Fatalf("ReadFile and Load differ:\n%+v\n%+v", art, lib.Articles[0])
			}
		})
	}
}
