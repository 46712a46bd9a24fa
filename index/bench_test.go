package index

import (
	"context"
	"testing"

	"gutskin/corpus"
)

// benchQuestions are the kind of questions members ask, answered and not.
var benchQuestions = []string{
	"does kefir help acne?",
	"probiotics for eczema in kids",
	"is leaky gut real?",
	"does dairy cause pimples",
	"what is the gut skin axis",
	"probiotcs for eczma",
	"can stress make my skin break out",
	"what's the best graphics card?",
}

func BenchmarkSearch(b *testing.B) {
	ix := defaultIndex(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(ctx, benchQuestions[i%len(benchQuestions)], 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSpelling builds the typo-repair lexicon of the default library,
// part of building every generation.
func BenchmarkSpelling(b *testing.B) {
	gen, err := defaultIndex(b).acquire()
	if err != nil {
		b.Fatal(err)
	}
	defer gen.users.Done()
	lib, err := corpus.Load(corpus.Default())
	if err != nil {
		b.Fatal(err)
	}
	a := gen.bidx.Mapping().AnalyzerNamed(analyzerName)
	b.ReportAllocs()
	for b.Loop() {
		words, err := libraryWords(context.Background(), lib, a)
		if err != nil {
			b.Fatal(err)
		}
		indexedSpellings(words, gen.vocab.docFreq)
	}
}

// BenchmarkBuild builds in-memory indexes from libraries already loaded,
// and once including the load of the default library.
func BenchmarkBuild(b *testing.B) {
	def, err := corpus.Load(corpus.Default())
	if err != nil {
		b.Fatal(err)
	}
	synth := syntheticLibrary(5000)
	for _, bb := range []struct {
		name string
		load func(context.Context) (*corpus.Library, error)
		lib  *corpus.Library
	}{
		{"default", libraryLoad(def), def},
		{"default-with-load", loader(corpus.Default()), def},
		{"synthetic-5000", libraryLoad(synth), synth},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ix, _, err := Open(context.Background(), Options{Load: bb.load})
				if err != nil {
					b.Fatal(err)
				}
				ix.Close()
			}
			n := len(bb.lib.Passages())
			b.ReportMetric(float64(n), "passages")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "passages/s")
		})
	}
}
