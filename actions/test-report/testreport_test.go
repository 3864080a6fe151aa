package testreportaction

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/shard"
	"github.com/org/timetracker-ci/pkg/testreport"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const appSource = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"

// cobertura as coverage.py writes it with relative_files = True.
const cobertura = `<?xml version="1.0" ?>
<coverage version="7.2" line-rate="0.75" branch-rate="0" lines-covered="3" lines-valid="4">
<sources><source>.</source></sources>
<packages><package name="app" line-rate="0.75"><classes>
<class name="calc.py" filename="app/calc.py" line-rate="0.75"><methods/><lines>
<line number="1" hits="1"/><line number="2" hits="1"/><line number="5" hits="1"/><line number="6" hits="0"/>
</lines></class></classes></package></packages></coverage>
`

const plan = `{"version":1,"results-dir":"test-results","tiers":[
{"name":"unit","marker":"unit","timeout":10,"needs-database":false,"coverage":true,"shards":2,"requested-shards":2,"files":2,
 "jobs":[{"shard":1,"tests":["tests/test_calc.py"],"predicted-seconds":1.5},{"shard":2,"tests":["tests/test_more.py"],"predicted-seconds":1}]}]}`

func workspace(t *testing.T) string {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"app/calc.py":        appSource,
		"tests/test_calc.py": "from app.calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\ndef test_bad():\n    assert add(1, 1) == 3\n",
		"tests/test_more.py": "def test_more():\n    pass\n",
		"test-results/junit-unit-1.xml": `<testsuites><testsuite name="pytest">
<testcase classname="tests.test_calc" name="test_add" time="0.5"/>
<testcase classname="tests.test_calc" name="test_bad" time="0.25"><failure message="assert 2 == 3">def test_bad():
&gt;       assert add(1, 1) == 3
E       assert 2 == 3

tests/test_calc.py:9: AssertionError</failure></testcase>
</testsuite></testsuites>`,
		"test-results/junit-unit-2.xml":    `<testsuite><testcase classname="tests.test_more" name="test_more" time="1"/></testsuite>`,
		"test-results/coverage-unit-1.xml": cobertura,
	})
	return dir
}

func TestReportFailure(t *testing.T) {
	dir := workspace(t)
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"plan": plan, "coverage-threshold": "70"},
		Env: map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "org/app", "GITHUB_SHA": "abc123"}})
	if res.ExitCode != 1 {
		t.Fatalf("exit %d, want 1 (a test failed): %s %v", res.ExitCode, res.Stderr, res.Annotations)
	}
	o := res.Outputs
	for k, want := range map[string]string{"total": "3", "passed": "2", "failed": "1", "errors": "0", "skipped": "0", "flaky": "0",
		"duration": "1.750", "coverage": "75.00", "diff-coverage": "", "conclusion": "failure", "timings": "test-results/timings.json"} {
		if o[k] != want {
			t.Errorf("output %s = %q, want %q", k, o[k], want)
		}
	}
	found := false
	for _, a := range res.Annotations {
		if strings.HasPrefix(a, "::error file=tests/test_calc.py,line=9,title=unit failed%3A tests/test_calc.py%3A%3Atest_bad::assert 2 == 3") {
			found = true
		}
	}
	if !found {
		t.Errorf("no failure annotation at tests/test_calc.py:9 in %q", res.Annotations)
	}
	if !strings.Contains(res.Summary, `<a href="https://github.com/org/app/blob/abc123/tests/test_calc.py#L9">tests/test_calc.py:9</a>`) {
		t.Errorf("no link to the failing line in the summary:\n%s", res.Summary)
	}
	if !strings.Contains(res.Summary, "## ❌ Tests failed") || !strings.Contains(res.Summary, "| unit | 1 | 1.50s | 0.75s | 2 | 1 |") {
		t.Errorf("summary:\n%s", res.Summary)
	}
	var js struct {
		Conclusion string
		Failures   []struct{ ID, Result, File string }
	}
	if err := json.Unmarshal([]byte(o["json"]), &js); err != nil || js.Conclusion != "failure" || len(js.Failures) != 1 ||
		js.Failures[0].Result != "failed" || js.Failures[0].ID != "tests/test_calc.py::test_bad" {
		t.Errorf("json output: %v %+v\n%s", err, js, o["json"])
	}
	tm, err := shard.ReadTimingsFile(t.Context(), filepath.Join(dir, "test-results/timings.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tm.For("unit")["tests/test_calc.py::test_add"]; got != 0.5 {
		t.Errorf("timings: %v", tm.Tiers)
	}
}

