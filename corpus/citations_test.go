package corpus

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestExtractMarkers(t *testing.T) {
	known := func(m citeMark) bool {
		if m.label != "" {
			return len(m.label) == 1 && m.label >= "1" && m.label <= "5"
		}
		return m.author == "Salem" && m.year == "2018" || m.author == "Bowe" && m.year == "2011" || m.author == "Arck" && m.year == "2010"
	}
	tests := []struct {
		name, in, want string
		marks          []string // labels, or "Author Year"
	}{
		{"superscripts", "Dysbiosis is linked to acne.¹²³ Next", "Dysbiosis is linked to acne. Next", []string{"1", "2", "3"}},
		{"superscript list", "Linked to acne.¹,³ Next", "Linked to acne. Next", []string{"1", "3"}},
		{"superscript range", "Linked to acne.¹⁻³", "Linked to acne.", []string{"1", "2", "3"}},
		{"superscripts apart", "Linked to acne.¹ ³ Next", "Linked to acne. Next", []string{"1", "3"}},
		{"superscript after a space", "It reaches the skin! ²", "It reaches the skin!", []string{"2"}},
		{"superscript before the period", "It reaches the skin² and more.", "It reaches the skin and more.", []string{"2"}},
		{"a power is no marker", "Each capsule holds 10⁹ CFU of bacteria.", "Each capsule holds 10⁹ CFU of bacteria.", nil},
		{"a power after ×", "Each capsule holds 3×10¹⁰ CFU.", "Each capsule holds 3×10¹⁰ CFU.", nil},
		{"negative powers", "Acid reached 1.5 × 10⁻³ M at 2 mol m⁻² a day.", "Acid reached 1.5 × 10⁻³ M at 2 mol m⁻² a day.", nil},
		{"a unit is no marker", "A patch of 4 m² of skin and 2 cm³ of cream.", "A patch of 4 m² of skin and 2 cm³ of cream.", nil},
		// The same text "m²" as a unit and after a word: each is judged by
		// the word it follows, whichever comes first.
		{"a unit, then a marker after a word ending in m", "The plots covered 10 m² of soil, and the research team² found more.", "The plots covered 10 m² of soil, and the research team found more.", []string{"2"}},
		{"a marker after a word ending in m, then a unit", "The research team² found that the plots covered 10 m² of soil.", "The research team found that the plots covered 10 m² of soil.", []string{"2"}},
		{"a statistic, then a marker after a word ending in I", "Studies disagreed (I² = 79%) in the NHI² cohort.", "Studies disagreed (I² = 79%) in the NHI cohort.", []string{"2"}},
		{"a statistic is no marker", "Studies disagreed (I² = 79%) and R² was low.²", "Studies disagreed (I² = 79%) and R² was low.", []string{"2"}},
		{"a date is no citation", "The survey ran (March 2020) in two cities.", "The survey ran (March 2020) in two cities.", nil},
		{"power and marker", "About 10⁹ CFU a day were given.³", "About 10⁹ CFU a day were given.", []string{"3"}},
		{"bracket", "Linked to acne [1].", "Linked to acne.", []string{"1"}},
		{"bracket list", "Linked to acne [1, 2].", "Linked to acne.", []string{"1", "2"}},
		{"bracket en-dash range", "Linked to acne [1–3].", "Linked to acne.", []string{"1", "2", "3"}},
		{"bracket hyphen range and list", "Linked to acne [1-2, 5].", "Linked to acne.", []string{"1", "2", "5"}},
		{"bracket semicolons", "Linked to acne [2; 4].", "Linked to acne.", []string{"2", "4"}},
		{"brackets glued", "Linked to acne[1][2].", "Linked to acne.", []string{"1", "2"}},
		{"caret", "Linked to acne^1.", "Linked to acne.", []string{"1"}},
		{"caret after a space", "Linked to acne ^1.", "Linked to acne.", []string{"1"}},
		{"a caret power is no marker", "About 10^9 bacteria.", "About 10^9 bacteria.", nil},
		{"superscripts naming reference 12", "Linked to acne.¹²", "Linked to acne.", []string{"1", "2"}},
		{"footnote", "Linked to acne[^1].", "Linked to acne.", []string{"1"}},
		{"named footnote", "Linked to acne[^salem].", "Linked to acne.", []string{"salem"}},
		{"a huge range is cut", "Linked to acne [1-9999].", "Linked to acne.", []string{"1"}},
		{"author–year", "Gut bacteria signal to the skin (Salem et al. 2018).", "Gut bacteria signal to the skin.", []string{"Salem 2018"}},
		{"author–year with and and a comma", "Worry may change gut bacteria (Bowe and Logan, 2011).", "Worry may change gut bacteria.", []string{"Bowe 2011"}},
		{"two author–year citations", "Gut, brain and skin talk (Bowe & Logan 2011; Arck et al. 2010).", "Gut, brain and skin talk.", []string{"Bowe 2011", "Arck 2010"}},
		{"unknown author–year stays readable", "Fibre helps (Nobody et al. 2020).", "Fibre helps (Nobody et al. 2020).", []string{"Nobody 2020"}},
		{"half-known author–year stays readable", "Fibre helps (Salem et al. 2018; Nobody 2020).", "Fibre helps (Salem et al. 2018; Nobody 2020).", []string{"Salem 2018", "Nobody 2020"}},
		{"a parenthesis without a year is prose", "Short-chain fatty acids (SCFAs) such as butyrate (Th17/Treg) matter.", "Short-chain fatty acids (SCFAs) such as butyrate (Th17/Treg) matter.", nil},
		{"a bracketed year is no marker", "The survey [2019] found little.", "The survey [2019] found little.", nil},
		{"a year in prose is no marker", "In 2018 a review of 45 papers appeared.", "In 2018 a review of 45 papers appeared.", nil},
		{"markers left behind by removed ones", "Linked to acne [5] ^1 and [1[2]].", "Linked to acne and.", []string{"5", "2", "1", "1"}},
		{"an unresolved author–year is reported once", "Fibre [1] helps (Nobody 2020).", "Fibre helps (Nobody 2020).", []string{"1", "Nobody 2020"}},
		{"all styles at once", "Routes are proposed [1]¹ (Salem et al. 2018)^2[^3].", "Routes are proposed.", []string{"3", "1", "2", "1", "Salem 2018"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, marks := extractMarkers(tt.in, known)
			if got != tt.want {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
			var ms []string
			for _, m := range marks {
				if m.label != "" {
					ms = append(ms, m.label)
				} else {
					ms = append(ms, m.author+" "+m.year)
				}
			}
			if !slices.Equal(ms, tt.marks) {
				t.Errorf("marks = %q, want %q", ms, tt.marks)
			}
		})
	}
}

func TestNarrativeCitations(t *testing.T) {
	idx := newAuthorYearIndex([]Reference{
		{Label: "1", Text: "Kwon HH, Yoon JY, Hong JS (2012). A low glycaemic load diet in acne. Acta Derm Venereol."},
		{Label: "2", Text: "Juhl CR, Bergholdt HKM (2018). Dairy intake and acne. Nutrients 10:1049."},
		{Label: "3", Text: "Bowe WP, Logan AC (2011). Acne vulgaris and the gut-brain-skin axis. Gut Pathogens 3:1."},
		{Label: "4", Text: "De Pessemier B, Grine L (2021). Gut-skin axis. Microorganisms 9:353."},
		{Label: "5", Text: "Camilleri M (2019). Leaky gut. Gut 68:1516."},
		{Label: "6", Text: "Navarro-López V, et al. (2018). A probiotic mixture in children. JAMA Dermatol."},
		{Label: "7", Text: "Gut-derived fatty acids and the skin barrier (2022). Mucosal Immunology."},
	})
	resolve := func(m citeMark) bool {
		_, ok := idx.find(m.author, m.year)
		return m.label == "" && ok
	}
	tests := []struct {
		name, in string
		marks    []string // "Author Year"
		// want is the clean text when it is not in: narrative citations
		// stay in the text.
		want string
	}{
		{"and colleagues", "Kwon and colleagues (2012) tested a low-glycaemic diet.", []string{"Kwon 2012"}, ""},
		{"et al.", "Juhl et al. (2018) pooled fourteen studies.", []string{"Juhl 2018"}, ""},
		{"et al without a period", "Juhl et al (2018) pooled fourteen studies.", []string{"Juhl 2018"}, ""},
		{"two authors", "Bowe and Logan (2011) revisited an old idea.", []string{"Bowe 2011"}, ""},
		{"two authors with &, as notes write it", "revisited by Bowe & Logan 2011 as a hypothesis", []string{"Bowe 2011"}, ""},
		{"a two-word surname", "The review by De Pessemier et al. (2021) went condition by condition.", []string{"De Pessemier 2021"}, ""},
		{"a capitalised word before the name", "In Juhl et al. (2018), every study was observational.", []string{"Juhl 2018"}, ""},
		{"a bare year, as notes write it", "Camilleri 2019 walks through the methods.", []string{"Camilleri 2019"}, ""},
		{"a comma before the year", "Juhl et al., 2018 is a meta-analysis.", []string{"Juhl 2018"}, ""},
		{"accents folded", "Navarro-Lopez et al. (2018) was double-blind.", []string{"Navarro-Lopez 2018"}, ""},
		{"several in one sentence", "Kwon and colleagues (2012) and Juhl et al. (2018) disagree.", []string{"Kwon 2012", "Juhl 2018"}, ""},
		{"inside an unresolved parenthesis", "not a diagnosis (Camilleri 2019, a clinician review)", []string{"Camilleri 2019"}, ""},
		{"a resolved parenthetical is read once", "Dairy and acne go together (Juhl et al. 2018).", []string{"Juhl 2018"}, "Dairy and acne go together."},

		{"a year after a lowercase word", "A trial published in (2012) found little.", nil, ""},
		{"a year after a common word", "The survey (2012) found little.", nil, ""},
		{"a year at the start of a sentence", "In 2012 Kwon moved to a new lab.", nil, ""},
		{"the wrong year", "Kwon and colleagues (2013) repeated it.", nil, ""},
		{"a name with no reference", "Smith et al. (2012) found more.", nil, ""},
		{"a longer name is another author", "Kwonson et al. (2012) found more.", nil, ""},
		{"a journal is no author", "A paper in Gut (2022) and one in Gut Microbes (2022).", nil, ""},
		{"a month", "The survey ran in March 2011 and May (2011).", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, marks := extractMarkers(tt.in, resolve)
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if got != want {
				t.Errorf("text = %q, want %q", got, want)
			}
			var ms []string
			for _, m := range marks {
				ms = append(ms, m.author+" "+m.year)
			}
			if !slices.Equal(ms, tt.marks) {
				t.Errorf("marks = %q, want %q", ms, tt.marks)
			}
		})
	}
}

