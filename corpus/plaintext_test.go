package corpus

import (
	"slices"
	"strings"
	"testing"
)

// chrome is page furniture the fixtures carry; none of it may reach a
// passage.
var chrome = []string{"Share", "Blog Image", "Read Other Blogs", "Blogs and Insights", "READ \"", "Skin & Gut", "Wellness", "✨", "Gut & Digestion", "Research\n", "References", "Available at", "(no date)"}

func TestPlainTextSuperscriptFixture(t *testing.T) {
	a, lib := loadOne(t, "stress-superscript.txt", readFixture(t, "plaintext/stress-superscript.txt"))
	checkLibrary(t, lib)
	if len(lib.Warnings) > 0 {
		t.Errorf("warnings: %v", lib.Warnings)
	}
	if want := "Stress, Sleep and Breakouts: How a Busy Mind Can Reach Your Skin"; a.Title != want {
		t.Errorf("title = %q, want %q", a.Title, want)
	}
	if a.Published != "2025-03-04" || a.Source != "" || a.Author != "" {
		t.Errorf("info = %+v", a.ArticleInfo)
	}
	wantRefs := []struct{ label, prefix string }{
		{"1", "Bowe WP, Logan AC. Acne vulgaris"},
		{"2", "Arck P, Handjiski B"},
		{"3", "Salem I, Ramser A"},
	}
	if len(a.References) != len(wantRefs) {
		t.Fatalf("references = %+v", a.References)
	}
	for i, w := range wantRefs {
		r := a.References[i]
		if r.Label != w.label || !strings.HasPrefix(r.Text, w.prefix) || r.DOI != "" || r.URL != "" {
			t.Errorf("reference %d = %+v, want [%s] %s… without DOI or URL", i, r, w.label, w.prefix)
		}
	}
	tests := []struct {
		passage string
		section []string
		cites   []string
	}{
		{"Most of us have noticed a spot", []string{}, nil},
		{"two skin doctors proposed", []string{"An Old Idea Returns"}, []string{"1"}},
		{"feeding a Lactobacillus strain", []string{"What Mice Can Tell Us"}, []string{"2"}},    // "! ²"
		{"nerve-and-hormone routes", []string{"What Mice Can Tell Us"}, []string{"3"}},          // "skin.³"
		{"promise 10⁹ CFU in every dose", []string{"Reading the Label (And the Numbers)"}, nil}, // a power, no marker
		{"Keep regular meals.", []string{"Calm Habits Worth Trying"}, nil},
		{"Go slowly.", []string{"Calm Habits Worth Trying"}, nil},
	}
	for _, tt := range tests {
		p := passageWith(t, a, tt.passage)
		if !slices.Equal(p.Section, tt.section) {
			t.Errorf("%q: section = %q, want %q", tt.passage, p.Section, tt.section)
		}
		want := tt.cites
		if want == nil {
			want = []string{""}
		}
		if got := labels(p.Citations); !slices.Equal(got, want) {
			t.Errorf("%q: cites %q, want %q", tt.passage, got, want)
		}
	}
	// The "1." items keep their lead-in, and so do the "•" items.
	for _, item := range []string{"Keep regular meals.", "Move a little every day.", "Protect your sleep."} {
		if p := passageWith(t, a, item); !strings.HasPrefix(p.Text, "If stress seems to show up on your face, a few gentle habits may help your mood and your digestion at the same time: "+item) {
			t.Errorf("item without its lead-in: %q", p.Text)
		}
	}
	if p := passageWith(t, a, "Go slowly."); !strings.HasPrefix(p.Text, "Before you change anything big, keep these points in mind: Go slowly.") {
		t.Errorf("bullet item without its lead-in: %q", p.Text)
	}
	if p := passageWith(t, a, "feeding a Lactobacillus"); !strings.HasSuffix(p.Text, "not proof for people!") {
		t.Errorf("marker after \"! \" left behind: %q", p.Text)
	}
	for _, p := range a.Passages {
		for _, c := range chrome {
			if strings.Contains(p.Text, c) {
				t.Errorf("chrome %q in passage %q", c, p.Text)
			}
		}
		if strings.Contains(p.Text, a.Title) {
			t.Errorf("title repeated in passage %q", p.Text)
		}
		if strings.Contains(p.Text, "\u00a0") {
			t.Errorf("no-break space in passage %q", p.Text)
		}
	}
}

