package gotestjson

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/junit"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestGolden parses every testdata/*.json stream and compares the cases and
// totals with testdata/<name>.golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			var out struct {
				Cases []junit.Case
				Stats junit.Stats
			}
			st, err := ParseFile(context.Background(), p, func(c junit.Case) error {
				out.Cases = append(out.Cases, c)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			out.Stats = st
			got, _ := json.MarshalIndent(out, "", "  ")
			got = append(got, '\n')
			golden := strings.TrimSuffix(p, ".json") + ".golden"
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
