package index

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"gutskin/corpus"
	"gutskin/index/rule"
)

// How many searches a message may cost and what each looks at.
const (
	// candidates is how many passages each reading of a message weighs,
	// the best of finds found.
	candidates = 30
	finds      = 60
	// maxSentences bounds the work one long message can cause.
	maxSentences = 6
)

// Candidate is a passage found for a question, with what the answer rule
// (package rule) made of it. Evaluation tools use it to show what a
// question came close to.
type Candidate struct {
	corpus.Hit
	rule.Scored
}

// Search returns up to k passages that answer the question, best first. A
// question nothing in the library answers returns no passages and no error.
func (ix *Index) Search(ctx context.Context, question string, k int) ([]corpus.Hit, error) {
	gen, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer gen.users.Done()
	d, err := gen.decide(ctx, question, k)
	if err != nil {
		return nil, err
	}
	return gen.hits(d.found, d.Answers)
}

// Candidates returns the passages found for the whole question, best first,
// whether or not they pass the answer rule.
func (ix *Index) Candidates(ctx context.Context, question string) ([]Candidate, error) {
	gen, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer gen.users.Done()
	r, found, err := gen.read(ctx, question)
	if err != nil {
		return nil, err
	}
	scored := rule.Score(r)
	hits, err := gen.hits(found, scored)
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, len(hits))
	for i, h := range hits {
		out[i] = Candidate{Hit: h, Scored: scored[i]}
	}
	return out, nil
}

// found is a passage a search found, before its text is read: reading a
// passage whole is for the few that are shown.
type found struct {
	id    string
	spans []corpus.Span // where the question's words are in its text
	rank  rankInfo
}

// decision is the answer rule's verdict with what the search found for the
// reading it chose.
type decision struct {
	rule.Verdict
	found []found // by candidate index of the chosen reading
}

// decide reads the whole message and, when it has no confident answer and
// several sentences, each sentence, and lets the rule decide.
func (g *generation) decide(ctx context.Context, question string, k int) (decision, error) {
	whole, f, err := g.read(ctx, question)
	if err != nil {
		return decision{}, err
	}
	readings := []rule.Reading{whole}
	d := decision{Verdict: rule.Decide(readings, k), found: f}
	if len(d.Answers) > 0 {
		return d, nil
	}
	sentences := splitSentences(question)
	if len(sentences) < 2 || len(sentences) > maxSentences {
		return d, nil
	}
	founds := [][]found{f}
	for _, s := range sentences {
		r, f, err := g.read(ctx, s)
		if err != nil {
			return decision{}, err
		}
		readings = append(readings, r)
		founds = append(founds, f)
	}
	v := rule.Decide(readings, k)
	return decision{Verdict: v, found: founds[v.Reading]}, nil
}

// hits reads the passages of scored candidates, with the rule's order as
// their score.
func (g *generation) hits(found []found, scored []rule.Scored) ([]corpus.Hit, error) {
	out := make([]corpus.Hit, 0, len(scored))
	for _, s := range scored {
		f := found[s.Candidate]
		p, err := g.passage(f.id)
		if err != nil {
			return nil, err
		}
		spans := slices.DeleteFunc(slices.Clone(f.spans), func(sp corpus.Span) bool { return sp.End > len(p.Text) })
		out = append(out, corpus.Hit{Passage: p, Score: s.Order, Highlights: mergeSpans(spans)})
	}
	return out, nil
}

// passage reads one passage whole from the index.
func (g *generation) passage(id string) (corpus.Passage, error) {
	var p corpus.Passage
	doc, err := g.bidx.Document(id)
	if err != nil {
		return p, fmt.Errorf("read passage %s: %w", id, err)
	}
	var raw []byte
	if doc != nil {
		doc.VisitFields(func(f bindex.Field) {
			if f.Name() == fieldDoc {
				raw = f.Value()
			}
		})
	}
	if raw == nil {
		return p, fmt.Errorf("read passage %s: not in the index", id)
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("decode passage %s: %w", id, err)
	}
	return p, nil
}

var sentenceEnd = regexp.MustCompile(`[.!?]+(\s+|$)`)

