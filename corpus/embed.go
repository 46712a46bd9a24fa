package corpus

import (
	"embed"
	"io/fs"
)

//go:embed articles
var defaultArticles embed.FS

// Default returns the library shipped inside the binary: the articles in
// corpus/articles.
func Default() fs.FS {
	sub, err := fs.Sub(defaultArticles, "articles")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}
