package corpus

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// prose returns a paragraph of about 35 words about topic, long enough to
// stand alone as a passage.
func prose(topic string) string {
	return fmt.Sprintf("This paragraph explains %s in plain words, with enough detail that a reader who asks about it in the community gets a useful answer without reading the rest of the article first.", topic)
}

func TestMarkdownFrontMatter(t *testing.T) {
	body := "\n" + prose("the gut and the skin") + "\n"
	tests := []struct {
		name      string
		header    string
		want      ArticleInfo
		tags      []string
		warnLine  int // line of the expected warning, 0 for none
		warnMatch string
	}{
		{
			name:   "all fields",
			header: "title: Fibre and the skin\nsource: https://example.org/fibre\nauthor: Ada Moss\npublished: 2024-05-01\ntags: [fibre, acne]\n",
			want:   ArticleInfo{Title: "Fibre and the skin", Source: "https://example.org/fibre", Author: "Ada Moss", Published: "2024-05-01"},
			tags:   []string{"fibre", "acne"},
		},
		{
			name:   "quoted title with a colon, year only",
			header: "title: \"Kefir: a fermented drink\"\npublished: 2019\n",
			want:   ArticleInfo{Title: "Kefir: a fermented drink", Published: "2019"},
			tags:   []string{},
		},
		{
			name:   "tags as a block list",
			header: "title: Sleep\ntags:\n  - stress\n  - sleep\n",
			want:   ArticleInfo{Title: "Sleep"},
			tags:   []string{"stress", "sleep"},
		},
		{
			name:   "tags as a scalar",
			header: "title: Sleep\ntags: stress\n",
			want:   ArticleInfo{Title: "Sleep"},
			tags:   []string{"stress"},
		},
		{
			name:   "empty and null fields",
			header: "title: Sleep\nsource:\nauthor: ~\ntags: []\n",
			want:   ArticleInfo{Title: "Sleep"},
			tags:   []string{},
		},
		{
			name:      "published as a month name is left out with a warning",
			header:    "title: Sleep\nauthor: Ada Moss\npublished: May 2019\n",
			want:      ArticleInfo{Title: "Sleep", Author: "Ada Moss"},
			tags:      []string{},
			warnLine:  4,
			warnMatch: `published "May 2019"`,
		},
		{
			name:      "published as an impossible date is left out with a warning",
			header:    "title: Sleep\npublished: \"2024-13-40\"\n",
			want:      ArticleInfo{Title: "Sleep"},
			tags:      []string{},
			warnLine:  3,
			warnMatch: `published "2024-13-40"`,
		},
		{
			name:      "published with a time is left out with a warning",
			header:    "title: Sleep\npublished: 2024-05-01T10:00:00Z\n",
			want:      ArticleInfo{Title: "Sleep"},
			tags:      []string{},
			warnLine:  3,
			warnMatch: "not YYYY-MM-DD or YYYY",
		},
		{
			name:   "unknown fields are ignored",
			header: "title: Sleep\nlayout: post\ndraft: true\n",
			want:   ArticleInfo{Title: "Sleep"},
			tags:   []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.md", "---\n"+tt.header+"---\n"+body)
			if a.ArticleInfo != tt.want {
				t.Errorf("info = %+v, want %+v", a.ArticleInfo, tt.want)
			}
			if !slices.Equal(a.Tags, tt.tags) || a.Tags == nil {
				t.Errorf("tags = %#v, want %#v", a.Tags, tt.tags)
			}
			for _, p := range a.Passages {
				if p.Article != tt.want {
					t.Errorf("passage article = %+v, want %+v", p.Article, tt.want)
				}
			}
			if tt.warnLine == 0 {
				if len(lib.Warnings) != 0 {
					t.Errorf("unexpected warnings %v", lib.Warnings)
				}
				return
			}
			if len(lib.Warnings) != 1 || lib.Warnings[0].File != "a.md" || lib.Warnings[0].Line != tt.warnLine ||
				!strings.Contains(lib.Warnings[0].Reason, tt.warnMatch) {
				t.Errorf("warnings = %v, want one at a.md:%d containing %q", lib.Warnings, tt.warnLine, tt.warnMatch)
			}
		})
	}
}