// TestNarrativeCitationsLoad checks narrative citations end to end: they
// cite their reference, leave the text alone, and a name matching no
// reference neither cites nor warns.
func TestNarrativeCitationsLoad(t *testing.T) {
	src := md("Diet and acne", "Kwon and colleagues (2012) tested a low-glycaemic-load diet in thirty-two patients for ten weeks and found fewer lesions and smaller oil glands on biopsy than in the control group.\n\n"+
		"Smith et al. (2007) also reported fewer lesions, but their low-glycaemic group lost weight too, so the two effects cannot be told apart in that trial.\n\n"+
		"## References\n\n1. Kwon HH, Yoon JY (2012). Clinical and histological effect of a low glycaemic load diet. Acta Dermato-Venereologica 92(3):241–246.\n")
	a, lib := loadOne(t, "a.md", src)
	if len(lib.Warnings) > 0 {
		t.Errorf("warnings %v", lib.Warnings)
	}
	p := passageWith(t, a, "Kwon and colleagues (2012) tested")
	if got := labels(p.Citations); !slices.Equal(got, []string{"1"}) {
		t.Errorf("Kwon passage cites %q", got)
	}
	if p := passageWith(t, a, "Smith et al. (2007) also"); labels(p.Citations)[0] != "" {
		t.Errorf("Smith passage cites %q, want the article itself", labels(p.Citations))
	}
}

