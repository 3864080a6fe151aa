package junit

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
)

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
			golden.Check(t, strings.TrimSuffix(p, ".xml")+".golden", got)
		})
	}
}
