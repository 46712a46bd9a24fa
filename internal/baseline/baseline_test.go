package baseline

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	_ "modernc.org/sqlite" // registers the "sqlite" driver, with FTS5

	"gutskin/corpus"
	"gutskin/index"
	"gutskin/internal/quality"
)

// defaultLibrary loads the library shipped in the binary.
func defaultLibrary(context.Context) (*corpus.Library, error) {
	return corpus.Load(corpus.Default())
}

// passageTexts returns the text of every passage of the default library: the
// same paragraphs gutskin indexes.
func passageTexts() ([]string, error) {
	lib, err := defaultLibrary(context.Background())
	if err != nil {
		return nil, err
	}
	var texts []string
	for _, p := range lib.Passages() {
		texts = append(texts, p.Text)
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("the default library has no passages")
	}
	return texts, nil
}

// plainBleve is Bleve used the plain way: the default mapping with the
// English analyzer, one document per paragraph, a MatchQuery of the raw
// question and no answer threshold.
type plainBleve struct {
	idx   bleve.Index
	texts []string
}

func newPlainBleve(texts []string) (*plainBleve, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = en.AnalyzerName
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("plain bleve: %w", err)
	}
	b := idx.NewBatch()
	for i, t := range texts {
		if err := b.Index(strconv.Itoa(i), map[string]string{"text": t}); err != nil {
			idx.Close()
			return nil, fmt.Errorf("plain bleve: %w", err)
		}
	}
	if err := idx.Batch(b); err != nil {
		idx.Close()
		return nil, fmt.Errorf("plain bleve: %w", err)
	}
	return &plainBleve{idx: idx, texts: texts}, nil
}

func (p *plainBleve) Answer(ctx context.Context, question string, k int) ([]string, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(question), k, 0, false)
	res, err := p.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		i, err := strconv.Atoi(h.ID)
		if err != nil || i < 0 || i >= len(p.texts) {
			return nil, fmt.Errorf("plain bleve: unexpected document id %q", h.ID)
		}
		out = append(out, p.texts[i])
	}
	return out, nil
}

func (p *plainBleve) Close() error { return p.idx.Close() }

// sqliteFTS5 is SQLite FTS5 over the same paragraphs, ranked by bm25(), in
// memory.
type sqliteFTS5 struct {
	db *sql.DB
}

func newSQLiteFTS5(texts []string) (*sqliteFTS5, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// Every connection to ":memory:" is a database of its own: keep one.
	db.SetMaxOpenConns(1)
	s := &sqliteFTS5{db: db}
	if err := s.fill(texts); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return s, nil
}

func (s *sqliteFTS5) fill(texts []string) error {
	if _, err := s.db.Exec(`CREATE VIRTUAL TABLE p USING fts5(text, tokenize='porter unicode61')`); err != nil {
		return err
	}
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	stmt, err := tx.Prepare(`INSERT INTO p(rowid, text) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, t := range texts {
		if _, err := stmt.Exec(i+1, t); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *sqliteFTS5) Answer(ctx context.Context, question string, k int) ([]string, error) {
	q := ftsQuery(question)
	if q == "" {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT text FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT ?`, q, k)
	if err != nil {
		return nil, fmt.Errorf("fts5 query %q: %w", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fts5 query %q: %w", q, err)
	}
	return out, nil
}

func (s *sqliteFTS5) Close() error { return s.db.Close() }

// maxFTSTerms bounds the size of the query built from one question.
const maxFTSTerms = 64

// ftsQuery turns a question into an FTS5 query that cannot be read as query
// syntax: the question's words (runs of letters, marks and digits), each a
// quoted string, ORed together. It returns "" when the question has no word.
func ftsQuery(question string) string {
	seen := map[string]bool{}
	var terms []string
	for _, w := range strings.FieldsFunc(question, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
	}) {
		key := strings.ToLower(w)
		if seen[key] {
			continue
		}
		seen[key] = true
		// A word holds no quote, but double any anyway: inside an FTS5
		// string "" is a literal quote.
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
		if len(terms) == maxFTSTerms {
			break
		}
	}
	return strings.Join(terms, " OR ")
}

// gutskin answers with gutskin's own index, as `gutskin eval` does.
type gutskin struct {
	ix *index.Index
}

func newGutskin(ctx context.Context) (*gutskin, error) {
	ix, _, err := index.Open(ctx, index.Options{Load: defaultLibrary})
	if err != nil {
		return nil, fmt.Errorf("gutskin: %w", err)
	}
	return &gutskin{ix: ix}, nil
}

func (g *gutskin) Answer(ctx context.Context, question string, k int) ([]string, error) {
	hits, err := g.ix.Search(ctx, question, k)
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Passage.Text
	}
	return out, err
}

func (g *gutskin) Close() error { return g.ix.Close() }

// The three systems answer the way quality.Evaluate asks.
var (
	_ quality.Answerer = (*plainBleve)(nil)
	_ quality.Answerer = (*sqliteFTS5)(nil)
	_ quality.Answerer = (*gutskin)(nil)
)
