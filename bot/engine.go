package bot

import (
	"context"

	"gutskin/corpus"
)

// Engine is what the bot needs from the search engine. The real one is
// *index.Index; the bot declares the interface so it depends on the
// behaviour, not on the package.
type Engine interface {
	// Answer searches the library for question and returns up to k
	// passages. An answer with no Hits means "no confident answer"; Urgent,
	// SeeAlso and Suggestions are filled either way.
	Answer(ctx context.Context, question string, k int) (corpus.Answer, error)
	// Rebuild reloads the library and swaps the new index in while answers
	// keep coming from the old one. It fails when a rebuild is already
	// running, and fails with the report filled when the new library has no
	// articles (the old index then stays).
	Rebuild(ctx context.Context) (corpus.Report, error)
	// Articles lists the library's articles sorted by title.
	Articles() []corpus.ArticleInfo
	// Passages reads passages by ID, as hits with their article's sources,
	// leaving out IDs the library no longer holds.
	Passages(ctx context.Context, ids []string) ([]corpus.Hit, error)
	// Complete returns up to n suggestions (article titles, section
	// headings, questions) starting with or containing prefix.
	Complete(prefix string, n int) []string
}
