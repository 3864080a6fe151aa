package testreport

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/gotestjson"
	"github.com/org/timetracker-ci/pkg/junit"
)

// corpusDir is the shared acceptance corpus, beside the repository.
const corpusDir = "../../../shared/corpus/junit"

// TestCorpusCountsMatchParser: over every JUnit and go test -json file of
// the shared corpus, the merged report counts exactly what the parsers
// count (whose own tests pin the corpus README's expectations), and a file
// the parser refuses is a named, failing file error, never a crash.
func TestCorpusCountsMatchParser(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("the shared corpus is not present beside the repository")
	}
	ctx := context.Background()
	var all []string
	err := filepath.Walk(corpusDir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.Contains(p, "/coverage/") {
			return err
		}
		gojson := strings.HasSuffix(p, ".gojson.txt")
		if !strings.HasSuffix(p, ".xml") && !gojson {
			return nil
		}
		all = append(all, p)
		t.Run(strings.TrimPrefix(p, corpusDir+"/"), func(t *testing.T) {
			parse := junit.ParseFile
			if gojson {
				parse = gotestjson.ParseFile
			}
			var want Counts
			// A test id counts once in the report however often it ran;
			// without a workspace the id is file::name, else classname::name.
			ids := map[string]bool{}
			st, perr := parse(ctx, p, func(c junit.Case) error {
				if c.File != "" {
					ids["f\x00"+filepath.ToSlash(c.File)+"\x00"+c.Name] = true
				} else {
					ids["c\x00"+c.Classname+"\x00"+c.Name] = true
				}
				return nil
			})
			want = Counts{Total: st.Tests, Passed: st.Passed, Failed: st.Failed, Errors: st.Errors, Skipped: st.Skipped, Flaky: st.Flaky}
			r, err := Build(ctx, []string{p}, Options{GoTestJSON: gotestjson.Parse})
			if err != nil {
				t.Fatal(err)
			}
			if perr != nil {
				if len(r.FileErrors) != 1 || r.Passed() {
					t.Errorf("parser error %v, report file errors %+v, conclusion %s", perr, r.FileErrors, r.Conclusion)
				}
				return
			}
			got := r.Counts
			got.Seconds = 0
			switch {
			case len(ids) == st.Tests && got != want:
				t.Errorf("report counts %+v, parser counts %+v", got, want)
			case len(ids) != st.Tests && got.Total != len(ids):
				// Repeated ids: one test each, whatever their results.
				t.Errorf("report counts %d tests, the file has %d distinct ids (%d cases)", got.Total, len(ids), st.Tests)
			}
			if len(r.FileErrors) != 0 {
				t.Errorf("file errors %+v", r.FileErrors)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// pass, then failure, then error of one test: one test, and a pass
	// never hides a later failure.
	r, err := Build(ctx, []string{filepath.Join(corpusDir, "mikepenz/flaky_retries/flaky_success_first.xml")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Counts; got.Total != 1 || got.Errors != 1 || got.Passed != 0 {
		t.Errorf("flaky_success_first: counts %+v, want one test, errored", got)
	}
	if len(all) < 100 {
		t.Errorf("only %d corpus files found", len(all))
	}
	// All at once: every file is still reported when some are broken.
	r, err = Build(ctx, all, Options{GoTestJSON: gotestjson.Parse, MinTests: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Files != len(all) || r.Counts.Total < 5000 || len(r.FileErrors) == 0 {
		t.Errorf("whole corpus: %d files read of %d, %d tests, %d file errors", r.Files, len(all), r.Counts.Total, len(r.FileErrors))
	}
	t.Logf("whole corpus: %d files, %+v, %d unreadable", r.Files, r.Counts, len(r.FileErrors))
}
