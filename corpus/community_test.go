package corpus

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// communityDir holds articles moderators pasted as they came: blog posts
// with their page chrome, notes, Markdown with a "Source:" line.
var communityDir = filepath.Join("..", "testdata", "libraries", "community")

func loadCommunity(t *testing.T) map[string]Article {
	t.Helper()
	lib := loadCleanFolder(t, communityDir, "community library")
	out := map[string]Article{}
	for _, a := range lib.Articles {
		out[a.Slug] = a
	}
	return out
}

func TestCommunityLibrary(t *testing.T) {
	arts := loadCommunity(t)
	article := func(slug string) Article {
		t.Helper()
		a, ok := arts[slug]
		if !ok {
			t.Fatalf("no article %s", slug)
		}
		return a
	}

	t.Run("no chrome or call to action anywhere", func(t *testing.T) {
		chrome := []string{"Skip to main content", "Home ›", "©", "cookies", "Accept all", "Book a consultation", "DM us",
			"Subscribe", "newsletter", "Sign me up", "Your email", "Follow us", "Share", "Pinterest", "Leave a",
			"Comments (", "Read more", "Related posts", "Tags:", "By Dr", "min read", "Updated 3 March", "days ago", "Lena", "Priya"}
		for _, a := range arts {
			var texts []string
			for _, p := range a.Passages {
				texts = append(texts, p.Text)
				texts = append(texts, p.Section...)
				if IsCallToAction(p.Text) {
					t.Errorf("%s: passage is a call to action: %q", a.File, p.Text)
				}
			}
			for _, r := range a.References {
				texts = append(texts, r.Text)
			}
			for _, s := range texts {
				for _, c := range chrome {
					if strings.Contains(s, c) {
						t.Errorf("%s: %q in %q", a.File, c, s)
					}
				}
			}
		}
	})

	t.Run("rosacea post: its own title and byline", func(t *testing.T) {
		a := article("rosacea-and-your-gut")
		if want := "Rosacea and Your Gut: What SIBO and H. pylori Have to Do With Flushing"; a.Title != want {
			t.Errorf("title = %q, want %q", a.Title, want)
		}
		if a.Author != "Dr Maren Holt" || !slices.Contains(a.Tags, "SIBO") {
			t.Errorf("author %q tags %q", a.Author, a.Tags)
		}
		if len(a.References) != 4 {
			t.Errorf("%d references, want 4", len(a.References))
		}
		p := passageWith(t, a, "Testing and treating SIBO")
		if !strings.HasSuffix(p.Text, "anything to do with your rosacea.") {
			t.Errorf("the list item lost its text or kept the booking line: %q", p.Text)
		}
	})

	t.Run("glow post: the footer is no reference, glued calls go", func(t *testing.T) {
		a := article("glow-from-within")
		if len(a.References) != 7 {
			t.Errorf("%d references, want 7: %+v", len(a.References), a.References)
		}
		if p := passageWith(t, a, "It's encouraging that the topic"); !strings.HasSuffix(p.Text, "will work for you.") {
			t.Errorf("booking line kept: %q", p.Text)
		}
		if p := passageWith(t, a, "So metabolism came first"); !strings.HasSuffix(p.Text, "one of the newer chapters.") {
			t.Errorf("newsletter line kept: %q", p.Text)
		}
	})

	t.Run("kefir note: a Source: line is the reference list", func(t *testing.T) {
		a := article("kefir-in-two-minutes")
		if len(a.References) != 1 || a.References[0].DOI != "10.3390/life12071075" {
			t.Errorf("references = %+v", a.References)
		}
		if len(a.Passages) != 3 {
			t.Errorf("%d passages, want 3", len(a.Passages))
		}
	})

	t.Run("psoriasis note: a bare Sources line, one reference a line", func(t *testing.T) {
		a := article("psoriasis-and-mediterranean-diet")
		if len(a.References) != 4 {
			t.Errorf("%d references, want 4", len(a.References))
		}
		// "Groeger and colleagues (2013)" names its reference.
		if p := passageWith(t, a, "Groeger and colleagues (2013)"); !slices.Contains(labels(p.Citations), "4") {
			t.Errorf("Groeger passage cites %q", labels(p.Citations))
		}
	})

	t.Run("leaky gut notes: headings and list items", func(t *testing.T) {
		a := article("leaky-gut-notes")
		var sections [][]string
		for _, p := range a.Passages {
			if !slices.ContainsFunc(sections, func(s []string) bool { return slices.Equal(s, p.Section) }) {
				sections = append(sections, p.Section)
			}
			if len(p.Section) == 0 {
				t.Errorf("passage without a section: %q", p.Text)
			}
		}
		for _, want := range [][]string{{"what the term means"}, {"known vs claimed", "KNOWN"}, {"known vs claimed", "CLAIMED / NOT ESTABLISHED"}, {"how to handle it in chat"}} {
			if !slices.ContainsFunc(sections, func(s []string) bool { return slices.Equal(s, want) }) {
				t.Errorf("no section %q among %q", want, sections)
			}
		}
		if p := passageWith(t, a, "Bowe & Logan 2011"); !slices.Contains(labels(p.Citations), "4") {
			t.Errorf("Bowe & Logan passage cites %q", labels(p.Citations))
		}
	})

	t.Run("narrative author-year citations", func(t *testing.T) {
		tests := []struct{ slug, passage, author string }{
			{"acne-diet-notes", "Kwon and colleagues (2012) tested", "Kwon HH"},
			{"acne-diet-notes", "Juhl et al. (2018) state plainly", "Juhl CR"},
			{"acne-diet-notes", "Bowe and Logan (2011) discuss", "Bowe WP"},
			{"how-to-read-a-study", "Kalliomäki et al. (2001)", "Kalliomäki M"},
			{"sun-and-gut-bacteria", "Bosman et al. (2019) gave", "Bosman ES"},
		}
		for _, tt := range tests {
			p := passageWith(t, article(tt.slug), tt.passage)
			if !slices.ContainsFunc(p.Citations, func(r Reference) bool { return strings.HasPrefix(r.Text, tt.author) }) {
				t.Errorf("%s: %q cites %q, want %s", tt.slug, tt.passage, labels(p.Citations), tt.author)
			}
		}
	})
}
