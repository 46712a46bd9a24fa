package bot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"gutskin/corpus"
)

// sourcesHit is a passage that cites only its article, whose article lists
// refs.
func sourcesHit(refs []corpus.Reference) corpus.Hit {
	art := corpus.ArticleInfo{Title: "Miso soup and the skin", Source: "https://example.org/fixtures/miso"}
	return corpus.Hit{
		Passage: corpus.Passage{ID: "p1", Slug: "miso", Section: []string{"What miso is"}, Text: "Miso is a salty paste of fermented soybeans.",
			Article: art, Citations: []corpus.Reference{{Text: art.Title, URL: art.Source}}},
		ArticleSources: refs,
	}
}

func fieldNamed(e *discordgo.MessageEmbed, name string) (int, *discordgo.MessageEmbedField) {
	for i, f := range e.Fields {
		if f.Name == name {
			return i, f
		}
	}
	return -1, nil
}

func TestAnswerEmbedArticleSources(t *testing.T) {
	refs := []corpus.Reference{
		{Label: "1", Text: "Fixture M (2022). Breakfast miso and dry skin: an invented trial.", DOI: "10.0000/fixture.2022.7", URL: "https://doi.org/10.0000/fixture.2022.7"},
		{Label: "2", Text: "Fixture N (2023). Koji moulds: an invented *review*.", URL: "https://example.org/fixtures/koji-review"},
		{Label: "", Text: "An unlabelled entry of the list."},
	}
	a := corpus.Answer{Hits: []corpus.Hit{sourcesHit(refs)}, SeeAlso: []corpus.ArticleInfo{{Title: "Walking after dinner"}}}
	e := answerEmbed(a, 0)
	checkEmbed(t, e)

	own, sources := fieldNamed(e, "Sources")
	at, f := fieldNamed(e, articleSourcesName)
	also, _ := fieldNamed(e, "See also")
	if sources == nil || f == nil || also < 0 {
		t.Fatalf("fields %v: want Sources, %q and See also", fieldNames(e), articleSourcesName)
	}
	if !(own < at && at < also) {
		t.Errorf("fields in order %v: want the article's sources after the passage's own, before See also", fieldNames(e))
	}
	if !strings.HasPrefix(sources.Value, "The article itself: [Miso soup and the skin]") {
		t.Errorf("Sources field %q: want the article itself, as before", sources.Value)
	}
	if !strings.Contains(f.Name, "not specific to this passage") {
		t.Errorf("field name %q must say the list does not back the passage", f.Name)
	}
	want := "**[1]** Fixture M (2022). Breakfast miso and dry skin: an invented trial. · [doi.org/10.0000/fixture.2022.7](<https://doi.org/10.0000/fixture.2022.7>)\n" +
		`**[2]** Fixture N (2023). Koji moulds: an invented \*review\*. · [link](<https://example.org/fixtures/koji-review>)` + "\n" +
		"• An unlabelled entry of the list."
	if f.Value != want {
		t.Errorf("article sources field:\n%s\nwant:\n%s", f.Value, want)
	}
	if strings.Contains(f.Value, "The article itself") {
		t.Errorf("an entry of the list rendered as the article itself: %s", f.Value)
	}
}

func fieldNames(e *discordgo.MessageEmbed) []string {
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Name)
	}
	return out
}

func TestAnswerEmbedWithoutArticleSources(t *testing.T) {
	for name, refs := range map[string][]corpus.Reference{
		"nil":                  nil,
		"empty":                {},
		"only blank unlabeled": {{Label: "", Text: "  "}},
	} {
		t.Run(name, func(t *testing.T) {
			e := answerEmbed(corpus.Answer{Hits: []corpus.Hit{sourcesHit(refs)}}, 0)
			checkEmbed(t, e)
			if _, f := fieldNamed(e, articleSourcesName); f != nil {
				t.Errorf("article sources field %q for no article sources", f.Value)
			}
			if len(e.Fields) != 1 || e.Fields[0].Name != "Sources" {
				t.Errorf("fields %v, want only Sources", fieldNames(e))
			}
		})
	}
}

// longSources is a reference list far over a field's 1,024 characters:
// long texts, long DOIs, characters that count double in UTF-16 and
// Markdown that escaping lengthens.
func longSources(n int) []corpus.Reference {
	var refs []corpus.Reference
	for i := 1; i <= n; i++ {
		refs = append(refs, corpus.Reference{
			Label: fmt.Sprint(i),
			Text:  strings.Repeat("Fixture_author *et al* 😀 (2020) an invented title ", 12),
			DOI:   "10.0000/" + strings.Repeat("d", 150),
		})
	}
	return refs
}

func TestLongArticleSourcesStayWithinLimits(t *testing.T) {
	t.Run("cut to the field with +N more", func(t *testing.T) {
		e := answerEmbed(corpus.Answer{Hits: []corpus.Hit{sourcesHit(longSources(40))}}, 0)
		checkEmbed(t, e)
		_, f := fieldNamed(e, articleSourcesName)
		if f == nil {
			t.Fatalf("fields %v: no article sources", fieldNames(e))
		}
		if n := textLen(f.Value); n > limitFieldValue {
			t.Errorf("field value %d characters, over %d", n, limitFieldValue)
		}
		m := regexp.MustCompile(`\n\+(\d+) more$`).FindStringSubmatch(f.Value)
		if m == nil {
			t.Fatalf("40 long references should end in \"+N more\":\n%s", f.Value)
		}
		shown := strings.Count(f.Value, "**[")
		if shown == 0 || fmt.Sprint(40-shown) != m[1] {
			t.Errorf("%d shown and +%s more, want them to add up to 40", shown, m[1])
		}
		for _, line := range strings.Split(f.Value, "\n") {
			if textLen(line) > maxRefLine {
				t.Errorf("line of %d characters, over %d", textLen(line), maxRefLine)
			}
		}
	})
	t.Run("with everything else at its largest", func(t *testing.T) {
		a := hugeAnswer()
		for i := range a.Hits {
			a.Hits[i].ArticleSources = longSources(60)
		}
		for i := range a.Hits {
			m := answerMessage(a, i, "abcdefghijklmnop")
			for _, e := range m.Embeds {
				checkEmbed(t, e)
				if _, f := fieldNamed(e, articleSourcesName); f == nil {
					t.Errorf("fields %v: no article sources", fieldNames(e))
				}
			}
			var total int
			for _, e := range m.Embeds {
				total += embedLen(e)
			}
			if total > limitEmbedTotal {
				t.Errorf("message embeds total %d characters, over %d", total, limitEmbedTotal)
			}
		}
	})
}