func TestPlainTextAuthorYearFixture(t *testing.T) {
	a, lib := loadOne(t, "fibre-authoryear.txt", readFixture(t, "plaintext/fibre-authoryear.txt"))
	checkLibrary(t, lib)
	if len(lib.Warnings) > 0 {
		t.Errorf("warnings: %v", lib.Warnings)
	}
	if want := "Fibre, Fermentation and the Skin: What Short-Chain Fatty Acids Might Do"; a.Title != want {
		t.Errorf("title = %q, want %q", a.Title, want)
	}
	if a.Published != "2025-02-11" {
		t.Errorf("published = %q", a.Published)
	}
	wantRefs := []Reference{
		{Label: "1", DOI: "10.1080/19490976.2025.2473524", URL: "https://doi.org/10.1080/19490976.2025.2473524"},
		{Label: "2", DOI: "10.5314/wjd.v6.i4.52", URL: "https://doi.org/10.5314/wjd.v6.i4.52"},
		{Label: "3", DOI: "10.4014/jmb.1509.09021", URL: "https://doi.org/10.4014/jmb.1509.09021"},
		{Label: "4", URL: "https://pmc.ncbi.nlm.nih.gov/articles/PMC3038963"},
		{Label: "5", DOI: "10.1002/bies.201600008", URL: "https://doi.org/10.1002/bies.201600008"},
	}
	if len(a.References) != len(wantRefs) {
		t.Fatalf("references = %+v", a.References)
	}
	for i, w := range wantRefs {
		r := a.References[i]
		if r.Label != w.Label || r.DOI != w.DOI || r.URL != w.URL {
			t.Errorf("reference %d = %+v, want label %s doi %q url %q", i, r, w.Label, w.DOI, w.URL)
		}
		if strings.HasPrefix(r.Text, "•") || strings.HasPrefix(r.Text, " ") {
			t.Errorf("reference %d keeps its bullet: %q", i, r.Text)
		}
	}
	if !strings.Contains(a.References[0].Text, "(no date)") || !strings.HasPrefix(a.References[0].Text, "Jiménez-Sánchez, M.") {
		t.Errorf("reference 1 = %q", a.References[0].Text)
	}
	tests := []struct {
		passage string
		section []string
		cites   []string
	}{
		// The lone "(Jimenez-Sanchez et al. 2025)" line, accents folded,
		// cites the (no date) entry through its DOI's year and goes to the
		// passage that follows it.
		{"Fermentation: Gut bacteria", []string{"How Fibre May Reach the Skin"}, []string{"1"}},
		{"Barrier Support:", []string{"How Fibre May Reach the Skin"}, []string{"2"}},
		{"Calmer Immunity:", []string{"How Fibre May Reach the Skin"}, []string{""}},
		{"Most of what we know", []string{"Evidence So Far"}, []string{""}},
		{"A small trial gave", []string{"Probiotics and the Skin"}, []string{"3", "4"}},
	}
	for _, tt := range tests {
		p := passageWith(t, a, tt.passage)
		if !slices.Equal(p.Section, tt.section) {
			t.Errorf("%q: section = %q, want %q", tt.passage, p.Section, tt.section)
		}
		if got := labels(p.Citations); !slices.Equal(got, tt.cites) {
			t.Errorf("%q: cites %q, want %q", tt.passage, got, tt.cites)
		}
	}
	if p := passageWith(t, a, "Barrier Support:"); !strings.HasSuffix(p.Text, "reach the blood.") {
		t.Errorf("author–year citation left in the text: %q", p.Text)
	}
	for _, p := range a.Passages {
		for _, c := range chrome {
			if strings.Contains(p.Text, c) {
				t.Errorf("chrome %q in passage %q", c, p.Text)
			}
		}
		for _, c := range []string{"et al.", "2011)", "Jimenez"} {
			if strings.Contains(p.Text, c) {
				t.Errorf("citation residue %q in passage %q", c, p.Text)
			}
		}
		if strings.HasPrefix(p.Text, "•") {
			t.Errorf("bullet kept: %q", p.Text)
		}
	}
}

func TestPlainTextTitle(t *testing.T) {
	body := "\n\n" + prose("the gut") + "\n"
	tests := []struct {
		name, src, title string
	}{
		{"first line", "Why Fibre Matters for Skin" + body, "Why Fibre Matters for Skin"},
		{"repeated after category lines", "Skin\n\nGut Health\n\nWhy Fibre Matters for Skin\n\nWhy Fibre Matters for Skin" + body, "Why Fibre Matters for Skin"},
		{"repeated, chrome first", "Share\nBlog Image\n\nWhy Fibre Matters\nWhy Fibre Matters" + body, "Why Fibre Matters"},
		{"after a date line", "June 3, 2024\n\nWhy Fibre Matters for Skin" + body, "Why Fibre Matters for Skin"},
		{"two-word category lines are not titles", "Research\n\nWhy Fibre Matters for Skin" + body, "Why Fibre Matters for Skin"},
		{"leading spaces and a BOM", "\uFEFF   Why Fibre Matters for Skin  " + body, "Why Fibre Matters for Skin"},
		{"CRLF line ends", strings.ReplaceAll("Why Fibre Matters for Skin"+body, "\n", "\r\n"), "Why Fibre Matters for Skin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.txt", tt.src)
			if a.Title != tt.title {
				t.Errorf("title = %q, want %q", a.Title, tt.title)
			}
			for _, p := range a.Passages {
				if strings.Contains(p.Text, tt.title) || strings.Contains(p.Text, "Share") || strings.Contains(p.Text, "Research") {
					t.Errorf("title or chrome in passage %q", p.Text)
				}
			}
			checkLibrary(t, lib)
		})
	}
}

