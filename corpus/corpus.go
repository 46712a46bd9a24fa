// Package corpus reads the article library and turns it into passages:
// self-contained answers, each with its section path and the references its
// citation markers point to. It owns gutskin's domain types and imports
// neither the search index nor Discord.
package corpus

import "strconv"

// Article is one article of the library with its metadata, reference list and
// passages.
type Article struct {
	// Slug identifies the article in the library: its file path without the
	// extension, for example "fermented-foods".
	Slug string `json:"slug"`
	// File is the article's path inside the library.
	File string `json:"file"`
	ArticleInfo
	// Tags are free-form topic labels from front matter.
	Tags []string `json:"tags"`
	// References is the article's reference list in document order.
	References []Reference `json:"references"`
	// Passages are the article's answer units in document order.
	Passages []Passage `json:"passages"`
}

// ArticleInfo is the part of an article shown next to every answer.
type ArticleInfo struct {
	Title string `json:"title"`
	// Source is the URL of the original article; may be empty.
	Source string `json:"source"`
	Author string `json:"author"`
	// Published is YYYY-MM-DD or YYYY; empty when unknown.
	Published string `json:"published"`
}

// Reference is one entry of an article's reference list, or the article
// itself when a passage cites no reference.
type Reference struct {
	// Label is what readers see in brackets ("1"). It is empty for the
	// article itself, cited by a passage with no reference of its own, and
	// for an entry of an unnumbered reference list, which no marker can
	// cite and which is shown only among the article's sources.
	Label string `json:"label"`
	// Text is the full reference as written, without its list number.
	Text string `json:"text"`
	// DOI is bare: no resolver prefix and no trailing punctuation.
	DOI string `json:"doi"`
	// URL is the entry's own link, else the doi.org link of its DOI.
	URL string `json:"url"`
}

// Passage is the unit of an answer: a paragraph, list item or short section
// that reads well on its own.
type Passage struct {
	// ID is stable across rebuilds while the passage's article and text stay
	// the same.
	ID string `json:"id"`
	// Slug names the article the passage belongs to.
	Slug string `json:"slug"`
	// Section is the heading path from the article's top down.
	Section []string `json:"section"`
	// Text is clean prose: no citation markers and no Markdown syntax.
	Text string `json:"text"`
	// Article describes where the passage comes from.
	Article ArticleInfo `json:"article"`
	// Citations are the references the passage's own markers point to, or
	// the article itself when it has none.
	Citations []Reference `json:"citations"`
	// Questions are how members might ask for what the passage's section
	// says, written by the article's authors in a "questions" comment. They
	// are searched, never shown.
	Questions []string `json:"questions,omitempty"`
}

// Problem is a file the loader skipped, with the reason, or something it
// noticed in a file that still loaded.
type Problem struct {
	// File is the path inside the library.
	File string `json:"file"`
	// Line is 1-based; 0 when the problem is the whole file's.
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// String renders the problem as the one line a moderator reads.
func (p Problem) String() string {
	if p.Line > 0 {
		return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Reason
	}
	return p.File + ": " + p.Reason
}

// Library is the result of loading a folder of articles.
type Library struct {
	// Articles are sorted by slug.
	Articles []Article
	// Skipped lists files that did not load, each with its reason.
	Skipped []Problem
	// Warnings are problems in files that loaded anyway, such as a citation
	// marker with no matching reference or a duplicate slug.
	Warnings []Problem
	// Fingerprint is a hash of every file the loader saw (names and
	// contents), so an index can tell whether it was built from this library.
	Fingerprint string
}

// Passages returns every passage of the library in article order.
func (l *Library) Passages() []Passage {
	var out []Passage
	for _, a := range l.Articles {
		out = append(out, a.Passages...)
	}
	return out
}
