package baseline

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
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

// passagesOf returns every passage of a library: the same paragraphs
// gutskin indexes.
func passagesOf(fsys fs.FS) ([]quality.Passage, error) {
	lib, err := corpus.Load(fsys)
	if err != nil {
		return nil, err
	}
	var out []quality.Passage
	for _, p := range lib.Passages() {
		out = append(out, quality.PassageOf(p))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the library has no passages")
	}
	return out, nil
}

// plainBleve is Bleve used the plain way: the default mapping with the
// English analyzer, one document per paragraph, a MatchQuery of the raw
// question and no answer threshold.
type plainBleve struct {
	idx      bleve.Index
	passages []quality.Passage
}

func newPlainBleve(passages []quality.Passage) (*plainBleve, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = en.AnalyzerName
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("plain bleve: %w", err)
	}
	b := idx.NewBatch()
	for i, p := range passages {
		if err := b.Index(strconv.Itoa(i), map[string]string{"text": p.Text}); err != nil {
			idx.Close()
			return nil, fmt.Errorf("plain bleve: %w", err)
		}
	}
	if err := idx.Batch(b); err != nil {
		idx.Close()
		return nil, fmt.Errorf("plain bleve: %w", err)
	}
	return &plainBleve{idx: idx, passages: passages}, nil
}

func (p *plainBleve) Answer(ctx context.Context, question string, k int) ([]quality.Passage, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(question), k, 0, false)
	res, err := p.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	out := make([]quality.Passage, 0, len(res.Hits))
	for _, h := range res.Hits {
		i, err := strconv.Atoi(h.ID)
		if err != nil || i < 0 || i >= len(p.passages) {
			return nil, fmt.Errorf("plain bleve: unexpected document id %q", h.ID)
		}
		out = append(out, p.passages[i])
	}
	return out, nil
}

func (p *plainBleve) Close() error { return p.idx.Close() }

// sqliteFTS5 is SQLite FTS5 over the same paragraphs, ranked by bm25(), in
// memory.
type sqliteFTS5 struct {
	db       *sql.DB
	passages []quality.Passage
}

func newSQLiteFTS5(passages []quality.Passage) (*sqliteFTS5, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// Every connection to ":memory:" is a database of its own: keep one.
	db.SetMaxOpenConns(1)
	s := &sqliteFTS5{db: db, passages: passages}
	if err := s.fill(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return s, nil
}

func (s *sqliteFTS5) fill() error {
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
	for i, p := range s.passages {
		if _, err := stmt.Exec(i+1, p.Text); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *sqliteFTS5) Answer(ctx context.Context, question string, k int) ([]quality.Passage, error) {
	q := ftsQuery(question)
	if q == "" {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT ?`, q, k)
	if err != nil {
		return nil, fmt.Errorf("fts5 query %q: %w", q, err)
	}
	defer rows.Close()
	var out []quality.Passage
	for rows.Next() {
		var row int
		if err := rows.Scan(&row); err != nil {
			return nil, err
		}
		if row < 1 || row > len(s.passages) {
			return nil, fmt.Errorf("fts5: unexpected rowid %d", row)
		}
		out = append(out, s.passages[row-1])
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

func newGutskin(ctx context.Context, fsys fs.FS) (*gutskin, error) {
	ix, _, err := index.Open(ctx, index.Options{Load: func(context.Context) (*corpus.Library, error) { return corpus.Load(fsys) }})
	if err != nil {
		return nil, fmt.Errorf("gutskin: %w", err)
	}
	return &gutskin{ix: ix}, nil
}

func (g *gutskin) Answer(ctx context.Context, question string, k int) ([]quality.Passage, error) {
	hits, err := g.ix.Search(ctx, question, k)
	out := make([]quality.Passage, len(hits))
	for i, h := range hits {
		out[i] = quality.PassageOf(h.Passage)
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