func TestMarkdownTitle(t *testing.T) {
	t.Run("H1 repeating the title is not a section", func(t *testing.T) {
		a, _ := loadOne(t, "a.md", md("Fibre and the skin", "# Fibre and the skin\n\n"+prose("fibre")+"\n"))
		if got := a.Passages[0].Section; len(got) != 0 {
			t.Errorf("section = %q, want none", got)
		}
	})
	t.Run("without front matter the first H1 names the article", func(t *testing.T) {
		a, _ := loadOne(t, "a.md", "# Fibre and the skin\n\n"+prose("fibre")+"\n")
		if a.Title != "Fibre and the skin" || len(a.Passages[0].Section) != 0 {
			t.Errorf("title %q section %q", a.Title, a.Passages[0].Section)
		}
	})
	t.Run("a CRLF file with a BOM reads like any other", func(t *testing.T) {
		src := "\uFEFF---\r\ntitle: Fibre\r\npublished: 2020\r\n---\r\n\r\n## Why\r\n\r\n" + prose("fibre") + "\r\n"
		a, _ := loadOne(t, "a.md", src)
		if a.Title != "Fibre" || a.Published != "2020" || !slices.Equal(a.Passages[0].Section, []string{"Why"}) {
			t.Errorf("got %+v section %q", a.ArticleInfo, a.Passages[0].Section)
		}
	})
}

func TestMarkdownBrokenFrontMatter(t *testing.T) {
	body := "\n" + prose("fibre") + "\n"
	tests := []struct {
		name   string
		src    string
		line   int
		reason string
	}{
		{"never closed", "---\ntitle: Fibre\nauthor: Ada\n" + body, 1, "never closed"},
		{"only the opening line", "---", 1, "never closed"},
		{"unquoted colon in a value", "---\ntitle: Fibre: a guide\n---\n" + body, 2, "broken front matter: mapping values are not allowed"},
		{"tab indentation", "---\ntitle: Fibre\n\tauthor: Ada\n---\n" + body, 3, "broken front matter: found a tab"},
		{"bad indentation", "---\ntitle: Fibre\n  author: Ada\n---\n" + body, 3, "broken front matter"},
		{"duplicate key", "---\ntitle: Fibre\ntitle: Fibre again\n---\n" + body, 3, `mapping key "title" already defined at line 2`},
		{"not a mapping", "---\njust some words\n---\n" + body, 2, "broken front matter: cannot unmarshal"},
		{"title is a list", "---\ntitle: [Fibre, Kefir]\n---\n" + body, 2, `field "title" must be a single value`},
		{"author is a mapping", "---\ntitle: Fibre\nauthor:\n  name: Ada\n---\n" + body, 4, `field "author" must be a single value`},
		{"no title field", "---\nauthor: Ada\n---\n" + body, 1, "no title"},
		{"empty title", "---\ntitle: \"\"\n---\n" + body, 1, "no title"},
		{"empty front matter", "---\n---\n" + body, 1, "no title"},
		{"no front matter and no H1", "## Fibre\n" + body, 1, "no title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib := loadFiles(t, map[string]string{"bad.md": tt.src, "good.md": md("Good", body)})
			if len(lib.Articles) != 1 || lib.Articles[0].Slug != "good" {
				t.Fatalf("articles = %d, want only good.md", len(lib.Articles))
			}
			if len(lib.Skipped) != 1 {
				t.Fatalf("skipped = %v, want one", lib.Skipped)
			}
			p := lib.Skipped[0]
			if p.File != "bad.md" || p.Line != tt.line || !strings.Contains(p.Reason, tt.reason) {
				t.Errorf("skipped %q, want bad.md:%d containing %q", p.String(), tt.line, tt.reason)
			}
			checkLibrary(t, lib)
		})
	}
}

