package metricsaction

import (
	"encoding/json"
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
		runs = append(runs, githubfake.WorkflowRun{Name: "CI", Event: "push", Branch: "main", Status: "completed", Conclusion: conclusion,
			Created: c, Started: c, Updated: c.Add(5 * time.Minute)})
	}
	fake.AddWorkflowRuns(runs...)
	ws := t.TempDir()
	env := map[string]string{"GITHUB_REPOSITORY": "org/timetracker", "GITHUB_API_URL": fake.APIURL()}
	c := actiontest.Case{Dir: ws, Env: env, Inputs: map[string]string{"weeks": "4", "github-token": "tok"}}
	res := actiontest.Run(t, Action(), c)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	var rep struct {
		Weeks  []struct{ Runs, Passed int }
		Totals struct{ Runs, Passed int }
	}
	if err := json.Unmarshal([]byte(res.Outputs["json"]), &rep); err != nil || len(rep.Weeks) != 4 {
		t.Fatalf("json %s (%v)", res.Outputs["json"], err)
	}
	if rep.Totals.Runs < 20 || rep.Totals.Runs > 40 || rep.Totals.Passed >= rep.Totals.Runs {
		t.Errorf("totals %+v", rep.Totals)
	}
	charts := strings.Split(res.Outputs["charts"], "\n")
	if len(charts) != 7 {
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
		"weeks":    {map[string]string{"weeks": "0"}, "weeks"},
		"nan":      {map[string]string{"weeks": "NaN"}, "weeks"},
		"outside":  {map[string]string{"charts-dir": "../m"}, "charts-dir"},
		"symlink":  {map[string]string{"charts-dir": "link/m"}, "charts-dir"},
		"cache":    {map[string]string{"cache-file": "/etc/passwd"}, "cache-file"},
		"token":    {map[string]string{"github-token": ""}, "github-token"},
		"env name": {map[string]string{"environment": ""}, "environment"},
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
