package corpus

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// longParagraph is about 330 words in 22 sentences. Some sentences hold
// abbreviations that must not end a sentence, and the first half cites [1]
// while the second half cites [2].
func longParagraph() string {
	var b strings.Builder
	for i := range 22 {
		marker := "[1]"
		if i >= 11 {
			marker = "[2]"
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "Sentence %d reports a finding by Salem et al. that gut bacteria may send signals to the skin %s. ", i, marker)
		case 1:
			fmt.Fprintf(&b, "Sentence %d lists fermented foods, e.g. kefir and yogurt, as sources of live microbes for the gut. ", i)
		case 2:
			fmt.Fprintf(&b, "Sentence %d describes a trial in which L. rhamnosus was given to mothers before and after birth %s. ", i, marker)
		default:
			fmt.Fprintf(&b, "Sentence %d adds that the evidence is still small and that larger trials in people are needed. ", i)
		}
	}
	return strings.TrimSpace(b.String())
}

func TestLongParagraphSplits(t *testing.T) {
	para := longParagraph()
	src := md("Long", "## Evidence\n\n"+para+"\n\n## References\n\n1. Salem I et al. (2018). The gut microbiome. Front Microbiol.\n2. Kalliomäki M et al. (2001). Probiotics in primary prevention of atopic disease. Lancet.\n")
	a, lib := loadOne(t, "a.md", src)
	checkLibrary(t, lib)
	if len(a.Passages) < 2 {
		t.Fatalf("a %d-word paragraph gave %d passage(s)", wordCount(para), len(a.Passages))
	}
	var joined []string
	for i, p := range a.Passages {
		n := wordCount(p.Text)
		if n < 40 || n > 160 {
			t.Errorf("chunk %d has %d words, want 40–160", i, n)
		}
		if !slices.Equal(p.Section, []string{"Evidence"}) {
			t.Errorf("chunk %d section %q", i, p.Section)
		}
		if !strings.HasPrefix(p.Text, "Sentence ") || !strings.HasSuffix(p.Text, ".") {
			t.Errorf("chunk %d does not start and end at sentence boundaries: %q", i, p.Text)
		}
		for _, bad := range []string{" al.", " e.g.", " L."} {
			if strings.HasSuffix(p.Text, bad) {
				t.Errorf("chunk %d ends after %q", i, bad)
			}
		}
		// Each chunk cites what its own sentences cite.
		var want []string
		if strings.Contains(p.Text, "Sentence 0 ") || strings.Contains(p.Text, "Sentence 2 ") || strings.Contains(p.Text, "Sentence 10 ") {
			want = append(want, "1")
		}
		if strings.Contains(p.Text, "Sentence 12 ") || strings.Contains(p.Text, "Sentence 20 ") {
			want = append(want, "2")
		}
		if got := labels(p.Citations); !slices.Equal(got, want) {
			t.Errorf("chunk %d cites %q, want %q: %q", i, got, want, p.Text)
		}
		joined = append(joined, p.Text)
	}
	clean, _ := extractMarkers(para, nil)
	if got := strings.Join(joined, " "); got != clean {
		t.Errorf("chunks do not add up to the paragraph:\n got %q\nwant %q", got, clean)
	}
}