func TestPlainTextNoTitle(t *testing.T) {
	for name, src := range map[string]string{
		"only prose":          prose("the gut") + "\n\n" + prose("the skin") + "\n",
		"short line is prose": "Fibre is good.\n\n" + prose("the gut") + "\n",
		"only chrome":         "Share\nBlog Image\nRead Other Blogs\n",
		"only a date":         "October 19, 2025\n",
	} {
		t.Run(name, func(t *testing.T) {
			lib := loadFiles(t, map[string]string{"a.txt": src})
			if len(lib.Articles) != 0 || len(lib.Skipped) != 1 || lib.Skipped[0].File != "a.txt" {
				t.Fatalf("articles %d skipped %v", len(lib.Articles), lib.Skipped)
			}
			if r := lib.Skipped[0].Reason; !strings.Contains(r, "no title") && !strings.Contains(r, "no text") {
				t.Errorf("reason = %q", r)
			}
		})
	}
}

func TestPlainTextDates(t *testing.T) {
	tests := []struct{ line, want string }{
		{"October 19, 2025", "2025-10-19"},
		{"Oct 19, 2025", "2025-10-19"},
		{"19 October 2025", "2025-10-19"},
		{"19 Oct 2025", "2025-10-19"},
		{"2025-10-19", "2025-10-19"},
		{"October 2025", "2025"},
		{"Published on a sunny day", ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			a, _ := loadOne(t, "a.txt", "Why Fibre Matters for Skin\n\n"+tt.line+"\n\n"+prose("the gut")+"\n")
			if a.Published != tt.want {
				t.Errorf("published = %q, want %q", a.Published, tt.want)
			}
			for _, p := range a.Passages {
				if tt.want != "" && strings.Contains(p.Text, tt.line) {
					t.Errorf("date line kept in passage %q", p.Text)
				}
			}
		})
	}
	t.Run("only the first date counts", func(t *testing.T) {
		a, _ := loadOne(t, "a.txt", "Why Fibre Matters for Skin\n\nMay 1, 2024\n\n"+prose("the gut")+"\n\nJune 2, 2025\n")
		if a.Published != "2024-05-01" {
			t.Errorf("published = %q", a.Published)
		}
	})
}