func TestAuthorYearIndex(t *testing.T) {
	refs := newAuthorYearIndex([]Reference{
		{Label: "1", Text: "Jiménez-Sánchez, M. et al. (no date) The gut-skin axis. Available at: https://doi.org/10.1080/19490976.2025.2473524."},
		{Label: "2", Text: "Salem I, Ramser A, Isham N, Ghannoum MA. The gut microbiome. Front Microbiol. 2018."},
		{Label: "3", Text: "Smithson J (2019). A paper that is not Smith's."},
		{Label: "4", Text: "Smith J (2019). A paper by Smith."},
		{Label: "5", Text: "De Pessemier B, et al. Gut–Skin Axis. Microorganisms. 2021."},
		{Label: "6", Text: "Szántó M et al. (2019) Targeting the gut-skin axis."},
		{Label: "7", Text: "Salem I (2016). An earlier paper by the same first author."},
		{Label: "8", Text: "Salem I (2018). A second paper of 2018, never found before the first."},
		{Label: "9", Text: "“Quoted” title first (2018)."},
		{Label: "10", Text: "Smith-Jones P (2020). A double-barrelled name."},
	})
	tests := []struct {
		author, year, want string
	}{
		{"Jimenez-Sanchez", "2025", "1"}, // accents folded; the year is read from the DOI
		{"Jiménez-Sánchez", "2025", "1"},
		{"JIMENEZ-SANCHEZ", "2025", "1"},
		{"Salem", "2018", "2"},
		{"Salem", "2016", "7"},
		{"Salem", "2017", ""},
		{"Smith", "2019", "4"}, // not Smithson
		{"De Pessemier", "2021", "5"},
		{"Szanto", "2019", "6"},
		{"Ghannoum", "2018", ""}, // not the first author
		{"Smith", "2020", "10"},  // a whole word of the name, as before
		{"Smith-Jones", "2020", "10"},
		{"Quoted", "2018", ""},
	}
	for _, tt := range tests {
		r, ok := refs.find(tt.author, tt.year)
		if ok != (tt.want != "") || r.Label != tt.want {
			t.Errorf("find(%q, %q) = %q %v, want %q", tt.author, tt.year, r.Label, ok, tt.want)
		}
	}
}

