package metricsaction

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

func TestChartsSummaryAndCache(t *testing.T) {
	fake := githubfake.Start(t, githubfake.Options{})
	now := time.Now().UTC()
	var runs []githubfake.WorkflowRun
	for i := 0; i < 40; i++ {
		c := now.Add(-time.Duration(i) * 12 * time.Hour)
		conclusion := "success"
		if i%4 == 0 {
			conclusion = "failure"
		}
		runs = append(runs, githubfake.WorkflowRun{ID: int64(500 + i), Name: "CI", Event: "push", Branch: "main", Status: "completed", Conclusion: conclusion,
			Created: c, Started: c, Updated: c.Add(5 * time.Minute)})
	}
	fake.AddWorkflowRuns(runs...)
	// The newest three runs have test reports (the run at i = 0 is the newest).
	for i := 0; i < 3; i++ {
		report := fmt.Sprintf(`{"version":1,"counts":{"total":%d},"coverage":%d,"flaky":["tests/test_a.py::test_%d"]}`, 300-i, 80-i, i)
		fake.AddArtifact(runs[i].ID, "test-report-1", map[string][]byte{"test-report.json": []byte(report)}, runs[i].Updated, false)
	}
	ws := t.TempDir()
	env := map[string]string{"GITHUB_REPOSITORY": "org/timetracker", "GITHUB_API_URL": fake.APIURL()}
	c := actiontest.Case{Dir: ws, Env: env, Inputs: map[string]string{"weeks": "4", "github-token": "tok"}}
	res := actiontest.Run(t, Action(), c)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	var rep struct {
		Weeks  []struct{ Runs, Passed int }
		Totals struct {
			Runs, Passed, Reports, Tests, FlakyTests int
			Coverage                                 float64
		}
	}
	if err := json.Unmarshal([]byte(res.Outputs["json"]), &rep); err != nil || len(rep.Weeks) != 4 {
		t.Fatalf("json %s (%v)", res.Outputs["json"], err)
	}
	if rep.Totals.Runs < 20 || rep.Totals.Runs > 40 || rep.Totals.Passed >= rep.Totals.Runs {
		t.Errorf("totals %+v", rep.Totals)
	}
	if tt := rep.Totals; tt.Reports != 3 || tt.Tests != 300 || tt.Coverage != 80 || tt.FlakyTests != 3 {
		t.Errorf("test figures %+v, want 3 reports, 300 tests (the newest), 80%%, 3 flaky", tt)
	}
	if !strings.Contains(res.Stdout+res.Stderr, "test reports of main: 3 read") {
		t.Errorf("no log of the reports read (the default branch comes from the repository):\n%s", res.Stdout+res.Stderr)
	}
	charts := strings.Split(res.Outputs["charts"], "\n")
	if len(charts) != 10 {
		t.Fatalf("charts %q", res.Outputs["charts"])
	}
	for _, f := range charts {
		data, err := os.ReadFile(filepath.Join(ws, f))
		if err != nil || !strings.HasPrefix(string(data), "<svg") {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !strings.Contains(res.Summary, "```mermaid") || !strings.Contains(res.Summary, "CI success rate") {
		t.Errorf("summary:\n%s", res.Summary)
	}
	if _, err := os.Stat(filepath.Join(ws, ".metrics-cache.json")); err != nil {
		t.Errorf("no cache written: %v", err)
	}
	again := actiontest.Run(t, Action(), c)
	if again.ExitCode != 0 || again.Outputs["json"] != res.Outputs["json"] {
		t.Errorf("with the cache the figures changed")
	}
}

func TestBadInputs(t *testing.T) {
	fake := githubfake.Start(t, githubfake.Options{})
	ws := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(ws, "link")); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_REPOSITORY": "org/timetracker", "GITHUB_API_URL": fake.APIURL()}
	for name, c := range map[string]struct {
		in    map[string]string
		input string
	}{
		"weeks":     {map[string]string{"weeks": "0"}, "weeks"},
		"nan":       {map[string]string{"weeks": "NaN"}, "weeks"},
		"outside":   {map[string]string{"charts-dir": "../m"}, "charts-dir"},
		"symlink":   {map[string]string{"charts-dir": "link/m"}, "charts-dir"},
		"cache":     {map[string]string{"cache-file": "/etc/passwd"}, "cache-file"},
		"token":     {map[string]string{"github-token": ""}, "github-token"},
		"env name":  {map[string]string{"environment": ""}, "environment"},
		"downloads": {map[string]string{"max-downloads": "-1"}, "max-downloads"},
	} {
		t.Run(name, func(t *testing.T) {
			in := map[string]string{"github-token": "tok"}
			for k, v := range c.in {
				in[k] = v
			}
			res := actiontest.Run(t, Action(), actiontest.Case{Dir: ws, Env: env, Inputs: in})
			if res.ExitCode != 2 || !strings.Contains(res.Stdout+res.Stderr, c.input) {
				t.Errorf("exit %d, want 2 naming %s\n%s\n%s", res.ExitCode, c.input, res.Stdout, res.Stderr)
			}
			if entries, _ := os.ReadDir(outside); len(entries) > 0 {
				t.Errorf("wrote outside: %v", entries)
			}
		})
	}
}
