package index

import (
	"slices"

	"gutskin/corpus"
)

// Many articles cite by a reference list at their end, with markers in few
// of their paragraphs. A passage without markers then cites only the
// article itself, and its answer would show no source but the article's
// title. Such an answer shows the article's reference list instead, as the
// article's sources: what the article as a whole draws on, which a renderer
// must label as not backing the passage in particular.

// citesOwnReference reports whether any of a passage's citations names a
// reference of its article's list; one that names only the article itself
// (a Reference with no label) does not.
func citesOwnReference(p corpus.Passage) bool {
	return slices.ContainsFunc(p.Citations, func(r corpus.Reference) bool { return r.Label != "" })
}

// articleSources returns what an answer with passage p shows as its
// article's sources: the article's reference list (from refs, by slug)
// when p's own markers cite nothing, else an empty list. It is never nil,
// and it is a copy, so a caller that changes it changes no other answer.
func articleSources(p corpus.Passage, refs map[string][]corpus.Reference) []corpus.Reference {
	if citesOwnReference(p) {
		return []corpus.Reference{}
	}
	list := refs[p.Slug]
	if len(list) == 0 {
		return []corpus.Reference{}
	}
	return slices.Clone(list)
}

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
		hits[i].ArticleSources = articleSources(hits[i].Passage, refs)
	}
	return nil
}
