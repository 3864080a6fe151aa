package gotestjson

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
	"github.com/org/timetracker-ci/pkg/junit"
)

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
			golden.Check(t, strings.TrimSuffix(p, ".json")+".golden", got)
		})
	}
}
