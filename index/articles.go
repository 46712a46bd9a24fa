package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// articlesFile holds what a generation on disk knows of each article, by
// slug: a bbolt file, so that opening a generation reads nothing of it and
// a question reads only the articles it shows.
const articlesFile = "articles.bolt"

var articlesBucket = []byte("articles")

// articleStore is what a generation knows of its articles: in memory for a
// generation built in memory, else in its articlesFile, read only when
// asked and each article once.
type articleStore struct {
	db *bolt.DB // nil in memory

	mu     sync.Mutex
	bySlug map[string]articleMeta
	all    []articleMeta // every article, in slug order, once read
}

func memoryArticles(list []articleMeta) *articleStore {
	s := &articleStore{bySlug: make(map[string]articleMeta, len(list)), all: list}
	for _, a := range list {
		s.bySlug[a.Slug] = a
	}
	return s
}

// writeArticles stores a generation's articles in genDir, flushed.
func writeArticles(genDir string, list []articleMeta) error {
	db, err := bolt.Open(filepath.Join(genDir, articlesFile), 0o644, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("write index articles: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(articlesBucket)
		if err != nil {
			return err
		}
		for _, a := range list {
			v, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(a.Slug), v); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write index articles: %w", err)
	}
	return nil
}

// openArticles opens a generation's articles, reading none of them.
func openArticles(genDir string) (*articleStore, error) {
	db, err := bolt.Open(filepath.Join(genDir, articlesFile), 0o444, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("open index articles: %w", err)
	}
	return &articleStore{db: db, bySlug: map[string]articleMeta{}}, nil
}

func (s *articleStore) close() error {
	if s == nil || s.db == nil {
		return nil
	}
	return s.db.Close()
}

// get returns what the generation knows of one article.
func (s *articleStore) get(slug string) (articleMeta, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.bySlug[slug]; ok || s.db == nil || s.all != nil {
		return a, ok, nil
	}
	var a articleMeta
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(articlesBucket)
		if b == nil {
			return errNoArticles
		}
		v := b.Get([]byte(slug))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &a)
	})
	if err != nil {
		return a, false, fmt.Errorf("read index article %s: %w", slug, err)
	}
	if found {
		s.bySlug[slug] = a
	}
	return a, found, nil
}

// list returns every article the generation holds, in slug order.
func (s *articleStore) list() ([]articleMeta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.all != nil || s.db == nil {
		return s.all, nil
	}
	var all []articleMeta
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(articlesBucket)
		if b == nil {
			return errNoArticles
		}
		return b.ForEach(func(_, v []byte) error {
			var a articleMeta
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			all = append(all, a)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read index articles: %w", err)
	}
	s.all = all
	for _, a := range all {
		s.bySlug[a.Slug] = a
	}
	return all, nil
}

var errNoArticles = errors.New("no articles bucket")