func TestParseReference(t *testing.T) {
	tests := []struct {
		name, text, doi, url string
	}{
		{"doi: prefix and trailing period", "Bowe WP, Logan AC (2011). Acne vulgaris. Gut Pathog 3:1. doi:10.1186/1757-4749-3-1.", "10.1186/1757-4749-3-1", "https://doi.org/10.1186/1757-4749-3-1"},
		{"DOI: with a space", "Salem I et al. (2018). Front Microbiol 9:1459. DOI: 10.3389/fmicb.2018.01459", "10.3389/fmicb.2018.01459", "https://doi.org/10.3389/fmicb.2018.01459"},
		{"doi.org link", "Szántó M et al. (2019). Available at: https://doi.org/10.1111/exd.14016.", "10.1111/exd.14016", "https://doi.org/10.1111/exd.14016"},
		{"dx.doi.org link", "Arck P et al. (2010). http://dx.doi.org/10.1111/j.1600-0625.2009.01060.x;", "10.1111/j.1600-0625.2009.01060.x", "https://doi.org/10.1111/j.1600-0625.2009.01060.x"},
		{"balanced parentheses are kept", "A trial. Lancet. 2001. doi:10.1016/S0140-6736(00)04259-8.", "10.1016/S0140-6736(00)04259-8", "https://doi.org/10.1016/S0140-6736(00)04259-8"},
		{"a closing parenthesis of the sentence goes", "A review (doi:10.3390/microorganisms9020353).", "10.3390/microorganisms9020353", "https://doi.org/10.3390/microorganisms9020353"},
		{"closing quote and comma go", "A review, ‘10.1234/abc.def’, 2020.", "10.1234/abc.def", "https://doi.org/10.1234/abc.def"},
		{"a URL stays the link", "Bowe WP, Logan AC (2011). Available at: https://pmc.ncbi.nlm.nih.gov/articles/PMC3038963.", "", "https://pmc.ncbi.nlm.nih.gov/articles/PMC3038963"},
		{"own URL wins over the DOI link", "Salem I (2018). doi:10.3389/fmicb.2018.01459. https://www.frontiersin.org/articles/10.3389/fmicb.2018.01459/full", "10.3389/fmicb.2018.01459", "https://www.frontiersin.org/articles/10.3389/fmicb.2018.01459/full"},
		{"a URL in parentheses", "A page (https://example.org/gut-skin).", "", "https://example.org/gut-skin"},
		{"a URL with its own parentheses", "A page https://en.wikipedia.org/wiki/Axis_(anatomy).", "", "https://en.wikipedia.org/wiki/Axis_(anatomy)"},
		{"neither", "Agrawal R, Woodfolk JA. Skin barrier defects in atopic dermatitis. Curr Allergy Asthma Rep. 2014.", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseReference("1", tt.text)
			if r.DOI != tt.doi || r.URL != tt.url || r.Text != tt.text || r.Label != "1" {
				t.Errorf("got doi %q url %q, want doi %q url %q", r.DOI, r.URL, tt.doi, tt.url)
			}
		})
	}
}