func TestPlainTextStructure(t *testing.T) {
	const title = "Why Fibre Matters for Skin\n\n"
	item := func(s string) string {
		return s + " is a habit that reviews mention often, and people in our community say it was easy to keep for a month."
	}
	tests := []struct {
		name string
		src  string
		// want maps a passage's opening to its section and, when set, its
		// exact text.
		want []struct {
			start   string
			section []string
			text    string
		}
	}{
		{
			name: "headings are short capitalised lines",
			src:  title + "What Fibre Does\n\n" + prose("fibre") + "\n\nWhy It Matters for Skin?\n\n" + prose("skin") + "\n\nthis lowercase line is prose\n\n" + prose("more") + "\n",
			want: []struct {
				start   string
				section []string
				text    string
			}{
				{"This paragraph explains fibre", []string{"What Fibre Does"}, ""},
				{"This paragraph explains skin", []string{"Why It Matters for Skin?"}, ""},
			},
		},
		{
			name: "a line ending like a sentence is no heading",
			src:  title + "Fibre feeds gut bacteria.\n\n" + prose("fibre") + "\n",
			want: []struct {
				start   string
				section []string
				text    string
			}{
				{"Fibre feeds gut bacteria.", []string{}, "Fibre feeds gut bacteria. " + prose("fibre")},
			},
		},
		{
			name: "wrapped lines of a paragraph join",
			src:  title + "This paragraph was pasted with hard\nline breaks in the middle of its sentences,\nwhich often happens when text comes from an email or a PDF, and the lines\nmust join with single spaces.\n",
			want: []struct {
				start   string
				section []string
				text    string
			}{
				{"This paragraph was pasted", []string{}, "This paragraph was pasted with hard line breaks in the middle of its sentences, which often happens when text comes from an email or a PDF, and the lines must join with single spaces."},
			},
		},
		{
			name: "every bullet style keeps the lead-in",
			src:  title + "Habits\n\nThese habits help:\n\n• " + item("Eating oats") + "\n- " + item("Eating beans") + "\n* " + item("Eating leeks") + "\n1. " + item("Walking daily") + "\n2) " + item("Sleeping well") + "\n",
			want: []struct {
				start   string
				section []string
				text    string
			}{
				{"These habits help: Eating oats", []string{"Habits"}, "These habits help: " + item("Eating oats")},
				{"These habits help: Eating beans", []string{"Habits"}, "These habits help: " + item("Eating beans")},
				{"These habits help: Eating leeks", []string{"Habits"}, "These habits help: " + item("Eating leeks")},
				{"These habits help: Walking daily", []string{"Habits"}, "These habits help: " + item("Walking daily")},
				{"These habits help: Sleeping well", []string{"Habits"}, "These habits help: " + item("Sleeping well")},
			},
		},
		{
			name: "a wrapped bullet continues on the next line",
			src:  title + "Habits\n\nThese habits help:\n\n• Eating oats is a habit that reviews mention often,\n  and people in our community say it was easy to keep for a month or more.\n• " + item("Eating beans") + "\n",
			want: []struct {
				start   string
				section []string
				text    string
			}{
				{"These habits help: Eating oats", []string{"Habits"}, "These habits help: Eating oats is a habit that reviews mention often, and people in our community say it was easy to keep for a month or more."},
				{"These habits help: Eating beans", []string{"Habits"}, "These habits help: " + item("Eating beans")},
			},
		},
		{
			name: "the lead-in ends with its list",
			src:  title + "Habits\n\nThese habits help:\n\n• " + item("Eating oats") + "\n\n" + prose("what follows the list") + "\n",
			want: []struct {
				start   string
				section []string
				text    string
			}{
				{"These habits help: Eating oats", []string{"Habits"}, ""},
				{"This paragraph explains what follows", []string{"Habits"}, prose("what follows the list")},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.txt", tt.src)
			checkLibrary(t, lib)
			for _, w := range tt.want {
				var p *Passage
				for i := range a.Passages {
					if strings.HasPrefix(a.Passages[i].Text, w.start) {
						p = &a.Passages[i]
					}
				}
				if p == nil {
					t.Errorf("no passage starts with %q in %q", w.start, a.Passages)
					continue
				}
				if !slices.Equal(p.Section, w.section) {
					t.Errorf("%q: section %q, want %q", w.start, p.Section, w.section)
				}
				if w.text != "" && p.Text != w.text {
					t.Errorf("text = %q, want %q", p.Text, w.text)
				}
			}
		})
	}
}

func TestPlainTextReferences(t *testing.T) {
	const head = "Why Fibre Matters for Skin\n\n"
	para := prose("fibre")
	tests := []struct {
		name   string
		src    string
		labels []string
		texts  []string
	}{
		{
			name:   "numbered entries after References:",
			src:    head + para + "¹ ²\n\nReferences:\n1. Bowe WP, Logan AC. Acne vulgaris. Gut Pathog. 2011.\n2. Arck P et al. Is there a gut-brain-skin axis? Exp Dermatol. 2010.\n",
			labels: []string{"1", "2"},
			texts:  []string{"Bowe WP, Logan AC. Acne vulgaris. Gut Pathog. 2011.", "Arck P et al. Is there a gut-brain-skin axis? Exp Dermatol. 2010."},
		},
		{
			name:   "bulleted entries after Sources, blank lines between",
			src:    head + para + "\n\nSources\n\n• Bowe, W.P. and Logan, A.C. (2011) Acne vulgaris.\n\n• Arck, P. et al. (2010) Is there a gut-brain-skin axis?\n",
			labels: []string{"1", "2"},
			texts:  []string{"Bowe, W.P. and Logan, A.C. (2011) Acne vulgaris.", "Arck, P. et al. (2010) Is there a gut-brain-skin axis?"},
		},
		{
			name:   "bracket labels",
			src:    head + para + " [2]\n\nBibliography:\n[1] Bowe WP. Acne vulgaris. 2011.\n[2] Arck P. Gut-brain-skin axis. 2010.\n",
			labels: []string{"1", "2"},
		},
		{
			name:   "unnumbered lines",
			src:    head + para + "\n\nReferences:\nBowe WP. Acne vulgaris. 2011.\nArck P. Gut-brain-skin axis. https://doi.org/10.1111/j.1600-0625.2009.01060.x\n",
			labels: []string{"1", "2"},
		},
		{
			name:   "a wrapped entry stays one entry",
			src:    head + para + "\n\nReferences:\n1. Bowe WP, Logan AC. Acne vulgaris, probiotics and the\ngut-brain-skin axis - back to the future? Gut Pathog. 2011.\n2. Arck P. Gut-brain-skin axis. 2010.\n",
			labels: []string{"1", "2"},
			texts:  []string{"Bowe WP, Logan AC. Acne vulgaris, probiotics and the gut-brain-skin axis - back to the future? Gut Pathog. 2011.", "Arck P. Gut-brain-skin axis. 2010."},
		},
		{
			name:   "the list ends at the first line that is no reference",
			src:    head + para + "\n\nReferences:\n1. Bowe WP. Acne vulgaris. 2011.\n\nBlogs and Insights\n\nSome Other Post Title Here\n\nRead Other Blogs\n",
			labels: []string{"1"},
		},
		{
			name:   "a bulleted entry without a year does not end the list",
			src:    head + para + "\n\nReferences:\n• Bowe WP. Acne vulgaris. 2011.\n• A fact sheet on fibre, undated\n• Arck P. Gut-brain-skin axis. 2010.\n",
			labels: []string{"1", "2", "3"},
			texts:  []string{"Bowe WP. Acne vulgaris. 2011.", "A fact sheet on fibre, undated", "Arck P. Gut-brain-skin axis. 2010."},
		},
		{
			name:   "an unmarked line without a year ends the list",
			src:    head + para + "\n\nReferences:\n1. Bowe WP. Acne vulgaris. 2011.\n\nSome Other Post Title Here\n\nTen Skin Tips for 2024\n",
			labels: []string{"1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.txt", tt.src)
			if got := labels(a.References); !slices.Equal(got, tt.labels) {
				t.Errorf("labels = %q, want %q (refs %+v)", got, tt.labels, a.References)
			}
			for i, want := range tt.texts {
				if i < len(a.References) && a.References[i].Text != want {
					t.Errorf("reference %d = %q, want %q", i, a.References[i].Text, want)
				}
			}
			for _, p := range a.Passages {
				if strings.Contains(p.Text, "Acne vulgaris") || strings.Contains(p.Text, "Other Post") {
					t.Errorf("reference list or chrome in passage %q", p.Text)
				}
			}
			if len(lib.Warnings) > 0 {
				t.Errorf("warnings %v", lib.Warnings)
			}
		})
	}
}

