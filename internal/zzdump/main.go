package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"gutskin/corpus"
)

func main() {
	var out []map[string]any
	for _, dir := range os.Args[2:] {
		var fsys = os.DirFS(dir)
		if dir == "builtin" {
			fsys = nil
		}
		var lib *corpus.Library
		var err error
		if fsys == nil {
			lib, err = corpus.Load(corpus.Default())
		} else {
			lib, err = corpus.Load(fsys)
		}
		if err != nil {
			panic(err)
		}
		for _, w := range lib.Warnings {
			fmt.Fprintln(os.Stderr, "warning:", w)
		}
		for _, a := range lib.Articles {
			if os.Args[1] == "refs" {
				fmt.Printf("== %s (%s) refs=%d\n", a.Slug, a.Title, len(a.References))
				for _, r := range a.References {
					fmt.Printf("   [%s] %.100s | doi=%s\n", r.Label, r.Text, r.DOI)
				}
			}
			for _, p := range a.Passages {
				var cites []string
				for _, c := range p.Citations {
					cites = append(cites, c.Label)
				}
				out = append(out, map[string]any{"id": p.ID, "article": a.Title, "file": a.File, "section": strings.Join(p.Section, " > "), "text": p.Text, "cites": cites})
				if os.Args[1] == "text" {
					fmt.Printf("[%s] %s | %s | cites %v\n    %s\n", p.ID, a.File, strings.Join(p.Section, " > "), cites, p.Text)
				}
			}
		}
	}
	if os.Args[1] == "json" {
		json.NewEncoder(os.Stdout).Encode(out)
	}
}