func TestReportSuccessAndThresholds(t *testing.T) {
	dir := workspace(t)
	write(t, dir, map[string]string{"test-results/junit-unit-1-a2.xml": `<testsuite><testcase classname="tests.test_calc" name="test_bad" time="0.2"/></testsuite>`,
		"old-timings.json": `{"version":1,"tiers":{"smoke":{"tests/test_x.py::test_y":3},"unit":{"gone":1}}}`})
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"plan": plan, "timings": "old-timings.json", "timings-file": "out/t.json"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %v", res.ExitCode, res.Annotations)
	}
	if res.Outputs["flaky"] != "1" || res.Outputs["failed"] != "0" || res.Outputs["conclusion"] != "success" {
		t.Errorf("outputs: %v", res.Outputs)
	}
	tm, err := shard.ReadTimingsFile(t.Context(), filepath.Join(dir, "out/t.json"))
	if err != nil {
		t.Fatal(err)
	}
	if tm.For("smoke")["tests/test_x.py::test_y"] != 3 || tm.For("unit")["gone"] != 0 || len(tm.For("unit")) != 3 {
		t.Errorf("timings merge: a tier that ran replaces its old timings, others are kept: %v", tm.Tiers)
	}
	// Coverage gate.
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"plan": plan, "coverage-threshold": "80"}})
	if res.ExitCode != 1 || !strings.Contains(annotations(res), "coverage 75.00% is below coverage-threshold 80.00%") {
		t.Errorf("coverage gate: exit %d %v", res.ExitCode, res.Annotations)
	}
	// Fail on flaky.
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"fail-on-flaky": "true"}})
	if res.ExitCode != 1 || res.Outputs["conclusion"] != "failure" {
		t.Errorf("fail-on-flaky: exit %d %v", res.ExitCode, res.Outputs)
	}
}

func TestReportMissingShardAndNoTests(t *testing.T) {
	dir := workspace(t)
	os.Remove(filepath.Join(dir, "test-results/junit-unit-2.xml"))
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"plan": plan}})
	if res.ExitCode != 1 || !strings.Contains(annotations(res), "shard unit 2 did not report") {
		t.Errorf("missing shard: exit %d %v", res.ExitCode, res.Annotations)
	}
	empty := t.TempDir()
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: empty})
	if res.ExitCode != 1 || res.Outputs["total"] != "0" || !strings.Contains(annotations(res), "no test results were found") {
		t.Errorf("no results: exit %d %v %v", res.ExitCode, res.Outputs, res.Annotations)
	}
}