// TestPlainTextPageChrome pastes one short article as several blog
// platforms wrap it, and checks that the article is read and the chrome
// dropped: never a title, heading, passage or reference.
func TestPlainTextPageChrome(t *testing.T) {
	const title = "Kefir, Hype and One Small Trial"
	intro := "Kefir is a sour fermented milk drink, and wellness posts often claim it clears the skin. One small trial is all the skin research there is, so it is worth reading closely before buying a litre a day."
	trial := "The trial gave twenty-seven healthy women either a daily glass of kefir or nothing for eight weeks. Water loss through the skin fell a little in the kefir group, but the controls had no placebo drink, so expectations may explain part of it (Alves et al. 2022)."
	refs := "References:\n1. Alves E, Gregório J, Rijo P, Rosado C, Rodrigues LM (2022). The impact of kefir on epidermal water homeostasis in healthy human skin. Life 12(7):1075. https://doi.org/10.3390/life12071075\n"
	tests := []struct {
		name              string
		src               string
		author, published string
		tags              []string
		// gone must appear in no passage, section or reference.
		gone []string
	}{
		{
			name: "WordPress",
			src: "Skip to content\nThe Fermenting Kitchen\nMenu\nHome » Gut health » Kefir\n\n" + title + "\n\nPosted on 12 March 2024 by Sam Okafor · 2 Comments\n\n" +
				intro + " Sign up for our newsletter to get new posts by email.\n\nWhat the Trial Measured\n\n" + trial + "\n\n" +
				"Share this:\nFacebook\nX\nPinterest\nEmail\n\nLike this:\nLike Loading...\n\nRelated\n\n" + refs + "\n" +
				"2 thoughts on “" + title + "”\n\nPriya says:\n12 March 2024 at 9:14 am\nLovely clear summary, thanks!\n\nReply\n\n" +
				"Leave a Reply Cancel reply\nYour email address will not be published. Required fields are marked *\n\n© 2024 The Fermenting Kitchen · Privacy policy",
			author: "Sam Okafor", published: "2024-03-12",
			gone: []string{"Skip", "Menu", "Home", "Posted", "newsletter", "Share", "Facebook", "Like", "Related", "thoughts", "Priya", "Lovely", "Reply", "email address", "Required", "©", "Privacy"},
		},
		{
			name: "Squarespace",
			src: "Journal\n\n" + title + "\n\nMarch 3, 2025 · Maya Chen\n\n" + intro + "\n\nWhat the Trial Measured\n\n" + trial + "\n\nTagged: kefir, fermented foods, skin barrier\n\n" +
				refs + "\nNewsletter\nSign up with your email address to receive news and updates.\nEmail Address\nSign Up\nWe respect your privacy.\nThank you!\n",
			published: "2025-03-03", tags: []string{"kefir", "fermented foods", "skin barrier"},
			gone: []string{"Journal", "Maya", "Tagged", "Newsletter", "Sign up", "Email Address", "privacy", "Thank you"},
		},
		{
			name: "Substack",
			src: title + "\n\nAna Ruiz\nMar 3, 2025\n\n" + intro + "\n\nSubscribe\n\nWhat the Trial Measured\n\n" + trial + "\n\nShare\n\nLeave a comment\n\n" +
				"Thanks for reading Gut Notes! Subscribe for free to receive new posts and support my work.\n\n" + refs,
			author: "Ana Ruiz", published: "2025-03-03",
			gone: []string{"Ana Ruiz", "Subscribe", "Share", "Leave a comment", "Thanks for reading", "support my work"},
		},
		{
			name: "Medium",
			src: title + "\nAna Ruiz\nFollow\n6 min read\n·\nMar 3, 2025\n--\nListen\nShare\n\n" + intro + "\n\nWhat the Trial Measured\n\n" + trial + "\n\n" + refs + "\n" +
				"Written by Ana Ruiz\n1.2K Followers\nNutrition writer and kitchen fermenter.\nFollow\n\nMore from Ana Ruiz\n\nWhy Sauerkraut Is Not a Probiotic Pill\n\nRecommended from Medium\n\nFive Gut Myths That Refuse to Die\n",
			author: "Ana Ruiz", published: "2025-03-03",
			gone: []string{"Ana Ruiz", "Follow", "min read", "Listen", "Share", "Written by", "Followers", "kitchen fermenter", "More from", "Sauerkraut", "Recommended", "Myths"},
		},
		{
			name: "Wix",
			src: "All Posts\nSearch\nLog in / Sign up\n\nDr. Lee Wong\nMar 3, 2025\n3 min read\n\n" + title + "\n\nUpdated: Mar 5, 2025\n\n" + intro + "\n\nWhat the Trial Measured\n\n" + trial +
				"\n\n#kefir #guthealth\n\n" + refs + "\nRecent Posts\nSee All\nFive Fermented Foods to Try\nSleep and Your Skin\n\nComments\n\nWrite a comment...\n",
			author: "Dr. Lee Wong", published: "2025-03-03", tags: []string{"kefir", "guthealth"},
			gone: []string{"All Posts", "Search", "Log in", "Lee Wong", "min read", "Updated", "#", "Recent", "See All", "Five Fermented", "Sleep and", "Comment"},
		},
		{
			name: "clinic blog with a booking box and a cookie banner",
			src: "🍪 We use cookies to give you the best experience on our website. Accept all | Reject all | Cookie settings\n\nHome › Journal › Skin\n\n" + title + "\n\nBy Dr Kim Lee · 5 min read\nUpdated 2 February 2025\nTags: kefir, skin, gut health\n\n" +
				intro + "\n\n------------------------------\n✉️ The Ferment Files\nOne study, explained plainly, every month.\n[ Your email ]  [ Subscribe ]\n------------------------------\n\n" +
				"What the Trial Measured\n\n" + trial + " ➡️ Book a consultation with me to build your own plan.\n\nDM us to book a skin review with our team.\n\n" +
				"Share: Facebook · X · WhatsApp · Copy link\n\n" + refs + "\nComments (2)\n\nLena K. · 2 days ago\nSo clear, thank you.\n\nTom · 1 day ago\nWould love a follow-up on kombucha!\n\nLeave a reply\n\n© 2025 Glow Clinic · Privacy · Cookie settings\n",
			author: "Dr Kim Lee", tags: []string{"kefir", "skin", "gut health"},
			gone: []string{"cookies", "Accept", "Home", "Journal", "Kim Lee", "min read", "Updated", "Tags", "Ferment Files", "every month", "Your email", "Book", "DM", "Share", "Comments", "Lena", "So clear", "kombucha", "reply", "©"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.txt", tt.src)
			checkLibrary(t, lib)
			if len(lib.Warnings) > 0 {
				t.Errorf("warnings %v", lib.Warnings)
			}
			if a.Title != title {
				t.Errorf("title = %q, want %q", a.Title, title)
			}
			if a.Author != tt.author || a.Published != tt.published {
				t.Errorf("author %q published %q, want %q %q", a.Author, a.Published, tt.author, tt.published)
			}
			if tt.tags == nil {
				tt.tags = []string{}
			}
			if !slices.Equal(a.Tags, tt.tags) {
				t.Errorf("tags = %q, want %q", a.Tags, tt.tags)
			}
			if len(a.References) != 1 || !strings.HasPrefix(a.References[0].Text, "Alves E") {
				t.Errorf("references = %+v", a.References)
			}
			if p := passageWith(t, a, "Kefir is a sour"); p.Text != intro {
				t.Errorf("intro passage = %q", p.Text)
			}
			p := passageWith(t, a, "The trial gave")
			if !strings.HasSuffix(p.Text, "expectations may explain part of it.") || !slices.Equal(p.Section, []string{"What the Trial Measured"}) {
				t.Errorf("trial passage = %q under %q", p.Text, p.Section)
			}
			if got := labels(p.Citations); !slices.Equal(got, []string{"1"}) {
				t.Errorf("trial passage cites %q", got)
			}
			if len(a.Passages) != 2 {
				t.Errorf("%d passages, want 2: %q", len(a.Passages), a.Passages)
			}
			for _, p := range a.Passages {
				for _, s := range append(slices.Clone(p.Section), p.Text) {
					for _, c := range tt.gone {
						if strings.Contains(s, c) {
							t.Errorf("chrome %q in %q", c, s)
						}
					}
				}
				if IsCallToAction(p.Text) {
					t.Errorf("passage is a call to action: %q", p.Text)
				}
			}
		})
	}
}