// splitSentences cuts a chat message after ".", "!" or "?"; pieces without
// a letter are dropped. It is looser than corpus.SentenceEnds on purpose:
// members rarely capitalise the next sentence ("acne? my aunt swears…").
func splitSentences(text string) []string {
	var out []string
	for _, s := range sentenceEnd.Split(text, -1) {
		if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// findAlone is the most passages a library may hold for one search of
// its fields to find a question's candidates: in a small library that is
// quickest, in a large one finding in one field first is.
const findAlone = 5000

// locate finds the candidates of a question's concepts, best first by the
// fields' query q, with where each matched and what ranking needs of it.
// In a large library it first finds the passages that hold the most of the
// question in one field's postings, then runs q on those alone.
func (g *generation) locate(ctx context.Context, concepts []concept, q query.Query) (*bleve.SearchResult, error) {
	if g.vocab.docs > uint64(g.findAlone) {
		find := bleve.NewSearchRequestOptions(buildFindQuery(concepts), finds, 0, false)
		res, err := g.bidx.SearchInContext(ctx, find)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		only := bleve.NewDocIDQuery(ids)
		only.SetBoost(0) // the fields' query alone scores
		q = bleve.NewConjunctionQuery(only, q)
	}
	req := bleve.NewSearchRequestOptions(q, candidates, 0, false)
	req.IncludeLocations = true
	req.Fields = []string{fieldRank}
	res, err := g.bidx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// fieldPlaces maps the index's fields to the places the rule weighs.
var fieldPlaces = map[string]rule.Field{
	fieldText:      rule.Text,
	fieldSection:   rule.Heading,
	fieldTitle:     rule.Title,
	fieldTags:      rule.Tags,
	fieldQuestions: rule.Listed,
}

// read searches the library for one reading of a message and describes
// what each passage found matched, for the rule. It reads each passage's
// rankInfo, never the passage itself.
func (g *generation) read(ctx context.Context, text string) (rule.Reading, []found, error) {
	concepts := g.terms.concepts(text, g.vocab)
	q := buildQuery(concepts)
	if q == nil {
		return rule.Reading{}, nil, nil
	}
	r := rule.Reading{Concepts: make([]rule.Concept, len(concepts))}
	for i, c := range concepts {
		r.Concepts[i] = rule.Concept{Weight: c.weight, Known: c.known}
	}
	located, err := g.locate(ctx, concepts, q)
	if err != nil {
		return rule.Reading{}, nil, err
	}
	asked := g.asked.vector(g.asked.termSet(cleanQuestion(text)))
	out := make([]found, 0, len(located.Hits))
	for _, h := range located.Hits {
		f := found{id: h.ID}
		raw, _ := h.Fields[fieldRank].(string)
		if f.rank, err = g.ranks.decode(h.ID, raw); err != nil {
			return rule.Reading{}, nil, err
		}
		places := map[string]rule.Field{} // term → where it matched
		for field, terms := range h.Locations {
			for term, locs := range terms {
				places[term] |= fieldPlaces[field]
				if field != fieldText {
					continue
				}
				for _, l := range locs {
					if l.Start < l.End {
						f.spans = append(f.spans, corpus.Span{Start: int(l.Start), End: int(l.End)})
					}
				}
			}
		}
		cand := rule.Candidate{
			Matches:   make([]rule.Field, len(concepts)),
			Relevance: h.Score,
			Listed:    g.asked.similarity(asked, f.rank.Listed...),
			Heading:   g.asked.similarity(asked, f.rank.Heading),
			Article:   f.rank.Slug,
			Section:   f.rank.Section,
			Chrome:    f.rank.Chrome,
		}
		for i, c := range concepts {
			cand.Matches[i] = places[c.term]
			for _, t := range c.typos {
				cand.Matches[i] |= places[t]
			}
		}
		r.Candidates = append(r.Candidates, cand)
		out = append(out, f)
	}
	return r, out, nil
}

// mergeSpans sorts spans and joins overlapping or touching ones.
func mergeSpans(spans []corpus.Span) []corpus.Span {
	if len(spans) == 0 {
		return []corpus.Span{}
	}
	slices.SortFunc(spans, func(a, b corpus.Span) int { return a.Start - b.Start })
	out := []corpus.Span{spans[0]}
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.Start <= last.End {
			last.End = max(last.End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// Answer is what gutskin says to a question: up to k answering passages,
// other articles worth reading, or, with no answer, the closest article
// titles; and a line to seek care now when the question mentions an urgent
// warning sign.
func (ix *Index) Answer(ctx context.Context, question string, k int) (corpus.Answer, error) {
	ans := corpus.Answer{Question: question, Urgent: Urgent(question), Hits: []corpus.Hit{}, SeeAlso: []corpus.ArticleInfo{}, Suggestions: []corpus.ArticleInfo{}}
	gen, err := ix.acquire()
	if err != nil {
		return ans, err
	}
	defer gen.users.Done()
	d, err := gen.decide(ctx, question, k)
	if err != nil {
		return ans, err
	}
	if ans.Hits, err = gen.hits(d.found, d.Answers); err != nil {
		return ans, err
	}
	if err := gen.addArticleSources(ans.Hits); err != nil {
		return ans, err
	}
	if ans.SeeAlso, err = gen.articlesOf(d.found, d.SeeAlso); err != nil {
		return ans, err
	}
	ans.Suggestions, err = gen.articlesOf(d.found, d.Suggestions)
	return ans, err
}

// articlesOf returns the articles of scored candidates, in order.
func (g *generation) articlesOf(found []found, scored []rule.Scored) ([]corpus.ArticleInfo, error) {
	out := make([]corpus.ArticleInfo, 0, len(scored))
	for _, s := range scored {
		a, _, err := g.arts.get(found[s.Candidate].rank.Slug)
		if err != nil {
			return out, err
		}
		out = append(out, a.ArticleInfo)
	}
	return out, nil
}

// UrgentLine is said first when a question mentions an urgent warning sign.
const UrgentLine = "If this is happening now, seek medical care right away: call your local emergency number or go to the nearest emergency department."

var urgentPatterns = func() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, l := range dataLines(urgentData) {
		out = append(out, regexp.MustCompile(`(?i)\b`+regexp.QuoteMeta(strings.ToLower(l))+`\b`))
	}
	return out
}()

// Urgent returns UrgentLine when the question mentions an urgent warning
// sign from urgent.txt, else "".
func Urgent(question string) string {
	q := strings.Join(strings.Fields(strings.NewReplacer("’", "'", "‘", "'").Replace(strings.ToLower(question))), " ")
	for _, re := range urgentPatterns {
		if re.MatchString(q) {
			return UrgentLine
		}
	}
	return ""
}

// Complete suggests up to n ways to finish what a member is typing: article
// titles, then section headings, ranked exact prefix first, then word
// prefix, then anywhere. Each is at most 100 characters, as Discord allows.
func (ix *Index) Complete(prefix string, n int) []string {
	var pool []string
	if gen, err := ix.acquire(); err == nil {
		list, err := gen.arts.list()
		gen.users.Done()
		if err != nil {
			ix.log.Warn("cannot list the library's articles", "err", err)
		}
		for _, a := range list {
			pool = append(pool, a.Title)
		}
		for _, a := range list {
			for _, s := range a.Sections {
				pool = append(pool, lastHeading(s))
			}
		}
	}
	p := strings.ToLower(strings.TrimSpace(prefix))
	type ranked struct {
		s    string
		rank int
		i    int
	}
	var found []ranked
	seen := map[string]bool{}
	for i, s := range pool {
		s = truncateRunes(s, 100)
		key := strings.ToLower(s)
		if s == "" || seen[key] {
			continue
		}
		rank := -1
		switch {
		case p == "" || strings.HasPrefix(key, p):
			rank = 0
		case strings.Contains(" "+key, " "+p):
			rank = 1
		case strings.Contains(key, p):
			rank = 2
		}
		if rank >= 0 {
			seen[key] = true
			found = append(found, ranked{s, rank, i})
		}
	}
	sort.SliceStable(found, func(a, b int) bool { return found[a].rank < found[b].rank })
	out := []string{}
	for _, f := range found {
		if len(out) == n {
			break
		}
		out = append(out, f.s)
	}
	return out
}

func lastHeading(path string) string {
	if i := strings.LastIndex(path, " > "); i >= 0 {
		return path[i+3:]
	}
	return path
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Passages reads passages by ID, as hits with their article's sources and
// no highlights, in the order given; an ID the index no longer holds is
// left out. A button that names its passages lets any process show them.
func (ix *Index) Passages(ctx context.Context, ids []string) ([]corpus.Hit, error) {
	gen, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer gen.users.Done()
	hits := []corpus.Hit{}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := gen.passage(id)
		if err != nil {
			continue // gone since the answer: a rebuild changed its text
		}
		hits = append(hits, corpus.Hit{Passage: p, Highlights: []corpus.Span{}})
	}
	if err := gen.addArticleSources(hits); err != nil {
		return nil, err
	}
	return hits, nil
}