// A "---" line with trailing spaces or tabs, as editors leave them, still
// opens and closes front matter, and lines after it keep their numbers.
func TestMarkdownFrontMatterDelimiters(t *testing.T) {
	// The body's paragraph is on line 6 (the header has one field), and its
	// marker [9] points at no reference, so a warning names that line.
	body := "\n" + prose("kefir") + " [9]\n"
	tests := []struct {
		name, open, close string
	}{
		{"trailing space on the opening line", "--- ", "---"},
		{"trailing space on the closing line", "---", "--- "},
		{"trailing tab on the closing line", "---", "---\t"},
		{"spaces and tabs on both lines", "--- \t", "---\t  "},
		{"closing with dots and a space", "---", "... "},
	}
	for _, tt := range tests {
		for _, nl := range []string{"\n", "\r\n"} {
			src := tt.open + nl + "title: Kefir" + nl + "published: 2020" + nl + tt.close + nl + strings.ReplaceAll(body, "\n", nl)
			t.Run(fmt.Sprintf("%s %q", tt.name, nl), func(t *testing.T) {
				lib := loadFiles(t, map[string]string{"a.md": src})
				checkLibrary(t, lib)
				if len(lib.Articles) != 1 || len(lib.Skipped) != 0 {
					t.Fatalf("articles %d, skipped %v", len(lib.Articles), lib.Skipped)
				}
				a := lib.Articles[0]
				if a.Title != "Kefir" || a.Published != "2020" || !strings.HasPrefix(a.Passages[0].Text, "This paragraph explains kefir") {
					t.Errorf("info %+v, passage %q", a.ArticleInfo, a.Passages[0].Text)
				}
				if len(lib.Warnings) != 1 || lib.Warnings[0].String() != "a.md:6: marker [9] points at no reference" {
					t.Errorf("warnings = %v, want a.md:6 marker [9]", lib.Warnings)
				}
			})
		}
	}
	t.Run("errors keep their lines", func(t *testing.T) {
		tests := []struct {
			src    string
			line   int
			reason string
		}{
			{"--- \ntitle: Kefir\ntitle: Again\n---\t\n" + body, 3, `mapping key "title" already defined at line 2`},
			{"---\t\ntitle: Kefir\npublished: soon\n--- \n" + body, 3, `published "soon"`},
			{"--- \ntitle: Kefir\n" + body, 1, "never closed"},
			{"--- \nauthor: Ada\n--- \n" + body, 1, "no title"},
		}
		for _, tt := range tests {
			lib := loadFiles(t, map[string]string{"a.md": tt.src})
			problems := append(lib.Skipped, lib.Warnings...)
			if len(problems) == 0 || problems[0].Line != tt.line || !strings.Contains(problems[0].Reason, tt.reason) {
				t.Errorf("%q: problems %v, want line %d containing %q", tt.src, problems, tt.line, tt.reason)
			}
		}
	})
	t.Run("a longer rule is no delimiter", func(t *testing.T) {
		a, _ := loadOne(t, "a.md", md("Kefir", prose("kefir")+"\n\n---- \n\n"+prose("yogurt")+"\n"))
		if len(a.Passages) != 2 {
			t.Errorf("passages %q", a.Passages)
		}
	})
}

// A YAML syntax error is reported at a line inside the front matter. (yaml
// numbers some parser errors from zero, so the exact line can be one early.)
func TestMarkdownBrokenFrontMatterLineInside(t *testing.T) {
	src := "---\ntitle: Fibre\nauthor: Ada\ntags: [fibre, acne\npublished: 2020\n---\n\n" + prose("fibre") + "\n"
	lib := loadFiles(t, map[string]string{"a.md": src})
	if len(lib.Skipped) != 1 {
		t.Fatalf("skipped = %v", lib.Skipped)
	}
	if p := lib.Skipped[0]; p.Line < 3 || p.Line > 6 || !strings.HasPrefix(p.Reason, "broken front matter: ") {
		t.Errorf("skipped %q, want a broken front matter line between 3 and 6", p.String())
	}
}

