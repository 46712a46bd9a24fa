package bot_test

import (
	"strings"
	"testing"
)

// articleSourcesField is the field an answer's article sources appear in.
const articleSourcesField = "Sources of the article (not specific to this passage)"

// A passage without markers, in an article with a reference list, is
// answered with that list in a field of its own, apart from the passage's
// sources; a passage that cites its own references is not.
func TestAskShowsArticleSources(t *testing.T) {
	h := start(t, setup{library: "../index/testdata/sources"})
	_, data := h.response(h.ask(alice, "what is miso", false))
	assertNoPing(t, data)
	e := embedsOf(data)[0]
	contains(t, "description", e["description"].(string), "is a salty paste of soybeans")
	contains(t, "Sources field", field(e, "Sources"), "The article itself: [Miso soup and the skin]")
	src := field(e, articleSourcesField)
	contains(t, "article sources field", src,
		"**[1]** Fixture M (2022)", "(<https://doi.org/10.0000/fixture.2022.7>)",
		"**[2]** Fixture N (2023)", "[link](<https://example.org/fixtures/koji-review>)")
	if strings.Contains(field(e, "Sources"), "Fixture M") {
		t.Errorf("the article's references are listed as the passage's own: %s", field(e, "Sources"))
	}

	_, data = h.response(h.ask(alice, "invented miso trial dry skin patches", false))
	e = embedsOf(data)[0]
	contains(t, "Sources field", field(e, "Sources"), "**[1]** Fixture M (2022)")
	if src := field(e, articleSourcesField); src != "" {
		t.Errorf("a passage citing [1] also shows the article's sources:\n%s", src)
	}
}
