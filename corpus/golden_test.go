package corpus

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the readers' output")

// TestGolden loads each reader fixture and compares the whole article
// (metadata, references, passages with IDs, sections and citations) and its
// warnings with testdata/golden/<fixture>.json. After a deliberate change to
// the readers, review the diff and run `go test ./corpus -run TestGolden
// -update`.
func TestGolden(t *testing.T) {
	for _, dir := range []string{"markdown", "plaintext"} {
		entries, err := os.ReadDir(filepath.Join("testdata", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			t.Run(name, func(t *testing.T) {
				a, lib := loadOne(t, name, readFixture(t, filepath.Join(dir, name)))
				got, err := json.MarshalIndent(struct {
					Article  Article   `json:"article"`
					Warnings []Problem `json:"warnings"`
				}{a, lib.Warnings}, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
				golden := filepath.Join("testdata", "golden", name+".json")
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from %s; if the change is intended, rerun with -update\n%s", name, golden, lineDiff(string(want), string(got)))
				}
			})
		}
	}
}

// lineDiff shows the first lines where want and got part.
func lineDiff(want, got string) string {
	w, g := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	var out bytes.Buffer
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl []byte
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if !bytes.Equal(wl, gl) {
			out.WriteString("line " + strconv.Itoa(i+1) + ":\n  want " + string(wl) + "\n  got  " + string(gl) + "\n")
			shown++
		}
	}
	return out.String()
}