func TestMarkdownReferences(t *testing.T) {
	const (
		salem = "Salem I, Ramser A, Isham N, Ghannoum MA (2018). The gut microbiome as a major regulator of the gut-skin axis. Frontiers in Microbiology 9:1459. doi:10.3389/fmicb.2018.01459"
		bowe  = "Bowe WP, Logan AC (2011). Acne vulgaris, probiotics and the gut-brain-skin axis - back to the future? Gut Pathogens 3:1. https://doi.org/10.1186/1757-4749-3-1"
	)
	text := "## Background\n\nA review describes routes from the gut to the skin [1], and an older paper revisits an idea about acne and the bowel [2]. Both are reviews, so they describe ideas rather than prove them.\n\n"
	tests := []struct {
		name   string
		refs   string
		labels []string
	}{
		{"H2 numbered list", "## References\n\n1. " + salem + "\n2. " + bowe + "\n", []string{"1", "2"}},
		{"H1 bulleted list", "# References\n\n- " + salem + "\n- " + bowe + "\n", []string{"1", "2"}},
		{"H3 Sources with star bullets", "### Sources\n\n* " + salem + "\n* " + bowe + "\n", []string{"1", "2"}},
		{"H4 Bibliography", "#### Bibliography\n\n1. " + salem + "\n2. " + bowe + "\n", []string{"1", "2"}},
		{"setext heading", "References\n----------\n\n1. " + salem + "\n2. " + bowe + "\n", []string{"1", "2"}},
		{"heading with a colon", "## References:\n\n1. " + salem + "\n2. " + bowe + "\n", []string{"1", "2"}},
		{"bracket labels in a paragraph", "## References\n\n[1] " + salem + "\n[2] " + bowe + "\n", []string{"1", "2"}},
		{"paragraph per entry", "## References\n\n" + salem + "\n\n" + bowe + "\n", []string{"1", "2"}},
		{"loose numbered list", "## References\n\n1. " + salem + "\n\n2. " + bowe + "\n", []string{"1", "2"}},
		{"bullets with explicit numbers", "## References\n\n- [1] " + salem + "\n- [2] " + bowe + "\n", []string{"1", "2"}},
		// A label in a paragraph rather than a heading.
		{"Sources: with the first entry on its line", "Sources: " + salem + "\n" + bowe + "\n", []string{"1", "2"}},
		{"Source: paragraphs", "Source: " + salem + "\n\nSource: " + bowe + "\n", []string{"1", "2"}},
		{"Source: then a paragraph per entry", "Source: " + salem + "\n\n" + bowe + "\n", []string{"1", "2"}},
		{"bold References paragraph", "**References**\n\n1. " + salem + "\n2. " + bowe + "\n", []string{"1", "2"}},
		{"Sources: paragraph and a list", "Sources:\n\n- " + salem + "\n- " + bowe + "\n", []string{"1", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.md", md("Acne and the gut", text+tt.refs))
			if got := labels(a.References); !slices.Equal(got, tt.labels) {
				t.Fatalf("labels = %q, want %q; refs %+v", got, tt.labels, a.References)
			}
			if a.References[0].Text != salem || a.References[1].Text != bowe {
				t.Errorf("texts = %q", a.References)
			}
			if a.References[0].DOI != "10.3389/fmicb.2018.01459" || a.References[0].URL != "https://doi.org/10.3389/fmicb.2018.01459" {
				t.Errorf("salem doi/url = %q %q", a.References[0].DOI, a.References[0].URL)
			}
			if a.References[1].DOI != "10.1186/1757-4749-3-1" || a.References[1].URL != "https://doi.org/10.1186/1757-4749-3-1" {
				t.Errorf("bowe doi/url = %q %q", a.References[1].DOI, a.References[1].URL)
			}
			if len(a.Passages) != 1 {
				t.Fatalf("want the reference list kept out of the passages, got %d passages", len(a.Passages))
			}
			if got := labels(a.Passages[0].Citations); !slices.Equal(got, []string{"1", "2"}) {
				t.Errorf("citations = %q", got)
			}
			if len(lib.Warnings) != 0 {
				t.Errorf("warnings %v", lib.Warnings)
			}
			checkLibrary(t, lib)
		})
	}
}

func TestMarkdownReferencesSectionEnds(t *testing.T) {
	src := md("Acne", "## What we know\n\n"+prose("acne")+" [1]\n\n## References\n\n1. Bowe WP, Logan AC (2011). Acne vulgaris, probiotics and the gut-brain-skin axis. Gut Pathogens 3:1.\n\n### Further reading\n\n- Another list item, 2020.\n\n## After the list\n\n"+prose("what comes after")+"\n")
	a, _ := loadOne(t, "a.md", src)
	// A sub-heading stays inside the reference section; a heading of the
	// same level ends it.
	if got := labels(a.References); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("labels = %q", got)
	}
	p := passageWith(t, a, "what comes after")
	if !slices.Equal(p.Section, []string{"After the list"}) {
		t.Errorf("section = %q", p.Section)
	}
}

// TestMarkdownSourceParagraphEnds checks that a reference list labelled in
// a paragraph ("Source: …") ends at the first paragraph or list that is no
// reference, and that "Source:" followed by no reference is prose.
func TestMarkdownSourceParagraphEnds(t *testing.T) {
	src := md("Kefir", prose("kefir")+"\n\nSource: Alves E, Rijo P (2022). The impact of kefir on epidermal water homeostasis. Life 12(7):1075.\n\n"+
		prose("what follows the source")+"\n\n- an item that is no reference, and says so in many words to stand alone as a passage\n\n"+
		"Source: my own kitchen, after ten years of fermenting milk for the whole family and the friends who visit.\n")
	a, lib := loadOne(t, "a.md", src)
	checkLibrary(t, lib)
	if len(a.References) != 1 || !strings.HasPrefix(a.References[0].Text, "Alves E") {
		t.Errorf("references = %+v", a.References)
	}
	passageWith(t, a, "what follows the source")
	passageWith(t, a, "an item that is no reference")
	passageWith(t, a, "Source: my own kitchen")
}

