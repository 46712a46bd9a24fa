package corpus

import "slices"

// Span marks a byte range of a passage's text that matched the question.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Hit is one passage returned for a question.
type Hit struct {
	Passage Passage `json:"passage"`
	// Score is the search engine's relevance score; higher is better.
	Score float64 `json:"score"`
	// Highlights are the matched terms of Passage.Text, sorted and not
	// overlapping, for renderers to emphasise.
	Highlights []Span `json:"highlights"`
	// ArticleSources is the reference list of the passage's article, shown
	// when the passage's own markers cite nothing (its Citations are only
	// the article itself). It says where the article as a whole comes
	// from, not what backs this passage, and must be labelled so. It is
	// empty when the passage cites references of its own or the article
	// lists none. Index.Answer always fills it (never nil); Index.Search
	// leaves it nil.
	ArticleSources []Reference `json:"article_sources"`
}

// Answer is everything gutskin says in reply to one question.
type Answer struct {
	Question string `json:"question"`
	// Urgent is a line telling the member to seek care now, when the
	// question mentions an urgent warning sign; empty otherwise.
	Urgent string `json:"urgent"`
	// Hits are the confident answers, best first; empty means "no answer".
	Hits []Hit `json:"hits"`
	// SeeAlso lists other articles that also match well, beside a hit.
	SeeAlso []ArticleInfo `json:"see_also"`
	// Suggestions lists the closest article titles when there is no answer
	// but the question is related to the library at all.
	Suggestions []ArticleInfo `json:"suggestions"`
}

// Report says what a rebuild changed. Its JSON shape is a contract of
// `gutskin index --json`.
type Report struct {
	Articles struct {
		Added   int `json:"added"`
		Removed int `json:"removed"`
		Changed int `json:"changed"`
		Total   int `json:"total"`
	} `json:"articles"`
	Passages struct {
		Added   int `json:"added"`
		Removed int `json:"removed"`
		Total   int `json:"total"`
	} `json:"passages"`
	Skipped    []Problem `json:"skipped"`
	Warnings   []string  `json:"warnings"`
	DurationMS int64     `json:"duration_ms"`
}

// ArticleSources returns what an answer with passage p shows as its
// article's sources: refs, the article's reference list, when p's own
// markers cite nothing (its citations name only the article itself), else
// an empty list. It is never nil, and it is a copy, so a caller that
// changes it changes no other answer.
func ArticleSources(p Passage, refs []Reference) []Reference {
	citesOwn := slices.ContainsFunc(p.Citations, func(r Reference) bool { return r.Label != "" })
	if citesOwn || len(refs) == 0 {
		return []Reference{}
	}
	return slices.Clone(refs)
}