// A marker written after the full stop and a space ("Kefir helps. [1]")
// belongs to the sentence before it when a long paragraph is cut.
func TestLongParagraphMarkerAfterStop(t *testing.T) {
	tests := []struct {
		kefirMark, yogurtMark string
		kefir, yogurt         []string // labels each half cites
	}{
		{"[1]", "[2]", []string{"1"}, []string{"2"}},
		{"[1, 3]", "[2, 4]", []string{"1", "3"}, []string{"2", "4"}},
		{"[3–4]", "[1–2]", []string{"3", "4"}, []string{"1", "2"}},
		{"¹", "²", []string{"1"}, []string{"2"}},
		{"¹˒³", "²", []string{"1", "3"}, []string{"2"}},
	}
	for _, tt := range tests {
		t.Run(tt.kefirMark, func(t *testing.T) {
			// Two halves of 102 words and a marker each: the paragraph is
			// cut in two, after the first marker.
			var b strings.Builder
			for i := range 6 {
				fmt.Fprintf(&b, "Kefir sentence %d says that a fermented milk drink was studied in a small group of adults. ", i)
			}
			b.WriteString(tt.kefirMark + " ")
			for i := range 6 {
				fmt.Fprintf(&b, "Yogurt sentence %d says that a fermented milk food was studied in a small group of adults. ", i)
			}
			b.WriteString(tt.yogurtMark)
			src := md("Foods", b.String()+"\n\n## References\n\n1. Alves E (2022). Kefir. Foods.\n2. Bowe WP (2011). Acne. Gut Pathog.\n3. Salem I (2018). Review. Front Microbiol.\n4. Arck P (2010). Stress. Exp Dermatol.\n")
			a, lib := loadOne(t, "a.md", src)
			checkLibrary(t, lib)
			if len(a.Passages) != 2 {
				t.Fatalf("%d passages, want 2: %q", len(a.Passages), a.Passages)
			}
			if !strings.HasSuffix(a.Passages[0].Text, "Kefir sentence 5 says that a fermented milk drink was studied in a small group of adults.") {
				t.Errorf("first passage does not end with the kefir half: %q", a.Passages[0].Text)
			}
			if got := labels(a.Passages[0].Citations); !slices.Equal(got, tt.kefir) {
				t.Errorf("kefir passage cites %q, want %q", got, tt.kefir)
			}
			if got := labels(a.Passages[1].Citations); !slices.Equal(got, tt.yogurt) {
				t.Errorf("yogurt passage cites %q, want %q", got, tt.yogurt)
			}
		})
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One sentence here. Another one follows! A third? Yes.", []string{"One sentence here.", "Another one follows!", "A third?", "Yes."}},
		{"A study by Salem et al. showed it. Then more.", []string{"A study by Salem et al. showed it.", "Then more."}},
		{"Some foods, e.g. Kefir, help. Others do not.", []string{"Some foods, e.g. Kefir, help.", "Others do not."}},
		{"The strain L. Rhamnosus GG was used. It helped.", []string{"The strain L. Rhamnosus GG was used.", "It helped."}},
		{"It rose in the face.¹ Then the hands.", []string{"It rose in the face.¹", "Then the hands."}},
		{"It rose in the face [1]. Then the hands.", []string{"It rose in the face [1].", "Then the hands."}},
		{"It rose in the face.[2] Then the hands.", []string{"It rose in the face.[2]", "Then the hands."}},
		{"He said “stop.” Then left.", []string{"He said “stop.”", "Then left."}},
		// A marker set off by a space after the stop still closes its
		// sentence.
		{"It rose in the face. [1] Then the hands.", []string{"It rose in the face. [1]", "Then the hands."}},
		{"It rose in the face. [1, 3] Then the hands.", []string{"It rose in the face. [1, 3]", "Then the hands."}},
		{"It rose in the face. [1–3] Then the hands.", []string{"It rose in the face. [1–3]", "Then the hands."}},
		{"It rose in the face! ² Then the hands.", []string{"It rose in the face! ²", "Then the hands."}},
		{"It rose in the face. [1] [2] Then the hands.", []string{"It rose in the face. [1] [2]", "Then the hands."}},
		{"It rose in the face. [1]", []string{"It rose in the face. [1]"}},
		{"It rose in the face. [1] and then the hands.", []string{"It rose in the face. [1] and then the hands."}},
		{"It rose in the face. [Note] Then the hands.", []string{"It rose in the face.", "[Note] Then the hands."}},
		{"It rose in the face. [ ] Then the hands.", []string{"It rose in the face.", "[ ] Then the hands."}},
		{"It rose in the face. ¹, ³ Then the hands.", []string{"It rose in the face. ¹, ³", "Then the hands."}},
		{"It rose in the face. ¹⁻³, Then the hands.", []string{"It rose in the face.", "¹⁻³, Then the hands."}},
		{"It rose in the face. [1]Then the hands.", []string{"It rose in the face.", "[1]Then the hands."}},
		{"Version 2.0 is out. 12 people came.", []string{"Version 2.0 is out.", "12 people came."}},
		{"Lower case after a stop. is not a boundary.", []string{"Lower case after a stop. is not a boundary."}},
		{"No stop at all", []string{"No stop at all"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := splitSentences(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitLongEdgeCases(t *testing.T) {
	// One endless sentence cannot be split and is kept whole rather than
	// cut mid-sentence.
	endless := strings.TrimSpace(strings.Repeat("and then the gut ", 60))
	if got := splitLong(endless, maxPassageWords); len(got) != 1 || got[0] != endless {
		t.Errorf("endless sentence split into %d", len(got))
	}
	short := "A short text. With two sentences."
	if got := splitLong(short, maxPassageWords); !slices.Equal(got, []string{short}) {
		t.Errorf("short text split: %q", got)
	}
	if got := splitLong(short, 0); !slices.Equal(got, []string{short}) {
		t.Errorf("zero limit: %q", got)
	}
}

func TestSmallFragmentsMerge(t *testing.T) {
	t.Run("with the next passage of its section", func(t *testing.T) {
		a, _ := loadOne(t, "a.md", md("Merge", "## Kefir\n\nKefir is a fermented milk drink.\n\n"+prose("kefir")+"\n"))
		if len(a.Passages) != 1 || a.Passages[0].Text != "Kefir is a fermented milk drink. "+prose("kefir") {
			t.Errorf("passages = %q", a.Passages)
		}
	})
	t.Run("with the previous one at the end of a section", func(t *testing.T) {
		a, _ := loadOne(t, "a.md", md("Merge", "## Kefir\n\n"+prose("kefir")+"\n\nAsk a clinician first.\n\n## Yogurt\n\n"+prose("yogurt")+"\n"))
		if len(a.Passages) != 2 || a.Passages[0].Text != prose("kefir")+" Ask a clinician first." {
			t.Errorf("passages = %q", a.Passages)
		}
	})
	t.Run("never across sections", func(t *testing.T) {
		a, _ := loadOne(t, "a.md", md("Merge", "## Kefir\n\nKefir is a fermented milk drink.\n\n## Yogurt\n\n"+prose("yogurt")+"\n"))
		if len(a.Passages) != 2 || a.Passages[0].Text != "Kefir is a fermented milk drink." {
			t.Errorf("passages = %q", a.Passages)
		}
		if !slices.Equal(a.Passages[1].Section, []string{"Yogurt"}) || strings.Contains(a.Passages[1].Text, "Kefir is") {
			t.Errorf("merged across sections: %q", a.Passages[1])
		}
	})
	t.Run("a merged passage keeps both citations", func(t *testing.T) {
		a, _ := loadOne(t, "a.md", md("Merge", "Kefir is a fermented milk drink [2].\n\n"+prose("kefir")+" [1]\n\n## References\n\n1. Alves E (2022). Kefir. Foods.\n2. Bowe WP (2011). Acne. Gut Pathog.\n"))
		if len(a.Passages) != 1 || !slices.Equal(labels(a.Passages[0].Citations), []string{"1", "2"}) {
			t.Errorf("passages = %+v", a.Passages)
		}
	})
	t.Run("a merge never passes the size limit", func(t *testing.T) {
		long := strings.Repeat("Fibre feeds the gut bacteria that make short-chain fatty acids. ", 15) // 150 words
		a, _ := loadOne(t, "a.md", md("Merge", strings.TrimSpace(long)+"\n\nA tiny closing remark here.\n"))
		for _, p := range a.Passages {
			if n := wordCount(p.Text); n > maxPassageWords {
				t.Errorf("passage of %d words", n)
			}
		}
	})
	t.Run("a citation-only line cites the next passage", func(t *testing.T) {
		a, lib := loadOne(t, "a.txt", "Why Fibre Matters for Skin\n\n(Salem et al. 2018)\n\n"+prose("fibre")+"\n\n"+prose("kefir")+"\n\n[2]\n\nReferences:\n1. Salem I. The gut microbiome. Front Microbiol. 2018.\n2. Bowe WP. Acne vulgaris. Gut Pathog. 2011.\n")
		checkLibrary(t, lib)
		if len(a.Passages) != 2 || !slices.Equal(labels(a.Passages[0].Citations), []string{"1"}) || !slices.Equal(labels(a.Passages[1].Citations), []string{"2"}) {
			t.Errorf("passages = %+v", a.Passages)
		}
	})
}

// A paragraph holding only a marker cites a passage of its own section:
// the next one, else the one before it. A section with no text of its own
// has no passage to take it, and its citation is reported rather than given
// to another section.
func TestCitationOnlyParagraph(t *testing.T) {
	const refs = "\n\n## References\n\n1. Alves E (2022). Kefir. Foods.\n2. Bowe WP (2011). Acne. Gut Pathog.\n"
	tests := []struct {
		name string
		body string
		want map[string][]string // passage topic → cited labels ("" is the article)
		warn string              // expected warning, "" for none
	}{
		{
			name: "after the last paragraph of a section",
			body: "## Kefir\n\n" + prose("kefir") + "\n\n[1]\n\n## Zinc\n\n" + prose("zinc"),
			want: map[string][]string{"kefir": {"1"}, "zinc": {""}},
		},
		{
			name: "before the first paragraph of a section",
			body: "## Kefir\n\n" + prose("kefir") + "\n\n## Zinc\n\n[2]\n\n" + prose("zinc"),
			want: map[string][]string{"kefir": {""}, "zinc": {"2"}},
		},
		{
			name: "between two paragraphs of one section",
			body: "## Kefir\n\n" + prose("kefir") + "\n\n[1]\n\n" + prose("yogurt"),
			want: map[string][]string{"kefir": {""}, "yogurt": {"1"}},
		},
		{
			name: "before a subsection",
			body: "## Kefir\n\n" + prose("kefir") + "\n\n[1]\n\n### Yogurt\n\n" + prose("yogurt"),
			want: map[string][]string{"kefir": {"1"}, "yogurt": {""}},
		},
		{
			name: "alone in a section above a subsection",
			body: "## Kefir\n\n[1]\n\n### Yogurt\n\n" + prose("yogurt"),
			want: map[string][]string{"yogurt": {"1"}},
		},
		{
			name: "two sections each ending in one",
			body: "## Kefir\n\n" + prose("kefir") + "\n\n[1]\n\n## Zinc\n\n" + prose("zinc") + "\n\n[2]",
			want: map[string][]string{"kefir": {"1"}, "zinc": {"2"}},
		},
		{
			name: "at the end of the article",
			body: "## Kefir\n\n" + prose("kefir") + "\n\n## Zinc\n\n" + prose("zinc") + "\n\n[2]",
			want: map[string][]string{"kefir": {""}, "zinc": {"2"}},
		},
		{
			name: "alone in a section before another",
			body: "## Kefir\n\n[1]\n\n## Zinc\n\n" + prose("zinc"),
			want: map[string][]string{"zinc": {""}},
			warn: `a.md:6: marker [1] stands alone under "Kefir", a section with no text to cite it; ignored`,
		},
		{
			name: "alone in the last section",
			body: "## Kefir\n\n" + prose("kefir") + "\n\n## Zinc\n\n[2]",
			want: map[string][]string{"kefir": {""}},
			warn: `a.md:10: marker [2] stands alone under "Zinc", a section with no text to cite it; ignored`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.md", md("Foods", tt.body+refs))
			checkLibrary(t, lib)
			if len(a.Passages) != len(tt.want) {
				t.Errorf("%d passages, want %d: %+v", len(a.Passages), len(tt.want), a.Passages)
			}
			for topic, want := range tt.want {
				if got := labels(passageWith(t, a, "explains "+topic+" ").Citations); !slices.Equal(got, want) {
					t.Errorf("the %s passage cites %q, want %q", topic, got, want)
				}
			}
			var warnings []string
			for _, w := range lib.Warnings {
				warnings = append(warnings, w.String())
			}
			if want := []string{tt.warn}; tt.warn == "" && len(warnings) > 0 || tt.warn != "" && !slices.Equal(warnings, want) {
				t.Errorf("warnings %q, want %q", warnings, tt.warn)
			}
		})
	}
}

func TestPassageIDs(t *testing.T) {
	base := map[string]string{
		"kefir.md": md("Kefir", "## One\n\n"+prose("kefir")+"\n\n## Two\n\n"+prose("yogurt")+"\n\n## Three\n\n"+prose("cheese")+"\n"),
		"fibre.md": md("Fibre", prose("kefir")+"\n"),
	}
	ids := func(lib *Library, slug string) []string {
		for _, a := range lib.Articles {
			if a.Slug == slug {
				var out []string
				for _, p := range a.Passages {
					out = append(out, p.ID)
				}
				return out
			}
		}
		t.Fatalf("no article %q", slug)
		return nil
	}
	first := loadFiles(t, base)
	again := loadFiles(t, base)
	if !slices.Equal(ids(first, "kefir"), ids(again, "kefir")) {
		t.Errorf("IDs differ between two loads")
	}
	if ids(first, "kefir")[0] == ids(first, "fibre")[0] {
		t.Errorf("the same text in two articles shares an ID")
	}
	for _, id := range ids(first, "kefir") {
		if len(id) != 12 || strings.Trim(id, "0123456789abcdef") != "" {
			t.Errorf("ID %q is not 12 hex digits", id)
		}
	}

	edited := map[string]string{
		"kefir.md": md("Kefir", "## One\n\n"+prose("kefir")+"\n\n## Two\n\n"+prose("yogurt and skin")+"\n\n## Three\n\n"+prose("cheese")+"\n"),
		"fibre.md": base["fibre.md"],
	}
	before, after := ids(first, "kefir"), ids(loadFiles(t, edited), "kefir")
	if before[0] != after[0] || before[2] != after[2] {
		t.Errorf("editing one passage changed the IDs of others: %q → %q", before, after)
	}
	if before[1] == after[1] {
		t.Errorf("the edited passage kept its ID")
	}

	t.Run("a repeated passage gets a distinct ID", func(t *testing.T) {
		a, lib := loadOne(t, "a.md", md("Twice", "## One\n\n"+prose("kefir")+"\n\n## Two\n\n"+prose("kefir")+"\n"))
		checkLibrary(t, lib)
		if len(a.Passages) != 2 || a.Passages[1].ID != a.Passages[0].ID+"-2" {
			t.Errorf("IDs %q %q", a.Passages[0].ID, a.Passages[1].ID)
		}
	})
	t.Run("moving a file to another folder changes its slug", func(t *testing.T) {
		a, _ := loadOne(t, "skin/kefir.md", base["kefir.md"])
		if a.Slug != "skin/kefir" || a.Passages[0].ID == ids(first, "kefir")[0] {
			t.Errorf("slug %q id %q", a.Slug, a.Passages[0].ID)
		}
	})
}

func TestPassageTextIsClean(t *testing.T) {
	a, lib := loadOne(t, "acne.md", readFixture(t, "markdown/acne-brackets.md"))
	checkLibrary(t, lib)
	for _, p := range a.Passages {
		for _, bad := range []string{"*", "_", "`", "[", "]", "](", "#", "^", "¹", "  ", "\n", "(Arck", "(Salem"} {
			if strings.Contains(p.Text, bad) {
				t.Errorf("passage holds %q: %q", bad, p.Text)
			}
		}
		if strings.Contains(p.Text, " .") || strings.Contains(p.Text, " ,") {
			t.Errorf("space before punctuation left by a marker: %q", p.Text)
		}
	}
}

// Merging tiny fragments takes linear time. (It once restarted its scan
// after every join, and a 1 MiB file of short lines took minutes.)
func TestMergeSmallIsLinear(t *testing.T) {
	units := make([]unit, 50000)
	for i := range units {
		units[i] = unit{section: []string{"S"}, body: "Kefir helps."}
	}
	start := time.Now()
	out := mergeSmall(units)
	if d := time.Since(start); d > 10*time.Second { // quadratic time would take minutes
		t.Errorf("merging 50000 fragments took %v", d)
	}
	if want := 50000 / (minPassageWords/2 + 1); len(out) != want {
		t.Errorf("%d passages, want %d", len(out), want)
	}
	for _, u := range out {
		if n := u.words(); n < minPassageWords || n > maxPassageWords {
			t.Errorf("merged unit of %d words", n)
		}
	}
}