func TestMarkdownNumberedListStart(t *testing.T) {
	src := md("Acne", prose("acne")+" [3] [4]\n\n## References\n\n3. Bowe WP, Logan AC (2011). Acne vulgaris, probiotics and the gut-brain-skin axis. Gut Pathogens 3:1.\n4. Arck P et al. (2010). Is there a gut-brain-skin axis? Experimental Dermatology 19(5):401-405.\n")
	a, lib := loadOne(t, "a.md", src)
	if got := labels(a.References); !slices.Equal(got, []string{"3", "4"}) {
		t.Errorf("labels = %q, want the list's own numbers", got)
	}
	if got := labels(a.Passages[0].Citations); !slices.Equal(got, []string{"3", "4"}) || len(lib.Warnings) > 0 {
		t.Errorf("citations = %q warnings %v", got, lib.Warnings)
	}
}

func TestMarkdownFootnotes(t *testing.T) {
	const (
		salem = "Salem I et al. (2018). The gut microbiome as a major regulator of the gut-skin axis. Frontiers in Microbiology 9:1459."
		arck  = "Arck P et al. (2010). Is there a gut-brain-skin axis? Experimental Dermatology 19(5):401-405."
	)
	tests := []struct {
		name string
		src  string
		want map[string][]string // passage substring → citation labels
		refs []string
	}{
		{
			name: "definitions at the end",
			src:  "## Routes\n\n" + prose("immune routes") + "[^1]\n\n" + prose("stress in mice") + "[^2]\n\n[^1]: " + salem + "\n[^2]: " + arck + "\n",
			want: map[string][]string{"immune routes": {"1"}, "stress in mice": {"2"}},
			refs: []string{"1", "2"},
		},
		{
			name: "definitions in the middle, between sections",
			src:  "## Routes\n\n" + prose("immune routes") + "[^1]\n\n[^1]: " + salem + "\n\n## Mice\n\n" + prose("stress in mice") + "[^2]\n\n[^2]: " + arck + "\n",
			want: map[string][]string{"immune routes": {"1"}, "stress in mice": {"2"}},
			refs: []string{"1", "2"},
		},
		{
			name: "definitions first",
			src:  "[^a]: " + salem + "\n[^b]: " + arck + "\n\n## Routes\n\n" + prose("immune routes") + "[^a][^b]\n",
			want: map[string][]string{"immune routes": {"a", "b"}},
			refs: []string{"a", "b"},
		},
		{
			name: "named labels under a References heading",
			src:  "## Routes\n\n" + prose("immune routes") + "[^salem]\n\n## References\n\n[^salem]: " + salem + "\n",
			want: map[string][]string{"immune routes": {"salem"}},
			refs: []string{"salem"},
		},
		{
			name: "bracket markers name footnote definitions; unused ones are kept in order",
			src:  prose("immune routes") + " [2]\n\n[^1]: " + salem + "\n[^2]: " + arck + "\n\n" + prose("stress in mice") + "[^3]\n\n[^3]: Bowe WP, Logan AC (2011). Acne vulgaris, probiotics and the gut-brain-skin axis. Gut Pathogens 3:1.\n",
			want: map[string][]string{"immune routes": {"2"}, "stress in mice": {"3"}},
			refs: []string{"1", "2", "3"},
		},
		{
			name: "footnote marker inside a list item",
			src:  "Two routes stand out in the reviews we read:\n\n- " + prose("the immune route") + "[^1]\n- " + prose("the stress route") + "[^2]\n\n[^1]: " + salem + "\n[^2]: " + arck + "\n",
			want: map[string][]string{"the immune route": {"1"}, "the stress route": {"2"}},
			refs: []string{"1", "2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.md", md("Routes", tt.src))
			if got := labels(a.References); !slices.Equal(got, tt.refs) {
				t.Errorf("references = %q, want %q", got, tt.refs)
			}
			for sub, want := range tt.want {
				p := passageWith(t, a, sub)
				if got := labels(p.Citations); !slices.Equal(got, want) {
					t.Errorf("%q cites %q, want %q", sub, got, want)
				}
			}
			for _, p := range a.Passages {
				if strings.Contains(p.Text, "Frontiers") || strings.Contains(p.Text, "Experimental Dermatology") {
					t.Errorf("a footnote definition became a passage: %q", p.Text)
				}
			}
			if len(lib.Warnings) > 0 {
				t.Errorf("warnings %v", lib.Warnings)
			}
			checkLibrary(t, lib)
		})
	}
}