// TestPlainTextCallToActionSentences checks that a call to action glued to
// a paragraph goes and the paragraph stays, and that prose using the same
// words stays whole.
func TestPlainTextCallToActionSentences(t *testing.T) {
	const head = "Why Fibre Matters for Skin\n\n"
	tests := []struct{ name, para, want string }{
		{"booking at the end", prose("fibre") + " ➡️ Book a consultation with me to build your gut-skin plan", prose("fibre")},
		{"newsletter at the end", prose("fibre") + " Subscribe to our newsletter for weekly tips. No spam, unsubscribe anytime.", prose("fibre")},
		{"following at the end", prose("fibre") + " Follow us on Instagram @fibrefirst for recipes.", prose("fibre")},
		{"ordinary prose", prose("fibre") + " A follow-up study will share its data, and a book on the topic is due next year.", prose("fibre") + " A follow-up study will share its data, and a book on the topic is due next year."},
		{"advice to book a GP", prose("fibre") + " Book an appointment with your GP if the rash spreads.", prose("fibre") + " Book an appointment with your GP if the rash spreads."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.txt", head+tt.para+"\n")
			checkLibrary(t, lib)
			if len(a.Passages) != 1 || a.Passages[0].Text != tt.want {
				t.Errorf("passages = %q, want one: %q", a.Passages, tt.want)
			}
		})
	}
}

