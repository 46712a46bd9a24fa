package library

import (
	"context"
	"path"
	"strings"
	"testing"
)

// FuzzPreview reads any bytes as an attached .md or .txt: a preview either
// refuses them with a one-line reason or describes an article that loads.
func FuzzPreview(f *testing.F) {
	f.Add("kefir.md", []byte("---\ntitle: Kefir\n---\n\nKefir is a fermented milk drink [1].\n\n## References\n\n1. A reference (2021).\n"))
	f.Add("notes.md", []byte("# Oats\n\nOats hold fibre.\n"))
	f.Add("notes.txt", []byte("Kefir and the skin\n\nKefir is a fermented milk drink.\n"))
	f.Add("x.md", []byte("---\ntitle: [unclosed\n---\n"))
	f.Add("x.md", []byte("# \n\n"))
	f.Add("x.txt", []byte("\x00\xff"))
	dir := f.TempDir()
	folder := New(Options{Dir: dir})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		ext := ".md"
		if strings.HasSuffix(name, ".txt") {
			ext = ".txt"
		}
		p, err := folder.Preview(context.Background(), Source{Name: "upload" + ext, Data: data})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("two-line error %q", err)
			}
			return
		}
		if p.Title == "" || p.Passages == 0 || len(p.First) == 0 || path.Ext(p.File) != ext || len(p.data) == 0 {
			t.Fatalf("preview of an article that cannot load: %+v", p)
		}
	})
}