func TestMarkdownSections(t *testing.T) {
	src := md("Gut and skin", "# Gut and skin\n\n"+prose("the intro")+"\n\n## Routes\n\n"+prose("routes")+"\n\n### Immune\n\n"+prose("the immune route")+"\n\n#### In mice\n\n"+prose("mouse work")+"\n\n### Metabolic\n\n"+prose("metabolites")+"\n\n## *What* we `don't` know\n\n"+prose("open questions")+"\n\n> "+prose("a quoted remark")+"\n")
	a, _ := loadOne(t, "a.md", src)
	want := map[string][]string{
		"the intro":        {},
		"routes":           {"Routes"},
		"the immune route": {"Routes", "Immune"},
		"mouse work":       {"Routes", "Immune", "In mice"},
		"metabolites":      {"Routes", "Metabolic"},
		"open questions":   {"What we don't know"},
		"a quoted remark":  {"What we don't know"},
	}
	for sub, section := range want {
		if got := passageWith(t, a, sub).Section; !slices.Equal(got, section) {
			t.Errorf("%q: section = %q, want %q", sub, got, section)
		}
	}
	if len(a.Passages) != len(want) {
		t.Errorf("%d passages, want %d", len(a.Passages), len(want))
	}
}

func TestMarkdownListLeadIn(t *testing.T) {
	items := []string{
		"Eat more plants. Beans, oats, onions and leeks feed the gut bacteria that make short-chain fatty acids, which reviews describe as calming for the skin.",
		"Add a fermented food. A small serving of kefir, yogurt or sauerkraut brings live microbes, although trials on skin are few and small.",
		"Keep a diary. Writing down meals, sleep and flare-ups for a month or two shows patterns that a clinician can then help you read.",
	}
	t.Run("short lead-in lives on in each item", func(t *testing.T) {
		src := md("Habits", "## Habits\n\nThree habits are worth a try:\n\n1. "+items[0]+"\n2. "+items[1]+"\n3. "+items[2]+"\n")
		a, _ := loadOne(t, "a.md", src)
		if len(a.Passages) != 3 {
			t.Fatalf("%d passages, want one per item", len(a.Passages))
		}
		for i, p := range a.Passages {
			if want := "Three habits are worth a try: " + items[i]; p.Text != want {
				t.Errorf("passage %d = %q, want %q", i, p.Text, want)
			}
			if !slices.Equal(p.Section, []string{"Habits"}) {
				t.Errorf("passage %d section %q", i, p.Section)
			}
		}
	})
	t.Run("long lead-in leads each item and is no passage of its own", func(t *testing.T) {
		lead := "Small changes to daily routines are easier to keep than big ones, and several of them also help digestion and sleep, which matter for the skin too, so here are the ones we suggest first:"
		src := md("Habits", lead+"\n\n- "+items[0]+"\n- "+items[1]+"\n")
		a, _ := loadOne(t, "a.md", src)
		if len(a.Passages) != 2 {
			t.Fatalf("passages %q", a.Passages)
		}
		for i, p := range a.Passages {
			if p.Text != lead+" "+items[i] {
				t.Errorf("item %d = %q, want it with its lead-in", i, p.Text)
			}
		}
	})
	t.Run("short items of one list share the lead-in once", func(t *testing.T) {
		src := md("Foods", "## Foods\n\nFoods that contain live cultures include:\n\n- kefir\n- yogurt\n- sauerkraut\n- kimchi\n\n"+prose("something else")+"\n")
		a, _ := loadOne(t, "a.md", src)
		p := passageWith(t, a, "kefir")
		if want := "Foods that contain live cultures include: kefir yogurt sauerkraut kimchi"; !strings.HasPrefix(p.Text, want) {
			t.Errorf("merged list = %q, want prefix %q", p.Text, want)
		}
		if strings.Count(p.Text, "include:") != 1 {
			t.Errorf("lead-in repeated: %q", p.Text)
		}
	})
	t.Run("the lead-in's markers cite for every item", func(t *testing.T) {
		src := md("Habits", "Reviews suggest three habits [1] [9]:\n\n1. "+items[0]+" [2]\n2. "+items[1]+"\n3. "+items[2]+"\n\n## References\n\n1. Salem I et al. (2018). The gut microbiome. Front Microbiol.\n2. Bowe WP, Logan AC (2011). Acne vulgaris. Gut Pathog.\n")
		a, lib := loadOne(t, "a.md", src)
		checkLibrary(t, lib)
		want := [][]string{{"1", "2"}, {"1"}, {"1"}}
		for i, p := range a.Passages {
			if got := labels(p.Citations); !slices.Equal(got, want[i]) || !strings.HasPrefix(p.Text, "Reviews suggest three habits: ") {
				t.Errorf("item %d cites %q: %q", i, got, p.Text)
			}
		}
		if len(lib.Warnings) != 1 || !strings.Contains(lib.Warnings[0].Reason, "marker [9]") {
			t.Errorf("want the unresolved lead-in marker reported once: %v", lib.Warnings)
		}
	})
	t.Run("a paragraph not ending in a colon is no lead-in", func(t *testing.T) {
		src := md("Habits", prose("habits")+"\n\n- "+items[0]+"\n")
		a, _ := loadOne(t, "a.md", src)
		if p := passageWith(t, a, "Eat more plants"); p.Text != items[0] || a.Passages[0].Text != prose("habits") {
			t.Errorf("item = %q", p.Text)
		}
	})
}