func TestReportBadInputs(t *testing.T) {
	dir := workspace(t)
	for _, tc := range []struct {
		inputs map[string]string
		msg    string
	}{
		{map[string]string{"min-tests": "-1"}, "is negative"},
		{map[string]string{"min-tests": "many"}, "not a whole number"},
		{map[string]string{"coverage-threshold": "120"}, "not a percentage"},
		{map[string]string{"fail-on-flaky": "yes"}, "not a boolean"},
		{map[string]string{"plan": "[]"}, "not a plan from test-plan"},
		{map[string]string{"diff-coverage-threshold": "80"}, "no base to compare with"},
	} {
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: tc.inputs})
		if res.ExitCode != 2 || !strings.Contains(annotations(res), tc.msg) || len(res.Outputs) != 0 {
			t.Errorf("%v: exit %d, annotations %v, outputs %d; want exit 2 with %q", tc.inputs, res.ExitCode, res.Annotations, len(res.Outputs), tc.msg)
		}
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=ci", "GIT_AUTHOR_EMAIL=ci@example.com", "GIT_COMMITTER_NAME=ci", "GIT_COMMITTER_EMAIL=ci@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestDiffCoverage(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (apt-get install git)")
	}
	dir := workspace(t)
	// The base has add() only; the change adds sub() (lines 4-6: 5 ran, 6 did not).
	write(t, dir, map[string]string{"app/calc.py": "def add(a, b):\n    return a + b\n"})
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "app", "tests")
	git(t, dir, "commit", "-q", "-m", "base")
	base := git(t, dir, "rev-parse", "HEAD")
	write(t, dir, map[string]string{"app/calc.py": appSource})
	git(t, dir, "commit", "-q", "-am", "add sub")
	os.Remove(filepath.Join(dir, "test-results/junit-unit-1.xml"))

	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"base-ref": base, "diff-coverage-threshold": "40"}})
	if res.ExitCode != 0 || res.Outputs["diff-coverage"] != "50.00" {
		t.Fatalf("exit %d, diff-coverage %q, annotations %v", res.ExitCode, res.Outputs["diff-coverage"], res.Annotations)
	}
	if !strings.Contains(res.Summary, "not executed: `app/calc.py` lines 6") {
		t.Errorf("summary:\n%s", res.Summary)
	}
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"base-ref": base, "diff-coverage-threshold": "60"}})
	if res.ExitCode != 1 || !strings.Contains(annotations(res), "diff coverage 50.00% (1 of 2 changed coverable lines) is below diff-coverage-threshold 60.00%") {
		t.Errorf("diff gate: exit %d %v", res.ExitCode, res.Annotations)
	}

	// A shallow clone lacks the base: the error says to fetch it.
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, dir, "clone", "-q", "--depth", "1", "file://"+dir, clone)
	write(t, clone, map[string]string{"test-results/junit-unit-2.xml": `<testsuite><testcase classname="c" name="t"/></testsuite>`, "test-results/coverage-unit-1.xml": cobertura})
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: clone, Inputs: map[string]string{"base-ref": base, "diff-coverage-threshold": "10"}})
	if res.ExitCode != 1 || !strings.Contains(annotations(res), "fetch-depth: 0") || res.Outputs["total"] != "1" || res.Outputs["diff-coverage"] != "" {
		t.Errorf("shallow with a gate: exit %d %v %v", res.ExitCode, res.Annotations, res.Outputs)
	}
	// Without a gate the tests still pass, with a warning saying what to fetch.
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: clone, Inputs: map[string]string{"base-ref": base}})
	if res.ExitCode != 0 || !strings.Contains(annotations(res), "::warning title=No diff coverage::changed lines since "+base) || !strings.Contains(annotations(res), "fetch-depth: 0") {
		t.Errorf("shallow without a gate: exit %d %v", res.ExitCode, res.Annotations)
	}
}

// annotations joins the annotation lines with workflow-command escapes undone.
func annotations(res actiontest.Result) string {
	return strings.NewReplacer("%25", "%", "%3A", ":", "%2C", ",", "%0A", "\n", "%0D", "\r").Replace(strings.Join(res.Annotations, "\n"))
}

// TestMirrorEnumsMapOneToOne: every rendering and level of the runtime has
// exactly one counterpart in the report, and back.
func TestMirrorEnumsMapOneToOne(t *testing.T) {
	details := []action.Detail{action.DetailFull, action.DetailReduced, action.DetailMinimal}
	seen := map[testreport.Detail]bool{}
	for _, d := range details {
		rd, ok := summaryDetail[d]
		if !ok || seen[rd] {
			t.Errorf("runtime detail %d maps to %d (mapped: %v, already used: %v)", d, rd, ok, seen[rd])
		}
		seen[rd] = true
	}
	if len(summaryDetail) != len(details) {
		t.Errorf("summaryDetail has %d entries, the runtime %d renderings", len(summaryDetail), len(details))
	}
	levels := []testreport.Level{testreport.LevelNotice, testreport.LevelWarning, testreport.LevelError}
	want := []action.Level{action.LevelNotice, action.LevelWarning, action.LevelError}
	for i, l := range levels {
		if got, ok := annotationLevel[l]; !ok || got != want[i] {
			t.Errorf("report level %d maps to %d, want %d", l, got, want[i])
		}
	}
	if len(annotationLevel) != len(levels) {
		t.Errorf("annotationLevel has %d entries, the report %d levels", len(annotationLevel), len(levels))
	}
}
