package webpage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"gutskin/corpus"

	"go.yaml.in/yaml/v3"
)

// fixtureURL is where testdata/blog-post.html pretends to come from; the
// page's canonical link names the same address.
const fixtureURL = "https://example.org/blog/rosacea-and-the-gut"

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readFixture reads the blog-post fixture through Read.
func readFixture(t *testing.T) Article {
	t.Helper()
	a, err := Read(readTestdata(t, "blog-post.html"), fixtureURL)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return a
}

func TestReadFixtureMetadata(t *testing.T) {
	a := readFixture(t)
	for _, c := range []struct{ field, got, want string }{
		{"Title", a.Title, "Rosacea and the gut: what the studies show"},
		{"Author", a.Author, "Lena Hart"},
		{"Published", a.Published, "2025-03-14"},
		{"Source", a.Source, fixtureURL},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

func TestReadFixtureKeepsTheArticle(t *testing.T) {
	md := readFixture(t).Markdown
	for _, want := range []string{
		// The h2 sections, as "##".
		"\n## Bacterial overgrowth in the small intestine\n",
		"\n## The stomach bug H. pylori\n",
		"\n## References\n",
		// The bulleted list.
		"\n- of the 28 people whose overgrowth was cleared, 20 saw their skin lesions clear and 6 more improved a lot;\n",
		"\n- 18 of the 20 people given the placebo saw no change in their skin;\n",
		"\n- the improvement was still there at least 9 months later.\n",
		// Citation markers the corpus reads: <sup><a href="#ref-1">1</a></sup>,
		// <sup>3</sup>, and "[2]" and "[1, 2]" written in the text.
		"without it [1]. The overgrowth",
		"rosacea [3]. The method",
		"without it [2]. Infection",
		"without it [1, 2].",
		"or a placebo [1]:",
		// A relative link, resolved against the page.
		"[skin barrier basics](https://example.org/skin/skin-barrier-basics/)",
		// The reference list, numbered, with its DOI links.
		"\n1. Parodi A, Paolino S,",
		"\n2. Gao Y, Yang XJ,",
		"\n3. Long J, Gu J,",
		"(https://doi.org/10.1016/j.cgh.2008.02.054)",
		"(https://doi.org/10.1371/journal.pone.0301703)",
		"(https://doi.org/10.3390/microorganisms11102586)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if !strings.HasPrefix(md, "## Is rosacea linked to the gut?\n") {
		t.Errorf("Markdown starts %q, want the first section's heading", firstLine(md))
	}
	for _, bad := range []string{`\[`, "](#", "#ref-", "rosacea3", "it1", "placebo1"} {
		if strings.Contains(md, bad) {
			t.Errorf("Markdown holds %q: %s", bad, context(md, bad))
		}
	}
	if regexp.MustCompile(`(?m)^# `).MatchString(md) || strings.Contains(md, "what the studies show") {
		t.Errorf("Markdown repeats the title as a heading:\n%s", md)
	}
}

func TestReadFixtureDropsChrome(t *testing.T) {
	md := strings.ToLower(readFixture(t).Markdown)
	for _, phrase := range []string{
		"cookie", "consent", "accept all", "manage preferences", // cookie banner
		"home", "recipes", "about us", "shop", // navigation
		"share", "facebook", "copy link", // share bar
		"lena hart", "14 march 2025", "min read", // byline
		"tags:",                                                   // tag line
		"newsletter", "sign up", "subscribe", "inbox", "discount", // newsletter box
		"related posts", "ten smoothie recipes", "gentle cleansers", "fermented breakfast bowls", // related posts
		"comments", "priya", "helpful for my mum", "moisturiser", "leave a comment", // comments
		"©", "all rights reserved", "privacy policy", "terms of use", // footer
	} {
		if strings.Contains(md, phrase) {
			t.Errorf("Markdown holds page chrome %q: %s", phrase, context(md, phrase))
		}
	}
}

// TestReadFixtureLoadsInCorpus imports the fixture as the library would
// and reads it back with the real corpus reader.
func TestReadFixtureLoadsInCorpus(t *testing.T) {
	page := readTestdata(t, "blog-post.html")
	a, err := Read(page, fixtureURL)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	front, err := yaml.Marshal(struct {
		Title     string `yaml:"title"`
		Source    string `yaml:"source"`
		Author    string `yaml:"author"`
		Published string `yaml:"published"`
	}{a.Title, a.Source, a.Author, a.Published})
	if err != nil {
		t.Fatal(err)
	}
	file := "---\n" + string(front) + "---\n\n" + a.Markdown
	lib, err := corpus.Load(fstest.MapFS{"article.md": {Data: []byte(file)}})
	if err != nil {
		t.Fatalf("corpus.Load: %v", err)
	}
	if len(lib.Skipped) != 0 {
		t.Fatalf("skipped: %v", lib.Skipped)
	}
	if len(lib.Articles) != 1 {
		t.Fatalf("%d articles, want 1", len(lib.Articles))
	}
	for _, w := range lib.Warnings {
		t.Errorf("warning: %s", w)
	}
	art := lib.Articles[0]
	if art.Title != a.Title || art.Source != fixtureURL || art.Author != "Lena Hart" || art.Published != "2025-03-14" {
		t.Errorf("front matter read back as %+v", art.ArticleInfo)
	}
	if len(art.Passages) == 0 {
		t.Fatal("no passages")
	}
	wantRefs := bytes.Count(page, []byte(`<li id="ref-`))
	if len(art.References) != wantRefs {
		t.Fatalf("%d references, want the fixture's %d: %+v", len(art.References), wantRefs, art.References)
	}
	for i, doi := range []string{"10.1016/j.cgh.2008.02.054", "10.1371/journal.pone.0301703", "10.3390/microorganisms11102586"} {
		if art.References[i].DOI != doi {
			t.Errorf("reference %d has DOI %q, want %q", i+1, art.References[i].DOI, doi)
		}
	}
	cited := map[string]bool{}
	for _, p := range art.Passages {
		for _, c := range p.Citations {
			cited[c.Label] = true
		}
		if strings.Contains(p.Text, "[") || strings.Contains(p.Text, `\`) {
			t.Errorf("passage text keeps marker syntax: %q", p.Text)
		}
	}
	for _, label := range []string{"1", "2", "3"} {
		if !cited[label] {
			t.Errorf("no passage cites reference %s", label)
		}
	}
}

// page wraps an article body in a small blog page with the given head.
func page(head, body string) []byte {
	return []byte(`<!DOCTYPE html><html><head>` + head + `</head><body>
<nav><a href="/">Home</a> <a href="/blog/">Blog</a></nav>
<article>` + body + `
<p>` + filler + `</p>
<p>` + filler + `</p>
</article>
<footer>© 2025 Example</footer></body></html>`)
}

// filler is prose enough for readability to take a page for an article.
const filler = `The gut and the skin are both borders between the body and the world outside, and both are home to many microbes, so researchers have long wondered whether what happens in one can be seen in the other, and how far that idea really goes.`

const testURL = "https://blog.example.org/2025/03/post"

func TestReadTitle(t *testing.T) {
	for _, c := range []struct {
		name, head, body, want string
	}{
		{"og:title wins over <title>", `<title>Rosacea and the gut | Clear Skin Notes</title><meta property="og:title" content="Rosacea and the gut">`,
			`<h1>Something else entirely</h1>`, "Rosacea and the gut"},
		{"h1 without og:title (the <title> has the site's name)", `<title>Gut and skin | My Blog</title>`,
			`<h1>Gut and skin</h1>`, "Gut and skin"},
		{"site name from og:site_name, before the title", `<title>Clear Skin Notes – Rosacea and the gut</title><meta property="og:site_name" content="Clear Skin Notes">`,
			``, "Rosacea and the gut"},
		{"site name from the host name", `<title>Fibre and the skin barrier — Blog Example</title>`,
			``, "Fibre and the skin barrier"},
		{"a dash inside a title stays", `<title>Rosacea and the gut – what we know so far</title>`,
			``, "Rosacea and the gut – what we know so far"},
		{"short pipe suffix", `<title>What fibre does for the skin | SkinFacts</title>`,
			``, "What fibre does for the skin"},
		{"JSON-LD headline", `<title>Blog Example</title><script type="application/ld+json">{"@context":"https://schema.org","@type":"BlogPosting","headline":"Fibre, butyrate and the skin"}</script>`,
			``, "Fibre, butyrate and the skin"},
		{"og:title that only names the site", `<meta property="og:title" content="Blog Example"><meta property="og:site_name" content="Blog Example">`,
			`<h1>Zinc and the gut</h1>`, "Zinc and the gut"},
		{"no title but a heading", ``, `<h2>Notes on fibre</h2>`, "Notes on fibre"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Read(page(c.head, c.body), testURL)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if a.Title != c.want {
				t.Errorf("Title = %q, want %q", a.Title, c.want)
			}
			if strings.Contains(a.Markdown, "# "+c.want+"\n") {
				t.Errorf("the title is repeated in the body:\n%s", a.Markdown)
			}
		})
	}
}

func TestReadHeadings(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"h1 title, h2 sections, h3 subsections",
			`<h1>Title</h1><h2>First</h2><p>` + filler + `</p><h3>Inner</h3><p>` + filler + `</p><h2>Second</h2>`,
			[]string{"## First", "### Inner", "## Second"}},
		{"h1 title, h3 sections, h4 subsections",
			`<h1>Title</h1><h3>First</h3><p>` + filler + `</p><h4>Inner</h4><p>` + filler + `</p><h3>Second</h3>`,
			[]string{"## First", "### Inner", "## Second"}},
		{"h1 title and h1 sections",
			`<h1>Title</h1><h1>First</h1><p>` + filler + `</p><h2>Inner</h2><p>` + filler + `</p><h1>Second</h1>`,
			[]string{"## First", "### Inner", "## Second"}},
		{"all six levels",
			`<h1>Title</h1><h2>A</h2><p>` + filler + `</p><h3>B</h3><h4>C</h4><h5>D</h5><h6>E</h6><p>` + filler + `</p>`,
			[]string{"## A", "### B", "#### C", "##### D", "###### E"}},
		// Readability drops the first h2 that resembles the title; a
		// section's heading must survive.
		{"a section heading in the title's words",
			`<h1>Title</h1><h2>Title and more</h2><p>` + filler + `</p><h2>Second</h2>`,
			[]string{"## Title and more", "## Second"}},
		{"a section heading in the title's words, no h1",
			`<h2>Title, again</h2><p>` + filler + `</p><h2>Second</h2>`,
			[]string{"## Title, again", "## Second"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Read(page(`<title>Title | Site</title>`, c.body), testURL)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var got []string
			for _, l := range strings.Split(a.Markdown, "\n") {
				if strings.HasPrefix(l, "#") {
					got = append(got, l)
				}
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("headings %q, want %q\n%s", got, c.want, a.Markdown)
			}
			if a.Title != "Title" {
				t.Errorf("Title = %q", a.Title)
			}
		})
	}
}

func TestReadCitationsAndLinks(t *testing.T) {
	for _, c := range []struct {
		name, html string
		want       []string
		not        []string
	}{
		{"superscript", `the skin<sup>1</sup> too`, []string{"the skin [1] too"}, []string{"skin1"}},
		{"linked superscript after a period", `the skin.<sup><a href="#ref-1">1</a></sup> Then`, []string{"the skin. [1] Then"}, []string{"(#ref-1)"}},
		{"superscript list", `gut<sup>1,2</sup>.`, []string{"gut [1, 2]."}, nil},
		{"superscript range", `gut<sup>2-4</sup>.`, []string{"gut [2–4]."}, nil},
		{"bracketed superscript", `gut<sup>[5]</sup>.`, []string{"gut [5]."}, nil},
		{"two superscripts", `gut<sup>1</sup><sup>2</sup>.`, []string{"gut [1] [2]."}, nil},
		{"bracket markers in the text", `gut [2] and skin [1, 3] and [1–3].`, []string{"gut [2] and skin [1, 3] and [1–3]."}, []string{`\[`}},
		{"a footnote link", `gut<sup id="fnref:3"><a href="#fn:3" class="footnote-ref">3</a></sup>.`, []string{"gut [3]."}, nil},
		{"an in-page number link", `gut <a href="#cite-4">4</a>.`, []string{"gut [4]."}, nil},
		{"power of ten", `1×10<sup>9</sup> CFU a day`, []string{"1×10⁹ CFU a day"}, []string{"[9]"}},
		{"superscript word", `the 1<sup>st</sup> trial`, []string{"the 1st trial"}, nil},
		{"unicode superscripts stay", `the gut.² Then`, []string{"the gut.² Then"}, nil},
		{"caret marker stays", `the gut^2 and`, []string{"the gut^2 and"}, nil},
		{"in-page link is text", `see <a href="#methods">the methods</a> below`, []string{"see the methods below"}, []string{"](#"}},
		{"same-page link with a fragment is text", `see <a href="` + testURL + `#methods">the methods</a>`, []string{"see the methods"}, []string{"]("}},
		{"absolute link stays", `<a href="https://doi.org/10.1000/x1">a paper</a>`, []string{"[a paper](https://doi.org/10.1000/x1)"}, nil},
		{"relative link resolved", `<a href="../about/">about</a> and <a href="/faq">faq</a>`,
			[]string{"[about](https://blog.example.org/2025/about/)", "[faq](https://blog.example.org/faq)"}, nil},
		{"javascript link is text", `<a href="javascript:void(0)">click</a> here`, []string{"click here"}, []string{"javascript"}},
		{"empty link goes", `x <a href="https://example.org/"></a> y`, []string{"x y"}, []string{"example.org"}},
		{"link-like text stays escaped", `a [1](x) b`, []string{`\[1](x)`}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Read(page(`<title>Citations and links test</title>`, `<h1>Citations and links test</h1><p>`+c.html+`</p>`), testURL)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(a.Markdown, w) {
					t.Errorf("Markdown lacks %q:\n%s", w, firstLine(a.Markdown))
				}
			}
			for _, n := range c.not {
				if strings.Contains(a.Markdown, n) {
					t.Errorf("Markdown holds %q:\n%s", n, firstLine(a.Markdown))
				}
			}
		})
	}
}

// TestReadChromeWithoutClassNames checks chrome that only its words give
// away, inside the article, where no class name marks it.
func TestReadChromeWithoutClassNames(t *testing.T) {
	a, err := Read(page(`<title>Chrome test title</title>`, `<h1>Chrome test title</h1>
<p>By Jo Roe</p><p>Updated 4 March 2025</p>
<p>Share this: Facebook · Twitter · Email</p>
<h2>What we know</h2><p>`+filler+`</p>
<p>Sign up for our newsletter to get weekly tips!</p>
<h3>Related posts</h3><ul><li><a href="/a">Ten smoothie recipes</a></li><li><a href="/b">Five cleansers</a></li></ul>
<h2>What we do not know</h2><p>`+filler+`</p>
<p>© 2025 Example Ltd. All rights reserved.</p>`), testURL)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for _, bad := range []string{"Jo Roe", "Updated", "Share", "newsletter", "Related", "smoothie", "cleansers", "©"} {
		if strings.Contains(a.Markdown, bad) {
			t.Errorf("Markdown holds %q:\n%s", bad, a.Markdown)
		}
	}
	for _, want := range []string{"## What we know\n\n" + filler, "## What we do not know\n\n" + filler} {
		if !strings.Contains(a.Markdown, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, a.Markdown)
		}
	}
}

// TestReadKeepsProse checks text that looks a little like chrome but is
// the article's.
func TestReadKeepsProse(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"first paragraph starting with By", `<p>By the age of two, many children have had a rash.</p>`, "By the age of two, many children have had a rash."},
		{"first paragraph starting with Published", `<p>Published research on this is thin.</p>`, "Published research on this is thin."},
		{"a Notes section of prose", `<h2>Notes</h2><p>We left out studies in mice.</p>`, "## Notes\n\nWe left out studies in mice."},
		{"a Notes list", `<h2>Notes</h2><ol><li>Salem I (2018). A review.</li></ol>`, "## References\n\n1. Salem I (2018). A review."},
		{"a date in a sentence", `<p>On 4 March 2025 the trial began.</p>`, "On 4 March 2025 the trial began."},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Read(page(`<title>Prose test title</title>`, `<h1>Prose test title</h1>`+c.body), testURL)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !strings.Contains(a.Markdown, c.want) {
				t.Errorf("Markdown lacks %q:\n%s", c.want, a.Markdown)
			}
		})
	}
}

func TestReadReferenceList(t *testing.T) {
	refs := `<li>Salem I, Ramser A, Isham N, Ghannoum MA (2018). The Gut Microbiome as a Major Regulator of the Gut-Skin Axis. <em>Frontiers in Microbiology</em> 9:1459. doi:<a href="https://doi.org/10.3389/fmicb.2018.01459">10.3389/fmicb.2018.01459</a></li>`
	for _, c := range []struct{ name, body string }{
		{"h2 References", `<h2>References</h2><ol>` + refs + `</ol>`},
		{"h3 Sources", `<h3>Sources</h3><ol>` + refs + `</ol>`},
		{"bold label", `<p><strong>References:</strong></p><ol>` + refs + `</ol>`},
		{"in the article's footer", `<footer><h3>References</h3><ol>` + refs + `</ol></footer>`},
		{"footnote list with no heading", `<div class="footnotes"><hr><ol>` + strings.Replace(refs, "<li>", `<li id="fn:1">`, 1) + `</ol></div>`},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := `<h1>A title for the test</h1><h2>Section</h2><p>` + filler + ` [1]</p><p>` + filler + `</p>` + c.body
			a, err := Read([]byte(`<html><head><title>A title for the test</title></head><body><article>`+body+`</article></body></html>`), testURL)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			want := "\n## References\n\n1. Salem I, Ramser A, Isham N, Ghannoum MA (2018). The Gut Microbiome as a Major Regulator of the Gut-Skin Axis. *Frontiers in Microbiology* 9:1459. doi:[10.3389/fmicb.2018.01459](https://doi.org/10.3389/fmicb.2018.01459)\n"
			if !strings.HasSuffix(a.Markdown, want) {
				t.Errorf("Markdown does not end with the reference list:\n%s", a.Markdown)
			}
		})
	}
}

func TestReadPublished(t *testing.T) {
	for _, c := range []struct{ name, head, body, want string }{
		{"article:published_time with an offset", `<meta property="article:published_time" content="2024-02-03T23:30:00-05:00">`, ``, "2024-02-03"},
		{"JSON-LD datePublished", `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"A headline for the test","datePublished":"2023-07-09"}</script>`, ``, "2023-07-09"},
		{"<time datetime> in the article", ``, `<p class="post-date"><time datetime="2022-12-01T08:00">1 Dec</time></p>`, "2022-12-01"},
		{"<time> text", ``, `<p><time>5 March 2021</time></p>`, "2021-03-05"},
		{"itemprop meta", `<meta itemprop="datePublished" content="2020-01-31">`, ``, "2020-01-31"},
		{"none", ``, ``, ""},
		{"nonsense", `<meta property="article:published_time" content="yesterday-ish">`, ``, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Read(page(`<title>A headline for the test</title>`+c.head, `<h1>A headline for the test</h1>`+c.body), testURL)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if a.Published != c.want {
				t.Errorf("Published = %q, want %q", a.Published, c.want)
			}
			if c.want != "" && strings.Contains(a.Markdown, c.want[:4]) {
				t.Errorf("the date line stayed in the body:\n%s", a.Markdown)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2025-03-14":                    "2025-03-14",
		"2025-3-4":                      "2025-03-04",
		"2025-03-14T08:30:00+00:00":     "2025-03-14",
		"14 March 2025":                 "2025-03-14",
		"March 14, 2025":                "2025-03-14",
		"March 14th, 2025":              "2025-03-14",
		"Fri, 14 Mar 2025 08:30:00 GMT": "2025-03-14",
		"03/04/2025":                    "",
		"2025-13-40":                    "",
		"0001-01-01":                    "",
		"soon":                          "",
		"":                              "",
	} {
		if got := parseDate(in); got != want {
			t.Errorf("parseDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadAuthor(t *testing.T) {
	for _, c := range []struct{ name, head, body, want string }{
		{"meta author", `<meta name="author" content="Jo Roe">`, ``, "Jo Roe"},
		{"byline element", ``, `<p class="byline">By <a rel="author" href="/jo">Jo Roe</a> · 3 May 2024 · 4 min read</p>`, "Jo Roe"},
		{"itemprop name", ``, `<div itemprop="author" itemscope><span itemprop="name">Sam Lee</span>, dietitian</div>`, "Sam Lee"},
		{"JSON-LD authors", `<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article","headline":"Some headline here","author":[{"@type":"Person","name":"A Bee"},{"@type":"Person","name":"C Dee"}]}</script>`, ``, "A Bee, C Dee"},
		{"a profile URL is no name", `<meta property="article:author" content="https://www.facebook.com/someone">`, ``, ""},
		{"none", ``, ``, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := Read(page(`<title>Some headline here</title>`+c.head, `<h1>Some headline here</h1>`+c.body), testURL)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if a.Author != c.want {
				t.Errorf("Author = %q, want %q", a.Author, c.want)
			}
			if c.want != "" && strings.Contains(a.Markdown, c.want) {
				t.Errorf("the byline stayed in the body:\n%s", a.Markdown)
			}
		})
	}
}

func TestCleanByline(t *testing.T) {
	for in, want := range map[string]string{
		"Lena Hart": "Lena Hart",
		"By Lena Hart · 14 March 2025 · 5 min read": "Lena Hart",
		"Written by Sam Doe on 3 May 2024":          "Sam Doe",
		"Posted by Sam Doe | Updated 4 May":         "Sam Doe",
		"by Jo Roe, RD":                             "Jo Roe, RD",
		"https://example.org/authors/jo":            "",
		"5 min read":                                "",
		"":                                          "",
	} {
		if got := cleanByline(in); got != want {
			t.Errorf("cleanByline(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadSource(t *testing.T) {
	for _, c := range []struct{ name, pageURL, canonical, want string }{
		{"no canonical", testURL + "?utm_source=discord#top", "", testURL + "?utm_source=discord"},
		{"canonical on the same host", testURL + "?utm_source=discord", testURL, testURL},
		{"canonical on the www. host", testURL, "https://www.blog.example.org/2025/03/post", "https://www.blog.example.org/2025/03/post"},
		{"canonical on another host", testURL, "https://elsewhere.example.com/post", testURL},
		{"relative canonical", testURL, "/2025/03/post-amp", testURL},
		{"canonical to the home page", testURL, "https://blog.example.org/", testURL},
		{"canonical with another scheme", testURL, "ftp://blog.example.org/2025/03/post", testURL},
	} {
		t.Run(c.name, func(t *testing.T) {
			head := `<title>A headline for the test</title>`
			if c.canonical != "" {
				head += `<link rel="canonical" href="` + c.canonical + `">`
			}
			a, err := Read(page(head, `<h1>A headline for the test</h1>`), c.pageURL)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if a.Source != c.want {
				t.Errorf("Source = %q, want %q", a.Source, c.want)
			}
		})
	}
}

func TestUnescapeMarkers(t *testing.T) {
	for in, want := range map[string]string{
		`gut \[1] and \[1, 2] and \[1–3] and \[2-4].`: "gut [1] and [1, 2] and [1–3] and [2-4].",
		`a \[1]\[2] b`:        "a [1][2] b",
		`a \[1](x) b`:         `a \[1](x) b`,
		`a \[1]\: b`:          `a [1]\: b`,
		`a \[1]: b`:           `a [1]: b`,
		"\\[1]: a definition": "\\[1]: a definition",
		`\[citation needed]`:  `\[citation needed]`,
		`[\[1\]](https://x)`:  `[\[1\]](https://x)`,
	} {
		if got := unescapeMarkers(in); got != want {
			t.Errorf("unescapeMarkers(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReadHostile feeds Read pages that hold no article, or are built to
// hurt: it must answer each with a one-line error or an article, never a
// panic, and quickly.
func TestReadHostile(t *testing.T) {
	deep := strings.Repeat("<div>", 200_000) + "text"
	nested := strings.Repeat(strings.Repeat("<div><span>", 200)+filler+strings.Repeat("</span></div>", 200), 1<<20/(200*24+len(filler)))
	junk := make([]byte, 1<<16)
	for i := range junk {
		junk[i] = byte(i*7919 + i/3)
	}
	for _, c := range []struct {
		name      string
		page      string
		url       string
		noArticle bool // the error must wrap ErrNoArticle
		mayRead   bool // an article is an acceptable answer
	}{
		{name: "empty", page: "", noArticle: true},
		{name: "white space", page: " \n\t ", noArticle: true},
		{name: "only navigation", page: `<html><head><title>Site</title></head><body><nav><ul><li><a href="/">Home</a></li><li><a href="/a">About</a></li></ul></nav><div class="menu"><a href="/b">Blog</a> · <a href="/c">Contact</a></div></body></html>`, noArticle: true},
		{name: "only chrome", page: `<html><body><div class="cookie-banner">We use cookies. Accept?</div><header>My Site</header><footer>© 2025 My Site. All rights reserved.</footer></body></html>`, noArticle: true},
		{name: "a page of links", page: `<html><body><div>` + strings.Repeat(`<a href="/x">A link with a long title of its own</a> `, 200) + `</div></body></html>`, noArticle: true},
		{name: "binary junk", page: "\x89PNG\r\n\x1a\n" + string(junk)},
		{name: "NUL bytes", page: "<html><body><p>" + strings.Repeat("a\x00b ", 200) + "</p></body></html>", mayRead: true},
		{name: "invalid UTF-8", page: "<html><head><title>\xff\xfe T\xe9st title</title></head><body><article><h1>T\xe9st</h1><p>" + filler + "\xc3</p></article></body></html>", mayRead: true},
		{name: "UTF-16 page", page: "\xff\xfe" + utf16le(`<html><head><title>UTF-16 title here</title></head><body><article><p>`+filler+`</p></article></body></html>`), mayRead: true},
		{name: "too deep", page: deep},
		{name: "1 MB of deep nesting", page: nested, mayRead: true},
		{name: "too big", page: strings.Repeat("<p>x</p>", MaxPageSize/8+1)},
		{name: "too many elements", page: strings.Repeat("<i>", 200_000)},
		{name: "many markers after empty elements", page: "<article><h1>Title</h1><p>" + filler + strings.Repeat("<span></span>", 40_000) + strings.Repeat("word<sup>1</sup> ", 20_000) + "</p></article>", mayRead: true},
		{name: "many short lists", page: "<article><h1>Title</h1><p>" + filler + "</p>" + strings.Repeat("<ul><li>Subscribe now</li></ul>", 30_000) + "</article>", mayRead: true},
		{name: "unclosed everything", page: `<html><body><article><h1>Title<p>` + filler + `<sup><a href="#r1">1<ol><li id="r1">Ref`, mayRead: true},
		{name: "sup in a title", page: `<html><body><article><h1><sup>1</sup></h1><p>` + filler + `</p></article></body></html>`, mayRead: true},
		{name: "relative page URL", page: string(page("", "<h1>A fine title</h1>")), url: "/blog/post"},
		{name: "ftp page URL", page: string(page("", "<h1>A fine title</h1>")), url: "ftp://example.org/post"},
		{name: "no page URL", page: string(page("", "<h1>A fine title</h1>")), url: " "},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := c.url
			if u == "" {
				u = testURL
			}
			start := time.Now()
			a, err := Read([]byte(c.page), u)
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
			if err != nil {
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error is not one line: %q", err)
				}
				if c.noArticle && !errors.Is(err, ErrNoArticle) {
					t.Errorf("error %q does not wrap ErrNoArticle", err)
				}
				t.Logf("error: %v", err)
				return
			}
			if !c.mayRead {
				t.Fatalf("no error; read %+v", a)
			}
			checkArticle(t, a)
			t.Logf("read %q (%d bytes of Markdown): %.120q", a.Title, len(a.Markdown), a.Markdown)
		})
	}
}

func utf16le(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r))
		b.WriteByte(byte(r >> 8))
	}
	return b.String()
}

// checkArticle checks what every article Read returns must be.
func checkArticle(t *testing.T, a Article) {
	t.Helper()
	if strings.TrimSpace(a.Title) == "" || strings.TrimSpace(a.Markdown) == "" {
		t.Fatalf("empty title or Markdown: %+v", a)
	}
	for name, s := range map[string]string{"Title": a.Title, "Author": a.Author, "Published": a.Published, "Source": a.Source, "Markdown": a.Markdown} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			t.Errorf("%s is not clean UTF-8 text: %q", name, s)
		}
	}
	if strings.ContainsAny(a.Title, "\n\r") || strings.ContainsAny(a.Author, "\n\r") {
		t.Errorf("title or author spans lines: %q, %q", a.Title, a.Author)
	}
	if a.Published != "" {
		if _, err := time.Parse(time.DateOnly, a.Published); err != nil {
			t.Errorf("Published = %q, not YYYY-MM-DD", a.Published)
		}
	}
}

func FuzzRead(f *testing.F) {
	// Small seeds: the fuzzer minimises every input that finds new code, and
	// minimising a page the size of testdata/blog-post.html takes it most
	// of a short run.
	f.Add([]byte(`<html><head><title>Gut and skin | My Blog</title><meta property="og:site_name" content="My Blog">` +
		`<meta property="article:published_time" content="2025-03-14T08:30:00Z"><link rel="canonical" href="/p"></head><body>` +
		`<div class="cookie-banner">We use cookies.</div><nav><a href="/">Home</a></nav><main><article><h1>Gut and skin</h1>` +
		`<p class="byline">By <a rel="author" href="/a">Jo Roe</a> · <time datetime="2025-03-14">14 March</time></p>` +
		`<div class="share-bar">Share: <a href="#">X</a></div><h2>Is it linked?</h2><p>` + filler + `<sup><a href="#ref-1">1</a></sup></p>` +
		`<ul><li>one [2]</li><li>two</li></ul><h2>References</h2><ol><li id="ref-1">Salem I (2018). doi:<a href="https://doi.org/10.3389/fmicb.2018.01459">10.3389/fmicb.2018.01459</a></li></ol>` +
		`</article><section class="related-posts"><h2>Related posts</h2><ul><li><a href="/x">Ten smoothie recipes</a></li></ul></section></main>` +
		`<footer>© 2025 My Blog</footer></body></html>`))
	f.Add(page(`<title>Gut and skin | My Blog</title>`, `<h1>Gut and skin</h1><p>gut<sup>1,2</sup> and [3] and 10<sup>9</sup> <a href="#x">4</a></p><h2>References</h2><ol><li id="ref-1">A ref (2020)</li></ol>`))
	f.Add([]byte(`<html><body><nav><a href="/">Home</a></nav></body></html>`))
	f.Add([]byte(""))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00"))
	f.Add([]byte(`<article><h1>T</h1><h1></h1><sup><sup>1</sup></sup><a href="#"></a><p><strong>Sources:</strong></p><ul><li>x</li></ul>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Read(data, testURL)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			return
		}
		checkArticle(t, a)
	})
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// context returns the text around the first occurrence of sub in s.
func context(s, sub string) string {
	i := strings.Index(s, sub)
	if i < 0 {
		return ""
	}
	return s[max(0, i-60):min(len(s), i+len(sub)+60)]
}
