package index

import "gutskin/corpus"

// Many articles cite by a reference list at their end, with markers in few
// of their paragraphs. A passage without markers then cites only the
// article itself, and its answer would show no source but the article's
// title. Such an answer shows the article's reference list instead, as the
// article's sources: what the article as a whole draws on, which a renderer
// must label as not backing the passage in particular.

// addArticleSources sets ArticleSources on every hit, from the reference
// lists of the generation the hits came from.
func (g *generation) addArticleSources(hits []corpus.Hit) error {
	refs := map[string][]corpus.Reference{}
	for _, h := range hits {
		if _, seen := refs[h.Passage.Slug]; !seen {
			a, _, err := g.arts.get(h.Passage.Slug)
			if err != nil {
				return err
			}
			refs[h.Passage.Slug] = a.References
		}
	}
	for i := range hits {
		hits[i].ArticleSources = corpus.ArticleSources(hits[i].Passage, refs[hits[i].Passage.Slug])
	}
	return nil
}
