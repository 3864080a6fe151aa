package testreportaction

import (
	"fmt"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

func prEvent(number int, head string) []byte {
	return []byte(fmt.Sprintf(`{"action":"synchronize","number":%d,"pull_request":{"number":%d,
"head":{"ref":"feature","sha":%q,"repo":{"full_name":"someone/timetracker"}},
"base":{"ref":"main","sha":"0000000000000000000000000000000000000000","repo":{"full_name":"org/timetracker"}}},
"repository":{"full_name":"org/timetracker","default_branch":"main"}}`, number, number, head))
}

func TestPullRequestCommentAndCheckRun(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{Token: "secret-token"})
	f.OpenPullRequest(12, "feature", "main", f.Head(), false)
	env := map[string]string{"GITHUB_API_URL": f.APIURL(), "GITHUB_REPOSITORY": "org/timetracker", "GITHUB_WORKFLOW": "CI",
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_SHA": "feedface", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "99"}
	inputs := map[string]string{"plan": plan, "github-token": "secret-token", "pr-comment": "true", "check-run": "true",
		"base-failures": "base/failures.json"}
	for run := 1; run <= 2; run++ {
		dir := workspace(t)
		write(t, dir, map[string]string{"base/failures.json": `{"ref":"main","failing":[{"tier":"unit","id":"tests/test_calc.py::test_bad"}]}`})
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: inputs, Env: env, Event: prEvent(12, f.Head())})
		if res.ExitCode != 1 {
			t.Fatalf("run %d: exit %d, want 1 (a test failed): %s", run, res.ExitCode, res.Stderr)
		}
		if res.Outputs["new-failures"] != "0" || !strings.Contains(res.Outputs["comment-url"], "/pull/12#issuecomment-") || res.Outputs["check-run-url"] == "" {
			t.Fatalf("run %d outputs: %v", run, res.Outputs)
		}
		if out := strings.ReplaceAll(res.Stdout+res.Stderr, "::add-mask::secret-token", ""); strings.Contains(out, "secret-token") {
			t.Fatalf("the token was printed:\n%s\n%s", res.Stdout, res.Stderr)
		}
	}
	cs := f.Comments(12)
	if len(cs) != 1 {
		t.Fatalf("%d comments after two runs, want one updated in place", len(cs))
	}
	for _, want := range []string{"<!-- timetracker-ci test-report: CI -->", "**Already failing on main (1)**", "tests/test_calc.py::test_bad", "Shard timing", "coverage **75.00%**"} {
		if !strings.Contains(cs[0].Body, want) {
			t.Errorf("comment lacks %q:\n%s", want, cs[0].Body)
		}
	}
	runs := f.CheckRuns()
	if len(runs) != 2 || runs[1].Name != "Test results (CI)" || runs[1].HeadSHA != f.Head() || runs[1].Conclusion != "failure" || len(runs[1].Annotations) != 1 {
		t.Fatalf("check runs: %+v", runs)
	}
	if a := runs[1].Annotations[0]; a.GetPath() != "tests/test_calc.py" || a.GetStartLine() != 9 {
		t.Errorf("annotation at %s:%d, want tests/test_calc.py:9", a.GetPath(), a.GetStartLine())
	}
}

// The second workflow of the fork pattern: a workflow_run event, the pull
// request read from the event the tested workflow saved.
func TestEventFileFromTheTestedWorkflow(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{})
	f.OpenPullRequest(4, "feature", "main", f.Head(), true)
	dir := workspace(t)
	write(t, dir, map[string]string{"pr-event/event.json": string(prEvent(4, f.Head()))})
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir,
		Inputs: map[string]string{"github-token": "t", "pr-comment": "true", "check-run": "true", "event-file": "pr-event/event.json", "report-name": "CI"},
		Env: map[string]string{"GITHUB_API_URL": f.APIURL(), "GITHUB_REPOSITORY": "org/timetracker", "GITHUB_WORKFLOW": "Test report",
			"GITHUB_EVENT_NAME": "workflow_run", "GITHUB_SHA": "0123", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "5"},
		Event: []byte(`{"action":"completed","workflow_run":{"id":777,"name":"CI","pull_requests":[]}}`)})
	if res.ExitCode != 1 {
		t.Fatalf("exit %d: %s", res.ExitCode, res.Stderr)
	}
	if cs := f.Comments(4); len(cs) != 1 || !strings.Contains(cs[0].Body, "test-report: CI -->") || !strings.Contains(cs[0].Body, "**New failures (1)**") {
		t.Fatalf("comments: %+v", cs)
	}
	// Links go to the pull request's head commit and the tested run, not the reporter's.
	if b := f.Comments(4)[0].Body; !strings.Contains(b, "/blob/"+f.Head()+"/tests/test_calc.py#L9") || !strings.Contains(b, "/actions/runs/777)") {
		t.Errorf("links in the comment:\n%s", b)
	}
	if runs := f.CheckRuns(); len(runs) != 1 || runs[0].HeadSHA != f.Head() {
		t.Fatalf("check runs: %+v", runs)
	}
}

func TestPublishingInputErrors(t *testing.T) {
	for name, in := range map[string]map[string]string{
		"no token":      {"pr-comment": "true"},
		"bad switch":    {"check-run": "maybe"},
		"missing event": {"event-file": "nope.json"},
		"not an event":  {"event-file": "tests/test_more.py"},
		"bad base file": {"base-failures": "tests/test_more.py"},
	} {
		t.Run(name, func(t *testing.T) {
			res := actiontest.Run(t, Action(), actiontest.Case{Dir: workspace(t), Inputs: in})
			if res.ExitCode != 2 {
				t.Fatalf("exit %d, want 2: %s", res.ExitCode, res.Stderr)
			}
		})
	}
}
