package library

import (
	"fmt"
	"strings"

	"gutskin/corpus"
)

// changes says, one line each, what replacing old with the article art
// (written as file) changes for members.
func changes(old corpus.Article, file string, art corpus.Article) []string {
	var out []string
	if old.File != file {
		out = append(out, fmt.Sprintf("file: %s → %s", old.File, file))
	}
	for _, f := range []struct{ name, was, now string }{
		{"title", old.Title, art.Title},
		{"source", old.Source, art.Source},
		{"author", old.Author, art.Author},
		{"published", old.Published, art.Published},
	} {
		if f.was != f.now {
			out = append(out, fmt.Sprintf("%s: %s → %s", f.name, orNone(f.was), orNone(f.now)))
		}
	}
	was, now := texts(old.Passages), texts(art.Passages)
	added, gone := 0, 0
	for t := range now {
		if !was[t] {
			added++
		}
	}
	for t := range was {
		if !now[t] {
			gone++
		}
	}
	if added > 0 || gone > 0 || len(old.Passages) != len(art.Passages) {
		out = append(out, fmt.Sprintf("passages: %d → %d (%d new or reworded, %d gone)", len(old.Passages), len(art.Passages), added, gone))
	}
	wasSections, nowSections := sections(old.Passages), sections(art.Passages)
	if s := missing(nowSections, wasSections); len(s) > 0 {
		out = append(out, "new sections: "+strings.Join(s, "; "))
	}
	if s := missing(wasSections, nowSections); len(s) > 0 {
		out = append(out, "sections gone: "+strings.Join(s, "; "))
	}
	if len(old.References) != len(art.References) || refsDiffer(old.References, art.References) {
		out = append(out, fmt.Sprintf("references: %d → %d", len(old.References), len(art.References)))
	}
	if len(out) == 0 {
		out = append(out, "nothing members see changes")
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func texts(ps []corpus.Passage) map[string]bool {
	m := map[string]bool{}
	for _, p := range ps {
		m[p.Text] = true
	}
	return m
}

// sections lists the heading paths in order of first appearance.
func sections(ps []corpus.Passage) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		s := strings.Join(p.Section, " › ")
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// missing lists what of want is not in have, in want's order.
func missing(want, have []string) []string {
	in := map[string]bool{}
	for _, h := range have {
		in[h] = true
	}
	var out []string
	for _, w := range want {
		if !in[w] {
			out = append(out, w)
		}
	}
	return out
}

func refsDiffer(a, b []corpus.Reference) bool {
	for i := range a {
		if a[i].Text != b[i].Text {
			return true
		}
	}
	return false
}