func TestCitationsResolve(t *testing.T) {
	const refs = "\n## References\n\n1. Salem I, Ramser A, Isham N, Ghannoum MA (2018). The gut microbiome as a major regulator of the gut-skin axis. Frontiers in Microbiology 9:1459.\n2. Bowe WP, Logan AC (2011). Acne vulgaris, probiotics and the gut-brain-skin axis. Gut Pathogens 3:1.\n3. Arck P, Handjiski B, Hagen E, Pincus M, Bruenahl C, Bienenstock J, Paus R (2010). Is there a gut-brain-skin axis? Experimental Dermatology 19(5):401-405.\n4. Jiménez-Sánchez M, et al. (2025). The gut-skin axis. Gut Microbes.\n"
	tests := []struct {
		marker string
		want   []string
	}{
		{"¹²³", []string{"1", "2", "3"}},
		{"[1]", []string{"1"}},
		{"[1, 2]", []string{"1", "2"}},
		{"[1–3]", []string{"1", "2", "3"}},
		{"^1", []string{"1"}},
		{"[^1]", []string{"1"}},
		{"[3] [1]", []string{"1", "3"}}, // listed in reference order
		{"[2] [2]", []string{"2"}},      // once each
		{"(Salem et al. 2018)", []string{"1"}},
		{"(Bowe and Logan, 2011)", []string{"2"}},
		{"(Bowe & Logan 2011; Arck et al. 2010)", []string{"2", "3"}},
		{"(Jimenez-Sanchez et al. 2025)", []string{"4"}},
		{"(Jiménez-Sánchez et al. 2025)", []string{"4"}},
	}
	for _, tt := range tests {
		t.Run(tt.marker, func(t *testing.T) {
			text := "Gut bacteria may signal to the skin through immune, metabolic and nerve routes, and reviews describe each of them in some detail while calling them proposed rather than proven " + tt.marker + "."
			a, lib := loadOne(t, "a.md", md("Routes", text+"\n"+refs))
			if len(lib.Warnings) > 0 {
				t.Errorf("warnings %v", lib.Warnings)
			}
			p := a.Passages[0]
			if got := labels(p.Citations); !slices.Equal(got, tt.want) {
				t.Errorf("cites %q, want %q", got, tt.want)
			}
			if !strings.HasSuffix(p.Text, "proposed rather than proven.") {
				t.Errorf("marker left in text: %q", p.Text)
			}
			for _, c := range p.Citations {
				if c.Label == "" || c != a.References[c.Label[0]-'1'] {
					t.Errorf("citation %+v is not the reference entry", c)
				}
			}
		})
	}
}

