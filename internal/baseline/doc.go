// Package baseline measures gutskin against the two things a user could do
// instead: Bleve used the plain way and SQLite FTS5 with bm25(). Everything
// lives in test files, so neither baseline (nor modernc.org/sqlite) is ever
// compiled into the gutskin binary. Run the comparison with
//
//	go test -run Compare -v ./internal/baseline/
//
// and set BASELINE_OUT to a file name to also write the Markdown table there.
package baseline