func TestPlainTextSourceLine(t *testing.T) {
	const head = "Why Fibre Matters for Skin\n\n"
	para := prose("fibre")
	tests := []struct {
		name  string
		src   string
		texts []string
	}{
		{
			name:  "Source: with the reference on the same line",
			src:   head + para + "\n\nSource: Bowe WP, Logan AC (2011). Acne vulgaris and the gut-brain-skin axis. Gut Pathogens 3:1. https://doi.org/10.1186/1757-4749-3-1\n",
			texts: []string{"Bowe WP, Logan AC (2011). Acne vulgaris and the gut-brain-skin axis. Gut Pathogens 3:1. https://doi.org/10.1186/1757-4749-3-1"},
		},
		{
			name:  "Sources: with one on the same line and more below",
			src:   head + para + "\n\nSources: Bowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1.\nArck P et al. (2010). Is there a gut-brain-skin axis? Exp Dermatol.\n",
			texts: []string{"Bowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1.", "Arck P et al. (2010). Is there a gut-brain-skin axis? Exp Dermatol."},
		},
		{
			name:  "Source: alone, the reference on the next line",
			src:   head + para + "\n\nSource:\nBowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1.\n",
			texts: []string{"Bowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1."},
		},
		{
			name:  "a bare Sources line, one reference a line",
			src:   head + para + "\n\nSources\nBowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1.\nArck P et al. (2010). Is there a gut-brain-skin axis? Exp Dermatol.\n",
			texts: []string{"Bowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1.", "Arck P et al. (2010). Is there a gut-brain-skin axis? Exp Dermatol."},
		},
		{
			// One list of label words serves both readers and every form.
			name:  "Literature: with the reference on the same line",
			src:   head + para + "\n\nLiterature: Bowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1.\n",
			texts: []string{"Bowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1."},
		},
		{
			name:  "a bare Citations line",
			src:   head + para + "\n\nCitations\nBowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1.\n",
			texts: []string{"Bowe WP, Logan AC (2011). Acne vulgaris. Gut Pathogens 3:1."},
		},
		{
			name: "Source: with no reference is prose",
			src:  head + para + "\n\nSource: my own kitchen, after ten years of making kefir at home for the whole family and friends who visit.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.txt", tt.src)
			checkLibrary(t, lib)
			var got []string
			for _, r := range a.References {
				got = append(got, r.Text)
			}
			if !slices.Equal(got, tt.texts) {
				t.Errorf("references = %q, want %q", got, tt.texts)
			}
			for _, p := range a.Passages {
				if tt.texts != nil && strings.Contains(p.Text, "Source") || strings.Contains(p.Text, "Bowe") {
					t.Errorf("reference in passage %q", p.Text)
				}
			}
		})
	}
}

