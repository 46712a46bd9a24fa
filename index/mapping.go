package index

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
)

// schemaVersion changes whenever the mapping, the analysis chain or the
// stored document layout changes, so older indexes are rebuilt.
const schemaVersion = "gutskin-index-14"

// Field names and the boosts they carry in a question's query. Passage text
// carries the answer; the section heading and the article title say what a
// passage is about, which matters most for short questions.
const (
	fieldText    = "text"
	fieldSection = "section"
	fieldTitle   = "title"
	fieldTags    = "tags"
	// fieldQuestions holds the members' questions the passage's section
	// answers, as its authors wrote them.
	fieldQuestions = "questions"
	fieldDoc       = "doc"
	fieldRank      = "rank"
	// fieldAll holds every searched field of a passage together, to find
	// candidates in one field's postings. It is composed of the fields'
	// analysed terms, so no text is analysed twice.
	fieldAll  = "all"
	fieldSlug = "slug"
)

// searchedFields are the fields a question is searched in.
var searchedFields = []string{fieldText, fieldSection, fieldTitle, fieldTags, fieldQuestions}

// questionsBoost weighs a match in the questions a section lists. It only
// helps find and order passages: the answer rule weighs none of it.
const questionsBoost = 0.5

var fieldBoosts = []struct {
	field string
	boost float64
}{
	{fieldText, 1.0},
	{fieldSection, 0.7},
	{fieldTitle, 0.35},
	{fieldTags, 0.25},
	{fieldQuestions, questionsBoost},
}

var (
	//go:embed synonyms.txt
	synonymsData string
	//go:embed questionwords.txt
	questionWordsData string
	//go:embed urgent.txt
	urgentData string
)

// dataVersion fingerprints everything besides the library that decides what
// an index contains or how it is searched.
func dataVersion() string {
	sum := sha256.Sum256([]byte(schemaVersion + "\x00" + synonymsData + "\x00" + questionWordsData))
	return hex.EncodeToString(sum[:8])
}

// passageDoc is what gets indexed for each passage.
type passageDoc struct {
	Text    string `json:"text"`
	Section string `json:"section"`
	Title   string `json:"title"`
	Tags    string `json:"tags"`
	// Questions are analysed one by one, so a phrase never runs from one
	// question into the next.
	Questions []string `json:"questions"`
	Slug      string   `json:"slug"`
	// Doc is the whole corpus.Passage as JSON, so an index opened from disk
	// answers without the library it was built from.
	Doc string `json:"doc"`
	// Rank is the passage's rankInfo as JSON: what the answer rule needs
	// to weigh it as a candidate, without reading the whole passage.
	Rank string `json:"rank"`
}

func newMapping() (mapping.IndexMapping, error) {
	if err := registerAnalyzer(); err != nil {
		return nil, fmt.Errorf("register analyzer: %w", err)
	}
	text := func(store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerName
		f.Store = store
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		// Nothing sorts or facets on a field: doc values would only
		// slow the build and grow the index.
		f.DocValues = false
		return f
	}
	stored := bleve.NewTextFieldMapping()
	stored.Index = false
	stored.Store = true
	stored.IncludeInAll = false
	stored.DocValues = false
	keyword := bleve.NewKeywordFieldMapping()
	keyword.IncludeInAll = false
	keyword.DocValues = false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldText, text(false))
	doc.AddFieldMappingsAt(fieldSection, text(false))
	doc.AddFieldMappingsAt(fieldTitle, text(false))
	doc.AddFieldMappingsAt(fieldTags, text(false))
	doc.AddFieldMappingsAt(fieldQuestions, text(false))
	doc.AddFieldMappingsAt(fieldDoc, stored)
	doc.AddFieldMappingsAt(fieldSlug, keyword)
	doc.AddFieldMappingsAt(fieldRank, stored)
	// fieldAll is composed at indexing (withAll), not mapped; Bleve's own
	// "_all" would keep term vectors nothing reads.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerName
	m.ScoringModel = "bm25"
	m.StoreDynamic = false
	m.IndexDynamic = false
	return m, nil
}