func TestMarkdownQuestionsComment(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    map[string][]string // passage substring → its questions
		warning string              // part of the one expected warning
	}{
		{
			name: "questions belong to their own section only",
			body: "## Kefir\n\n<!-- questions:\n- does kefir help acne\n- \"kefir: worth it?\"\n-->\n\n" + prose("kefir") +
				"\n\n### Kefir and acne\n\n" + prose("kefir and acne") + "\n\n## Yogurt\n\n" + prose("yogurt") + "\n",
			want: map[string][]string{
				"explains kefir in":          {"does kefir help acne", "kefir: worth it?"},
				"explains kefir and acne in": nil,
				"explains yogurt":            nil,
			},
		},
		{
			name: "blank and repeated spaces are cleaned",
			body: "## Kefir\n\n<!-- questions:\n-   is  kefir   good\n- \"\"\n-->\n\n" + prose("kefir") + "\n",
			want: map[string][]string{"explains kefir": {"is kefir good"}},
		},
		{
			name: "before any heading: the article's opening passages",
			body: "<!-- questions: [what is this about] -->\n\n" + prose("the intro") + "\n",
			want: map[string][]string{"the intro": {"what is this about"}},
		},
		{
			name: "other comments are ignored",
			body: "## Kefir\n\n<!-- TODO: add a table -->\n\n" + prose("kefir") + "\n",
			want: map[string][]string{"explains kefir": nil},
		},
		{
			name:    "broken YAML is a warning and the article still loads",
			body:    "## Kefir\n\n<!-- questions:\n- ok\n  bad: [\n-->\n\n" + prose("kefir") + "\n",
			want:    map[string][]string{"explains kefir": nil},
			warning: "a.md:8: questions comment is not a YAML list of questions: mapping values",
		},
		{
			name:    "a question instead of a list says so, on its line",
			body:    "## Kefir\n\n<!--\nquestions: does kefir help?\n-->\n\n" + prose("kefir") + "\n",
			want:    map[string][]string{"explains kefir": nil},
			warning: "a.md:7: questions comment is not a YAML list of questions: cannot unmarshal",
		},
		{
			name:    "in a list item it is a warning",
			body:    "## Kefir\n\n- " + prose("kefir") + "\n\n  <!-- questions: [lost] -->\n",
			want:    map[string][]string{"explains kefir": nil},
			warning: "a.md:8: questions comment inside a list item",
		},
		{
			name:    "in the references it is a warning",
			body:    prose("kefir") + "\n\n## References\n\n<!-- questions: [lost] -->\n\n1. Salem I (2018). A review.\n",
			want:    map[string][]string{"explains kefir": nil},
			warning: "a.md:8: questions comment sits in the references",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.md", md("Kefir notes", tc.body))
			for sub, want := range tc.want {
				if got := passageWith(t, a, sub).Questions; !slices.Equal(got, want) {
					t.Errorf("%q: questions %q, want %q", sub, got, want)
				}
			}
			var warnings []string
			for _, w := range lib.Warnings {
				warnings = append(warnings, w.String())
			}
			if tc.warning == "" && len(warnings) > 0 || tc.warning != "" && (len(warnings) != 1 || !strings.HasPrefix(warnings[0], tc.warning)) {
				t.Errorf("warnings %q, want one starting %q", warnings, tc.warning)
			}
			for _, p := range a.Passages {
				if strings.Contains(p.Text, "questions") || strings.Contains(p.Text, "<!--") || strings.Contains(p.Text, "lost") {
					t.Errorf("comment leaked into a passage: %q", p.Text)
				}
			}
		})
	}
	// An open comment would hide the rest of the file, so the file is
	// skipped rather than loaded in part.
	lib := loadFiles(t, map[string]string{"a.md": md("Kefir notes", "## Kefir\n\n"+prose("kefir")+"\n\n<!-- questions:\n- never closed\n\n## Yogurt\n\n"+prose("yogurt")+"\n")})
	if len(lib.Articles) != 0 || len(lib.Skipped) != 1 || lib.Skipped[0].String() != "a.md:8: HTML comment is never closed with -->, so it would hide the rest of the file" {
		t.Errorf("unclosed comment: articles %d, skipped %v", len(lib.Articles), lib.Skipped)
	}
}