func TestCitationWarnings(t *testing.T) {
	src := "---\ntitle: Routes\n---\n\n" + prose("the first route") + " [1]\n\n" + prose("the second route") + " [7]\n\n" + prose("the third route") + " (Nobody et al. 2020)\n\n## References\n\n1. Salem I (2018). The gut microbiome. Front Microbiol.\n"
	a, lib := loadOne(t, "routes.md", src)
	want := []string{
		"routes.md:7: marker [7] points at no reference",
		`routes.md:9: citation "Nobody 2020" points at no reference`,
	}
	var got []string
	for _, w := range lib.Warnings {
		got = append(got, w.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings = %q, want %q", got, want)
	}
	if p := passageWith(t, a, "the second route"); !slices.Equal(labels(p.Citations), []string{""}) || strings.Contains(p.Text, "[7]") {
		t.Errorf("unresolved marker: cites %q text %q", labels(p.Citations), p.Text)
	}
	if p := passageWith(t, a, "the third route"); !strings.HasSuffix(p.Text, "(Nobody et al. 2020)") {
		t.Errorf("an unresolved author–year citation should stay readable: %q", p.Text)
	}

	t.Run("plain text", func(t *testing.T) {
		src := "Why Fibre Matters for Skin\n\n" + prose("fibre") + "⁴\n\nReferences:\n1. Salem I. The gut microbiome. Front Microbiol. 2018.\n"
		_, lib := loadOne(t, "fibre.txt", src)
		if len(lib.Warnings) != 1 || lib.Warnings[0].String() != "fibre.txt:3: marker [4] points at no reference" {
			t.Errorf("warnings = %v", lib.Warnings)
		}
	})
	t.Run("a label listed twice", func(t *testing.T) {
		src := md("Twice", prose("x")+" [1]\n\n## References\n\n[1] Salem I (2018). A.\n\n[1] Bowe WP (2011). B.\n")
		a, lib := loadOne(t, "a.md", src)
		if len(a.References) != 1 || len(lib.Warnings) != 1 || !strings.Contains(lib.Warnings[0].Reason, "reference [1] is listed twice") || lib.Warnings[0].Line != 10 {
			t.Errorf("references %+v warnings %v", a.References, lib.Warnings)
		}
	})
}

func TestSelfCitation(t *testing.T) {
	src := "---\ntitle: Kefir and the skin\nsource: https://example.org/kefir\nauthor: Ada Moss\n---\n\n" + prose("kefir") + "\n\n" + prose("yogurt") + " [1]\n\n## References\n\n1. Alves E et al. (2022). Kefir and skin. Foods.\n"
	a, _ := loadOne(t, "a.md", src)
	p := passageWith(t, a, "kefir")
	want := []Reference{{Label: "", Text: "Kefir and the skin", URL: "https://example.org/kefir"}}
	if !slices.Equal(p.Citations, want) {
		t.Errorf("citations = %+v, want %+v", p.Citations, want)
	}
	if p := passageWith(t, a, "yogurt"); len(p.Citations) != 1 || p.Citations[0].Label != "1" {
		t.Errorf("citations = %+v", p.Citations)
	}
	t.Run("without a source", func(t *testing.T) {
		a, _ := loadOne(t, "a.md", md("Kefir", prose("kefir")))
		if want := []Reference{{Text: "Kefir"}}; !slices.Equal(a.Passages[0].Citations, want) {
			t.Errorf("citations = %+v", a.Passages[0].Citations)
		}
	})
}

func TestWarningsAreCappedPerFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntitle: Many dangling markers\n---\n\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&b, "Sentence %d cites nothing real [%d].\n\n", i, 100+i)
	}
	lib, err := Load(fstest.MapFS{"many.md": {Data: []byte(b.String())}})
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Warnings) != maxWarningsPerFile {
		t.Fatalf("got %d warnings, want %d", len(lib.Warnings), maxWarningsPerFile)
	}
	if last := lib.Warnings[len(lib.Warnings)-1]; last.File != "many.md" || !strings.Contains(last.Reason, "41 more") {
		t.Errorf("last warning %q should count the rest", last)
	}
}
