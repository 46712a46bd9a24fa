package corpus

import (
	"testing"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/, built from the reader
// fixtures, and run as ordinary tests with `go test`.

// checkDocument assembles whatever a reader returned, titled or not, and
// checks the load invariants on it.
func checkDocument(t *testing.T, name string, doc document) {
	t.Helper()
	if doc.info.Title == "" {
		doc.info.Title = "Untitled"
	}
	art, problems := assemble(name, "a", doc)
	lib := &Library{Warnings: problems}
	if len(art.Passages) > 0 {
		lib.Articles = []Article{art}
	}
	checkLibrary(t, lib)
}

func FuzzReadMarkdown(f *testing.F) {
	f.Add(md("T", prose("seed")+" [1]\n\n## References\n\n1. Salem I (2018). A review. doi:10.3389/fmicb.2018.01459.\n"))
	f.Add(md("T", prose("seed")+"\n\n| A | B |\n|---|---|\n| ~~x~~ [1] | - [ ] y |\n\n- item\n\n  | C |\n  |---|\n  | z |\n"))
	f.Add(md("T", "## S\n\n<!-- questions:\n- a?\n- [b\n-->\n\n"+prose("seed")+"\n\n<!-- questions: [c] -->\n<!-- questions:\n"))
	f.Add(md("T", prose("seed")+" Kwon and colleagues (2012) agree.\n\nSource: Kwon HH (2012). A trial.\n\n"+prose("more")+"\n\n**Sources**\n\n- Salem I (2018). A review.\n"))
	f.Fuzz(func(t *testing.T, src string) {
		if doc, err := readMarkdown(src); err == nil {
			checkDocument(t, "a.md", doc)
		}
		checkLibrary(t, loadFiles(t, map[string]string{"a.md": src}))
	})
}

func FuzzReadPlainText(f *testing.F) {
	f.Add("A Title Line Here\n\n" + prose("seed") + "¹\n\nReferences:\n1. Salem I. A review. 2018.\n")
	f.Add("A Title Line Here\n\n" + prose("seed") + "\n\nReferences:\n• Salem I. A review. 2018.\n• An undated note\n\nReferences:\n• Arck P. 2010.\n")
	f.Add("Skip to main content\nHome › Blog › Skin\n\nA Title Line Here\n\nBy Dr Jo Roe · 4 min read\nTags: a, b\n\n" + prose("seed") +
		" Follow us on Instagram @x.\n\n---\n📬 The Letter\n[ Your email ] [ Sign me up ]\n---\n\nComments (1)\n\nJo · 2 days ago\nNice.\n\nSource: Salem I (2018). A review.\n")
	f.Add("Notes on a topic\n\nwhat it is\n- a note, Salem et al. (2018)\nKNOWN\n- Camilleri 2019 says so\n\nRelated posts\n\nAnother Post\n\nSources:\nSalem I (2018). A review.\nCamilleri M (2019). Leaky gut.\n")
	f.Fuzz(func(t *testing.T, src string) {
		checkDocument(t, "a.txt", readPlainText(src))
		checkLibrary(t, loadFiles(t, map[string]string{"a.txt": src}))
	})
}

// FuzzLoad loads a library of a Markdown and a plain-text file sharing a
// slug, plus a file of raw bytes, as a moderator's folder might hold.
func FuzzLoad(f *testing.F) {
	f.Add(md("T", prose("seed")), "A Title Line Here\n\n"+prose("seed"), []byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, markdown, text string, raw []byte) {
		lib := loadFiles(t, map[string]string{
			"a.md": markdown, "a.txt": text, "sub/b.txt": text, "c.md": string(raw), "d.txt": string(raw),
		})
		checkLibrary(t, lib)
		if n := len(lib.Articles) + len(lib.Skipped); n > 5 {
			t.Errorf("%d articles and skipped files from 5 files", n)
		}
	})
}
