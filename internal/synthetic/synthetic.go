// Package synthetic generates article libraries shaped like gutskin's own,
// for scale tests and benchmarks: Markdown articles with front matter,
// "##" sections, paragraphs, lists, citation markers resolving to a
// numbered reference list, and members' questions in "questions:"
// comments, in prose drawn from the built-in articles' words.
//
// The prose comes from an order-2 Markov chain over the sentences of the
// built-in articles (corpus.Default, read once per process), so its term
// statistics are the domain's (kefir, acne, microbiome…). The chain never
// repeats a run of more than five tokens (words and the sentence's start
// or end, commas aside) of a built-in sentence, so no sentence is copied
// (Markdown syntax and sentence punctuation of the sources are dropped,
// so none reaches the output by accident). Rare
// terms spliced from pieces of long words and drawn by a Zipf law give
// larger libraries a growing vocabulary, as real ones have: about 2,000
// distinct words in 1,000 passages, 3,600 in 10,000 and 11,600 in 100,000
// (the built-in prose has some 1,600).
//
// Passages average about 69 words (the built-in ones 66), and a third of
// the sections carry 2–4 members' questions. Every article's markers
// resolve: labels are numbered in order of first citation, and each entry
// of the References list bears a DOI under the 10.5555 test prefix,
// 10.5555/synthetic.<n>, which names no real work.
//
// Output is deterministic: the same seed and size give byte-identical
// files, and each article depends only on the seed and its number, so a
// larger library of a seed holds every article of a smaller one but the
// last. It changes when the built-in articles change.
package synthetic

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing/fstest"
)

// FS returns an in-memory library of passages passages, as corpus.Load
// cuts them, in Markdown articles of 7 to 13 passages (10 on average; the
// last article takes the remainder, up to 17). The count is exact with the
// loader as written: every paragraph runs 40–120 words (markers aside)
// and every list item with its lead-in at least 26, so the loader neither
// splits nor merges any. A passages of 0 or less gives an empty library.
//
// FS holds every file in memory, about the size of the library on disk:
// some 570 bytes a passage, 57 MB for 100,000 passages. Generating
// 100,000 passages takes about 2 s.
//
// FS, Write and Questions are safe for concurrent use.
func FS(seed int64, passages int) fs.FS {
	fsys := fstest.MapFS{}
	err := generate(seed, passages, func(name string, data []byte) error {
		fsys[name] = &fstest.MapFile{Data: append([]byte(nil), data...), Mode: 0o644}
		return nil
	})
	if err != nil {
		panic(err) // generate fails only when emit does
	}
	return fsys
}

// Write writes the library FS(seed, passages) would hold into dir, which
// it creates if need be, one file at a time: it holds no more than one
// article's text in memory. Files of the same names are overwritten;
// others in dir are left alone.
func Write(dir string, seed int64, passages int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return generate(seed, passages, func(name string, data []byte) error {
		return os.WriteFile(filepath.Join(dir, name), data, 0o644)
	})
}

// Questions returns n questions worded the way members ask, deterministic
// for a seed: about three in four on topics the libraries of that seed
// cover (a section's topic with an article's main topic in a member's
// phrasing, a section heading asked plainly, or a question from a chain
// over the built-in articles' questions with the topic worked in), all
// about the seed's first 50 articles, which every library of that seed
// with at least 1,000 passages holds; the rest on things no article
// covers (car insurance, wedding speeches). The first n questions of a
// seed are the same whatever n.
func Questions(seed int64, n int) []string {
	if n <= 0 {
		return []string{}
	}
	v := vocab()
	plans := make([]*articlePlan, questionArticles)
	out := make([]string, 0, n)
	for i := range n {
		rng := newRNG(seed, i, streamQuestion)
		if rng.IntN(4) == 0 {
			out = append(out, offTopicQuestion(rng))
			continue
		}
		a := rng.IntN(questionArticles)
		if plans[a] == nil {
			p := v.planArticle(seed, a, 0)
			plans[a] = &p
		}
		p := plans[a]
		s := p.sections[rng.IntN(len(p.sections))]
		out = append(out, v.memberQuestion(rng, s.term, p.keys, s.heading))
	}
	return out
}

// generate renders the library article by article and hands each file to
// emit, which must copy the data if it keeps it.
func generate(seed int64, passages int, emit func(name string, data []byte) error) error {
	v, err := loadVocabulary()
	if err != nil {
		return fmt.Errorf("synthetic: built-in articles unreadable: %w", err)
	}
	w := newWriter(v, seed)
	for i, left := 0, passages; left > 0; i++ {
		p := v.planArticle(seed, i, left)
		left -= p.passages
		if err := emit(fileName(p), w.article(p)); err != nil {
			return err
		}
	}
	return nil
}