func TestPlainTextNotes(t *testing.T) {
	src := "Kefir notes for the mod team\n\n" +
		"what kefir is\n- fermented milk drink, tangy, a bit like thin yogurt\n- made with grains of yeast and bacteria\n\n" +
		"evidence\nKNOWN\n- one small trial in healthy women, eight weeks (Alves 2022)\n- less water lost through the skin\n" +
		"NOT KNOWN\n- any effect on acne or eczema\n- whether a placebo drink would do the same\n\n" +
		"how to answer\n- keep it light, kefir is fine as food and most people\nenjoy it\n- no promises about skin\n\n" +
		"Sources:\nAlves E, Gregório J (2022). The impact of kefir on epidermal water homeostasis. Life 12(7):1075.\n"
	a, lib := loadOne(t, "notes.txt", src)
	checkLibrary(t, lib)
	if len(lib.Warnings) > 0 {
		t.Errorf("warnings %v", lib.Warnings)
	}
	if a.Title != "Kefir notes for the mod team" || len(a.References) != 1 {
		t.Errorf("title %q, references %+v", a.Title, a.References)
	}
	tests := []struct {
		start   string
		section []string
		cites   []string
	}{
		{"fermented milk drink, tangy, a bit like thin yogurt made with grains", []string{"what kefir is"}, []string{""}},
		{"one small trial in healthy women", []string{"evidence", "KNOWN"}, []string{"1"}},
		{"any effect on acne or eczema", []string{"evidence", "NOT KNOWN"}, []string{""}},
	}
	for _, tt := range tests {
		p := passageWith(t, a, tt.start)
		if !strings.HasPrefix(p.Text, tt.start) {
			t.Errorf("%q: passage starts %q", tt.start, p.Text)
		}
		if !slices.Equal(p.Section, tt.section) {
			t.Errorf("%q: section %q, want %q", tt.start, p.Section, tt.section)
		}
		if got := labels(p.Citations); !slices.Equal(got, tt.cites) {
			t.Errorf("%q: cites %q, want %q", tt.start, got, tt.cites)
		}
	}
	// "how to answer" is a heading of the first case again, not a third
	// level under "evidence"; a lowercase line after an item is its
	// wrapped end.
	p := passageWith(t, a, "keep it light")
	if !slices.Equal(p.Section, []string{"how to answer"}) || !strings.HasPrefix(p.Text, "keep it light, kefir is fine as food and most people enjoy it no promises") {
		t.Errorf("%q under %q", p.Text, p.Section)
	}
	for _, p := range a.Passages {
		if strings.Contains(p.Text, "KNOWN") || strings.Contains(p.Text, "- ") {
			t.Errorf("heading or bullet in passage %q", p.Text)
		}
	}
}

// TestPlainTextKeepsLookalikes checks that text shaped a little like page
// chrome, as moderators write it, is kept.
func TestPlainTextKeepsLookalikes(t *testing.T) {
	const title = "Why Fibre Matters for Skin\n\n"
	tests := []struct {
		name, src string
		keep      string   // a passage starts with it
		section   []string // under this section
	}{
		{"a heading that starts with By", title + "By Contrast\n\n" + prose("fibre") + "\n", "This paragraph explains fibre", []string{"By Contrast"}},
		{"a notes heading named Recommended", title + "Recommended\n- sleep seven to nine hours, most nights of the week, since short nights make itch and spots worse for many people\n", "sleep seven to nine hours", []string{"Recommended"}},
		{"a year in prose after Posted in", title + "Posted in 2019, the trial found that kefir did nothing measurable for acne in the forty people who finished it.\n", "Posted in 2019, the trial", []string{}},
		{"a see-also pointer", title + prose("fibre") + " See also the FAQ on kefir, which covers the one small trial there is.\n", "This paragraph explains fibre", []string{}},
		{"a row of foods is a heading, not a share bar", title + "Kefir | Yogurt | Kimchi\n\n" + prose("fermented foods") + "\n", "This paragraph explains fermented foods", []string{"Kefir | Yogurt | Kimchi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, lib := loadOne(t, "a.txt", tt.src)
			checkLibrary(t, lib)
			p := passageWith(t, a, tt.keep)
			if !strings.HasPrefix(p.Text, tt.keep) || !slices.Equal(p.Section, tt.section) {
				t.Errorf("passage %q under %q, want it to start %q under %q", p.Text, p.Section, tt.keep, tt.section)
			}
		})
	}
	t.Run("a category line above the date names no author", func(t *testing.T) {
		a, _ := loadOne(t, "a.txt", "Gut Health\n\nMarch 3, 2025\n\n"+title+prose("fibre")+"\n")
		if a.Author != "" || a.Published != "2025-03-03" || a.Title != "Why Fibre Matters for Skin" {
			t.Errorf("author %q published %q title %q", a.Author, a.Published, a.Title)
		}
	})
}
