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

	"gutskin/corpus"
	"gutskin/index/rule"
)

// How many searches a message may cost and what each looks at.
const (
	// candidates is how many passages each reading of a message looks at.
	candidates = 30
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
	out := make([]corpus.Hit, 0, len(d.Answers))
	for _, s := range d.Answers {
		out = append(out, d.hit(s))
	}
	return out, nil
}

// Candidates returns the passages found for the whole question, best first,
// whether or not they pass the answer rule.
func (ix *Index) Candidates(ctx context.Context, question string) ([]Candidate, error) {
	gen, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer gen.users.Done()
	r, hits, err := gen.read(ctx, question)
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, 0, len(hits))
	for _, s := range rule.Score(r) {
		h := hits[s.Candidate]
		h.Score = s.Order
		out = append(out, Candidate{Hit: h, Scored: s})
	}
	return out, nil
}

// decision is the answer rule's verdict with the passages of the reading it
// chose.
type decision struct {
	rule.Verdict
	hits []corpus.Hit // by candidate index of the chosen reading
}

// hit returns a scored candidate's passage, with the rule's order as score.
func (d decision) hit(s rule.Scored) corpus.Hit {
	h := d.hits[s.Candidate]
	h.Score = s.Order
	return h
}

// decide reads the whole message and, when it has no confident answer and
// several sentences, each sentence, and lets the rule decide.
func (g *generation) decide(ctx context.Context, question string, k int) (decision, error) {
	whole, hits, err := g.read(ctx, question)
	if err != nil {
		return decision{}, err
	}
	readings := []rule.Reading{whole}
	d := decision{Verdict: rule.Decide(readings, k), hits: hits}
	if len(d.Answers) > 0 {
		return d, nil
	}
	sentences := splitSentences(question)
	if len(sentences) < 2 || len(sentences) > maxSentences {
		return d, nil
	}
	sentenceHits := [][]corpus.Hit{hits}
	for _, s := range sentences {
		r, h, err := g.read(ctx, s)
		if err != nil {
			return decision{}, err
		}
		readings = append(readings, r)
		sentenceHits = append(sentenceHits, h)
	}
	v := rule.Decide(readings, k)
	return decision{Verdict: v, hits: sentenceHits[v.Reading]}, nil
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

// fieldPlaces maps the index's fields to the places the rule weighs.
var fieldPlaces = map[string]rule.Field{
	fieldText:      rule.Text,
	fieldSection:   rule.Heading,
	fieldTitle:     rule.Title,
	fieldTags:      rule.Tags,
	fieldQuestions: rule.Listed,
}

// read searches the library for one reading of a message and describes
// what each passage found matched, for the rule.
func (g *generation) read(ctx context.Context, text string) (rule.Reading, []corpus.Hit, error) {
	concepts := g.terms.concepts(text, g.vocab)
	q := buildQuery(concepts)
	if q == nil {
		return rule.Reading{}, nil, nil
	}
	r := rule.Reading{Concepts: make([]rule.Concept, len(concepts))}
	for i, c := range concepts {
		r.Concepts[i] = rule.Concept{Weight: c.weight, Known: c.known}
	}
	req := bleve.NewSearchRequestOptions(q, candidates, 0, false)
	req.Fields = []string{fieldDoc, fieldChrome}
	req.IncludeLocations = true
	res, err := g.bidx.SearchInContext(ctx, req)
	if err != nil {
		return rule.Reading{}, nil, fmt.Errorf("search: %w", err)
	}
	asked := g.asked.vector(g.asked.termSet(cleanQuestion(text)))
	hits := make([]corpus.Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		raw, _ := h.Fields[fieldDoc].(string)
		var p corpus.Passage
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return rule.Reading{}, nil, fmt.Errorf("decode passage %s: %w", h.ID, err)
		}
		places := map[string]rule.Field{} // term → where it matched
		var spans []corpus.Span
		for field, terms := range h.Locations {
			for term, locs := range terms {
				places[term] |= fieldPlaces[field]
				if field != fieldText {
					continue
				}
				for _, l := range locs {
					if int(l.End) <= len(p.Text) && l.Start < l.End {
						spans = append(spans, corpus.Span{Start: int(l.Start), End: int(l.End)})
					}
				}
			}
		}
		cand := rule.Candidate{
			Matches:   make([]rule.Field, len(concepts)),
			Relevance: h.Score,
			Listed:    g.asked.similarity(asked, h.ID),
			Heading:   g.asked.headingSimilarity(asked, h.ID),
			Article:   p.Slug,
			Section:   joinSection(p.Section),
			Chrome:    h.Fields[fieldChrome] == true,
		}
		for i, c := range concepts {
			cand.Matches[i] = places[c.term]
			for _, t := range c.typos {
				cand.Matches[i] |= places[t]
			}
		}
		r.Candidates = append(r.Candidates, cand)
		hits = append(hits, corpus.Hit{Passage: p, Score: h.Score, Highlights: mergeSpans(spans)})
	}
	return r, hits, nil
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
	for _, s := range d.Answers {
		ans.Hits = append(ans.Hits, d.hit(s))
	}
	gen.addArticleSources(ans.Hits)
	for _, s := range d.SeeAlso {
		ans.SeeAlso = append(ans.SeeAlso, d.hits[s.Candidate].Passage.Article)
	}
	for _, s := range d.Suggestions {
		ans.Suggestions = append(ans.Suggestions, d.hits[s.Candidate].Passage.Article)
	}
	return ans, nil
}

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
	ix.mu.RLock()
	var pool []string
	if ix.gen != nil {
		for _, a := range ix.gen.meta.Articles {
			pool = append(pool, a.Title)
		}
		for _, a := range ix.gen.meta.Articles {
			for _, s := range a.Sections {
				pool = append(pool, lastHeading(s))
			}
		}
	}
	ix.mu.RUnlock()
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