func TestMarkdownIgnoresCodeAndHTML(t *testing.T) {
	src := md("Code", prose("prose")+"\n\n```go\nfmt.Println(\"fenced code should never be an answer\")\n```\n\n    indented code should never be an answer either\n\n<div>raw html block should not be an answer</div>\n\n---\n\n- "+prose("a list item")+"\n\n  ```\n  code inside a list item is not prose\n  ```\n")
	a, _ := loadOne(t, "a.md", src)
	for _, p := range a.Passages {
		for _, bad := range []string{"fenced", "indented", "raw html", "code inside", "Println"} {
			if strings.Contains(p.Text, bad) {
				t.Errorf("passage holds code or HTML %q: %q", bad, p.Text)
			}
		}
	}
	passageWith(t, a, "a list item")
}

func TestMarkdownSyntaxStripped(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Fermented foods are *often* **praised** for the skin, and _some_ __trials__ exist.", "Fermented foods are often praised for the skin, and some trials exist."},
		{"See the [review by Salem](https://doi.org/10.3389/fmicb.2018.01459) for the routes.", "See the review by Salem for the routes."},
		{"A strain called `LGG` was given to mothers.", "A strain called LGG was given to mothers."},
		{"Read more at <https://example.org/kefir> today.", "Read more at https://example.org/kefir today."},
		{"An image ![a gut diagram](gut.png) is dropped.", "An image is dropped."},
		{"Escaped \\*stars\\* and &amp; entities read plainly.", "Escaped *stars* and & entities read plainly."},
		{"A line  \nbreak and a soft\nbreak join with spaces.", "A line break and a soft break join with spaces."},
		{"Nested **bold with _italic_ inside** reads as words.", "Nested bold with italic inside reads as words."},
		{"~~Struck~~ text and <span>inline html</span> keep their words.", "Struck text and inline html keep their words."},
		{"- [ ] Task boxes are dropped.", "Task boxes are dropped."},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			filler := " " + prose("formatting")
			a, _ := loadOne(t, "a.md", md("Formatting", tt.in+filler+"\n"))
			if got := strings.TrimSuffix(a.Passages[0].Text, filler); got != tt.want {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
		})
	}
}

// A table reads as one line a row, each cell named by its column, and its
// markers resolve like any other.
func TestMarkdownTable(t *testing.T) {
	src := md("Table", prose("intro")+"\n\n| Food | Effect |\n|---|:-:|\n| kefir [1] | *less* water loss |\n| yogurt |  |\n\n## References\n\n1. Alves E et al. (2022). Kefir. Life.\n")
	a, lib := loadOne(t, "a.md", src)
	p := passageWith(t, a, "Food: kefir; Effect: less water loss. Food: yogurt.")
	if strings.ContainsAny(p.Text, "|") || !slices.Equal(labels(p.Citations), []string{"1"}) {
		t.Errorf("passage %q cites %v", p.Text, labels(p.Citations))
	}
	if len(lib.Warnings) > 0 {
		t.Errorf("warnings %v", lib.Warnings)
	}
}

// A lead-in stays a passage of its own when its list holds no text.
func TestMarkdownLeadInOfEmptyList(t *testing.T) {
	a, _ := loadOne(t, "a.md", md("Pictures", prose("lead-in")+" as these pictures show:\n\n- ![one](a.png)\n- ![two](b.png)\n"))
	passageWith(t, a, "as these pictures show:")
}

func TestMarkdownLines(t *testing.T) {
	// Warnings name the line of the block holding the unresolved marker.
	src := "---\ntitle: Lines\n---\n\n## One\n\n" + prose("line seven") + " [1]\n\n- " + prose("line nine") + " [2]\n\n" + "## References\n\n1. Salem I et al. (2018). The gut microbiome. Front Microbiol.\n"
	_, lib := loadOne(t, "a.md", src)
	if len(lib.Warnings) != 1 {
		t.Fatalf("warnings = %v", lib.Warnings)
	}
	if w := lib.Warnings[0]; w.File != "a.md" || w.Line != 9 || !strings.Contains(w.Reason, "marker [2] points at no reference") {
		t.Errorf("warning = %q, want a.md:9 marker [2]", w.String())
	}
}
