package junit

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestGolden parses every testdata/*.xml report and compares the cases and
// totals, as JSON, with testdata/<name>.golden (go test -update rewrites
// them). testdata/pytest-xunit1.xml and pytest-xunit2.xml were written by
// pytest 7.2 (junit_family xunit1 and the default xunit2) with
// pytest-rerunfailures, only the machine's paths replaced; the other files
// are written by hand after the tools' formats.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	if len(files) == 0 {
		t.Fatal("no testdata/*.xml")
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			var out struct {
				Cases []Case
				Stats Stats
				Error string `json:",omitempty"`
			}
			st, err := ParseFile(context.Background(), p, func(c Case) error {
				out.Cases = append(out.Cases, c)
				return nil
			})
			out.Stats = st
			if err != nil {
				out.Error = err.Error()
			}
			got, _ := json.MarshalIndent(out, "", "  ")
			got = append(got, '\n')
			golden := strings.TrimSuffix(p, ".xml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s; run go test -update and review the diff\n%s", p, golden, got)
			}
		})
	}
}
