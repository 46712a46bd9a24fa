package corpus

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// benchArticleSize is the size of the generated articles below: large
// enough that work growing faster than the input shows, small enough that
// such work still ends in seconds.
const benchArticleSize = 200 << 10

// superscriptArticle is one paragraph of words each followed by its own
// superscript marker ("word¹⁰⁰⁰⁰ word¹⁰⁰⁰¹ …"), about size bytes long.
func superscriptArticle(size int) string {
	const sup = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	var b strings.Builder
	b.WriteString(md("Superscripts", ""))
	for n := 10000; b.Len() < size; n++ {
		b.WriteString("word")
		for _, d := range strconv.Itoa(n) {
			b.WriteString(string([]rune(sup)[d-'0']))
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// authorYearArticle cites n distinct first authors, each once, as
// "(Smithxxxx et al. 2019)", and lists the n references they point to.
func authorYearArticle(size int) string {
	name := func(i int) string {
		var s [4]byte
		for j := range s {
			s[len(s)-1-j] = byte('a' + i%26)
			i /= 26
		}
		return "Smith" + string(s[:])
	}
	// A citing sentence and its reference take about 100 bytes.
	n := size / 100
	var b strings.Builder
	b.WriteString(md("Author–year", ""))
	for i := range n {
		fmt.Fprintf(&b, "Finding %d holds (%s et al. 2019). ", i, name(i))
	}
	b.WriteString("\n\n## References\n\n")
	for i := range n {
		fmt.Fprintf(&b, "%d. %s J et al. (2019). Study %d.\n", i+1, name(i), i)
	}
	return b.String()
}

// dottedWordArticle is a paragraph of 200 words and then one "word" of
// "a.a.a.…", about size bytes long.
func dottedWordArticle(size int) string {
	return md("Dots", strings.Repeat("word ", 200)+strings.Repeat("a.", size/2))
}

// proseArticle is the baseline: paragraphs of ordinary sentences, each
// paragraph citing its reference as "[n]", about size bytes long.
func proseArticle(size int) string {
	return proseWith(md("Prose", ""), "## References\n\n", size)
}

// plainProseArticle is proseArticle as a pasted plain-text post.
func plainProseArticle(size int) string {
	return proseWith("Prose Pasted From a Blog\n\n", "References:\n", size)
}

// proseWith is the prose of proseArticle under head, with its references
// under refsHead.
func proseWith(head, refsHead string, size int) string {
	var b strings.Builder
	b.WriteString(head)
	n := 0
	for b.Len() < size {
		n++
		fmt.Fprintf(&b, "%s Kefir is a fermented milk drink, and one small study looked at it [%d].\n\n", strings.Repeat("The gut and the skin talk to each other in several ways. ", 4), n)
	}
	b.WriteString(refsHead)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d. Author A (2020). Study %d.\n", i, i)
	}
	return b.String()
}

// plainChromeArticle is a pasted post whose every section comes with page
// chrome and calls to action: bylines, share bars, sign-up boxes, related
// posts, glued calls to action and narrative citations.
func plainChromeArticle(size int) string {
	var b strings.Builder
	b.WriteString("Skip to main content\nHome › Blog › Skin\n\nChrome Pasted From a Blog\n\nBy Dr Jo Roe · 4 min read\nTags: gut, skin\n\n")
	n := 0
	for b.Len() < size {
		n++
		fmt.Fprintf(&b, "Section Number %d\n\n%s Author%d et al. (2020) looked at it [%d]. ➡️ Book a consultation with me today.\n\n", n, strings.Repeat("The gut and the skin talk to each other in several ways. ", 3), n, n)
		b.WriteString("Share: Facebook · X · WhatsApp · Copy link\nFollow us on Instagram @gutskin for more.\n\n")
		b.WriteString("---\n📬 The Letter\nOne study a month.\n[ Your email ] [ Sign me up ]\n---\n\nRead more: Another Post Title\n\nRelated posts\n\nA Post Title\n\nAnother Post Title\n\n")
	}
	b.WriteString("References:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d. Author%d A (2020). Study %d.\n", i, i, i)
	}
	return b.String() + "\nComments (1)\n\nJo · 2 days ago\nNice.\n\n© 2025 Blog · Privacy\n"
}

// The benchmarks guard against work per marker that grows with the
// article; each hostile article should load about as fast per byte as
// ordinary prose of the same size, measured in the same run:
// `go test -run '^$' -bench Load ./corpus/`.
func BenchmarkLoadProse(b *testing.B) {
	src := proseArticle(benchArticleSize)
	benchmarkLoad(b, src, strings.Count(src, "Kefir is"))
}

func BenchmarkLoadPlainTextProse(b *testing.B) {
	src := plainProseArticle(benchArticleSize)
	benchmarkLoadFile(b, "a.txt", src, strings.Count(src, "Kefir is"))
}

func BenchmarkLoadPlainTextChrome(b *testing.B) {
	src := plainChromeArticle(benchArticleSize)
	benchmarkLoadFile(b, "a.txt", src, strings.Count(src, "Section Number"))
}

func BenchmarkLoadSuperscripts(b *testing.B) {
	benchmarkLoad(b, superscriptArticle(benchArticleSize), 0)
}

func BenchmarkLoadAuthorYear(b *testing.B) {
	benchmarkLoad(b, authorYearArticle(benchArticleSize), benchArticleSize/100)
}

func BenchmarkLoadDottedWord(b *testing.B) {
	benchmarkLoad(b, dottedWordArticle(benchArticleSize), 0)
}

// benchmarkLoad loads src, a Markdown article whose passages cite cited
// references in all.
func benchmarkLoad(b *testing.B, src string, cited int) {
	benchmarkLoadFile(b, "a.md", src, cited)
}

// benchmarkLoadFile loads src as the file name, an article whose passages
// cite cited references in all.
func benchmarkLoadFile(b *testing.B, name, src string, cited int) {
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		a, _ := loadOne(b, name, src)
		refs := map[string]bool{}
		for _, p := range a.Passages {
			for _, c := range p.Citations {
				if c.Label != "" {
					refs[c.Label] = true
				}
			}
		}
		if len(a.Passages) == 0 || len(refs) != cited {
			b.Fatalf("%d passages cite %d references, want %d", len(a.Passages), len(refs), cited)
		}
	}
}
