package localtest_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/actions"
	"github.com/org/timetracker-ci/actions/localtest"
	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/shard"
)

// acts are the binary's actions; the command runs test-plan and
// test-report from them.
var acts = action.Actions(actions.All())

func find(t *testing.T, name string) *action.Action {
	t.Helper()
	a, err := acts.Find(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// pytest finds Debian's pytest with pytest-cov, or skips.
func pytest(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("pytest")
	if err != nil {
		p, err = exec.LookPath("pytest-3")
	}
	if err != nil {
		t.Skip("pytest is not installed: apt-get install -y python3-pytest python3-pytest-cov python3-pytest-xdist")
	}
	out, err := exec.Command(p, "--help").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--cov=")) {
		t.Skip("pytest-cov is not installed: apt-get install -y python3-pytest-cov")
	}
	return p
}

// suite copies the example suite, so pytest's caches stay out of the repository.
func suite(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk("testdata/suite", func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/suite", p)
		if info.IsDir() {
			if info.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func runCmd(t *testing.T, dir string, environ map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := action.Env{Getenv: func(k string) string {
		if v, ok := environ[k]; ok {
			return v
		}
		return os.Getenv(k)
	}, Stdout: &out, Stderr: &errOut, Dir: dir}
	err := localtest.Command(acts).Run(context.Background(), env, args)
	return out.String() + errOut.String(), err
}

// coberturaRate reads coverage.py's own lines-covered/lines-valid.
func coberturaRate(t *testing.T, path string) float64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		Covered int `xml:"lines-covered,attr"`
		Valid   int `xml:"lines-valid,attr"`
	}
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	return 100 * float64(root.Covered) / float64(root.Valid)
}

// TestAllFiveTiersForReal plans, runs and reports the example suite with
// real pytest: counts per tier and merged coverage must be right.
func TestAllFiveTiersForReal(t *testing.T) {
	py := pytest(t)
	dir := suite(t)
	out, err := runCmd(t, dir, map[string]string{"DATABASE_URL": ""}, "--", py, "-q")
	if err != nil {
		t.Fatalf("test command failed: %v\n%s", err, out)
	}
	want := []string{
		"smoke            2 tests: 2 passed, 0 failed, 0 errors, 0 skipped, 0 flaky",
		"unit             9 tests: 8 passed, 0 failed, 0 errors, 1 skipped, 0 flaky",
		"integration      2 tests: 2 passed, 0 failed, 0 errors, 0 skipped, 0 flaky",
		"security         3 tests: 3 passed, 0 failed, 0 errors, 0 skipped, 0 flaky",
		"database         3 tests: 2 passed, 0 failed, 0 errors, 1 skipped, 0 flaky",
		"\nsuccess\n",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	// Coverage is collected by the unit and integration tiers; merged, it
	// must equal what coverage.py reports for one run of both.
	ref := filepath.Join(t.TempDir(), "ref.xml")
	cmd := exec.Command(py, "-q", "-m", "unit or integration", "--cov", "--cov-report=xml:"+ref)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, b)
	}
	m := regexp.MustCompile(`coverage (\d+\.\d+)%`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no coverage in the output:\n%s", out)
	}
	got, _ := strconv.ParseFloat(m[1], 64)
	if wantCov := coberturaRate(t, ref); strconv.FormatFloat(wantCov, 'f', 2, 64) != m[1] {
		t.Errorf("merged coverage %.2f%%, coverage.py says %.2f%% for the same tests", got, wantCov)
	}
	// The timings for the next plan hold every test that ran.
	tm, err := shard.ReadTimingsFile(context.Background(), filepath.Join(dir, "test-results/timings.json"))
	if err != nil {
		t.Fatal(err)
	}
	// No file ran without a unit test: the files whose markers exclude the
	// tier (read statically) were left out of its shards, so none is
	// recorded at 0 seconds (files whose markers cannot be read are).
	var ids, empty []string
	for id, s := range tm.For("unit") {
		if strings.Contains(id, "::") {
			ids = append(ids, id)
		} else if s == 0 {
			empty = append(empty, id)
		}
	}
	slices.Sort(empty)
	// 8 tests ran, of 5 functions: timings are per function, as the plan
	// splits files (the 4 cases of test_format_duration are summed).
	if len(ids) != 5 || len(empty) != 0 {
		t.Errorf("unit timings: %d test functions (want the 5 that ran), empty files %q: %v", len(ids), empty, tm.For("unit"))
	}
	if _, ok := tm.For("unit")["tests/test_timer.py::TestTimer::test_total_by_task"]; !ok {
		t.Errorf("timings lack the class test's node id: %v", tm.For("unit"))
	}
	// Running one tier keeps the other tiers' timings.
	if out, err := runCmd(t, dir, nil, "--tier", "smoke", "--", py, "-q"); err != nil {
		t.Fatalf("smoke again: %v\n%s", err, out)
	}
	tm, err = shard.ReadTimingsFile(context.Background(), filepath.Join(dir, "test-results/timings.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tm.For("unit")) != 5 || len(tm.For("smoke")) == 0 {
		t.Errorf("after a smoke-only run: unit %d timings (want 5 kept), smoke %d", len(tm.For("unit")), len(tm.For("smoke")))
	}
}

func TestFailureAndMinTests(t *testing.T) {
	py := pytest(t)
	dir := suite(t)
	bad := "import pytest\n\n\n@pytest.mark.unit\ndef test_broken():\n    total = 1 + 1\n    assert total == 3\n"
	if err := os.WriteFile(filepath.Join(dir, "tests/test_broken.py"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, dir, nil, "--tier", "unit", "--", py, "-q")
	if err == nil || !strings.Contains(out, "FAILED unit tests/test_broken.py::test_broken tests/test_broken.py:7: assert 2 == 3") {
		t.Errorf("want a failure located at its line; err %v\n%s", err, out)
	}
	// A tier whose marker selects nothing: pytest exits 5, the report fails it.
	out, err = runCmd(t, dir, nil, "--tiers", "e2e: {marker: e2e}", "--", py, "-q")
	if err == nil || !strings.Contains(out, "tier e2e: 0 tests ran (0 skipped), fewer than min-tests 1") || !strings.Contains(out, "exited with 5") {
		t.Errorf("no tests ran must fail; err %v\n%s", err, out)
	}
	out, err = runCmd(t, dir, nil, "--tiers", "e2e: {marker: e2e}", "--min-tests", "0", "--", py, "-q")
	if err != nil {
		t.Errorf("min-tests 0 allows an empty tier: %v\n%s", err, out)
	}
}

func TestArgs(t *testing.T) {
	o, err := localtest.ParseArgs([]string{"--tier", "unit,smoke", "--paths", "t/*.py", "--", "python3", "-m", "pytest"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.Tiers, ",") != "unit,smoke" || strings.Join(o.Command, " ") != "python3 -m pytest" || o.Timings != "test-results/timings.json" {
		t.Errorf("options = %+v", o)
	}
	if o, _ := localtest.ParseArgs(nil, &bytes.Buffer{}); strings.Join(o.Command, " ") != "pytest" {
		t.Errorf("default command = %q", o.Command)
	}
	if _, err := localtest.ParseArgs([]string{"pytest"}, &bytes.Buffer{}); err == nil || !action.IsInputError(err) || !strings.Contains(err.Error(), "put the test command after --") {
		t.Errorf("a command without --: %v", err)
	}
	_, err = runCmd(t, t.TempDir(), nil, "--tier", "e2e")
	if err == nil || !strings.Contains(err.Error(), `tier "e2e" is not defined`) {
		t.Errorf("unknown tier: %v", err)
	}
}

// TestExampleAppForReal runs every tier of the example TimeTracker app (when
// present, with Flask installed) and checks that the tiers together ran
// exactly the tests pytest collects: each test carries one tier marker.
func TestExampleAppForReal(t *testing.T) {
	const example = "../../examples/timetracker"
	if _, err := os.Stat(filepath.Join(example, "run-tests.sh")); err != nil {
		t.Skip("the example app is not in this checkout")
	}
	pytest(t)
	if err := exec.Command("python3", "-c", "import flask, flask_sqlalchemy, flask_migrate, pytest").Run(); err != nil {
		if err := exec.Command("/usr/bin/python3", "-c", "import flask, flask_sqlalchemy, flask_migrate, pytest").Run(); err != nil {
			t.Skip("Flask is not installed: apt-get install -y python3-flask python3-flask-sqlalchemy python3-flask-migrate")
		}
	}
	dir := t.TempDir()
	cp := exec.Command("cp", "-r", example+"/.", dir)
	if out, err := cp.CombinedOutput(); err != nil {
		t.Fatalf("copy the example: %v\n%s", err, out)
	}
	os.RemoveAll(filepath.Join(dir, "test-results"))
	collect := exec.Command("./run-tests.sh", "--collect-only", "-q")
	collect.Dir = dir
	listing, err := collect.CombinedOutput()
	if err != nil {
		t.Fatalf("collect: %v\n%s", err, listing)
	}
	m := regexp.MustCompile(`(\d+) tests? collected`).FindSubmatch(listing)
	if m == nil {
		t.Fatalf("no count in:\n%s", listing)
	}
	collected, _ := strconv.Atoi(string(m[1]))
	out, err := runCmd(t, dir, nil, "--", "./run-tests.sh", "-q")
	if err != nil {
		t.Fatalf("example app: %v\n%s", err, out)
	}
	total := 0
	for _, line := range regexp.MustCompile(`(?m)^(smoke|unit|integration|security|database)\s+(\d+) tests`).FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(line[2])
		if n == 0 {
			t.Errorf("tier %s ran no test", line[1])
		}
		total += n
	}
	if total != collected {
		t.Errorf("the five tiers ran %d tests, pytest collects %d\n%s", total, collected, out)
	}
	if !strings.Contains(out, "\nsuccess\n") || !regexp.MustCompile(`coverage \d+\.\d+%`).MatchString(out) {
		t.Errorf("no success with coverage:\n%s", out)
	}
}

// TestFlakyAcrossAttemptsForReal: a shard re-run as attempt 2 (as GitHub's
// "re-run failed jobs" does) passes a test that failed in attempt 1. The
// planned file names keep both attempts; the report counts the test once,
// as flaky, and passes unless fail-on-flaky. (Debian's pytest 7 writes no
// <rerun> elements for pytest-rerunfailures, so attempts are the real path.)
func TestFlakyAcrossAttemptsForReal(t *testing.T) {
	py := pytest(t)
	dir := suite(t)
	flaky := "import os\n\nimport pytest\n\n\n@pytest.mark.unit\ndef test_first_run_fails():\n" +
		"    if not os.path.exists(\"ran-once\"):\n        open(\"ran-once\", \"w\").close()\n        assert False, \"first run fails\"\n"
	if err := os.WriteFile(filepath.Join(dir, "tests/test_flaky.py"), []byte(flaky), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := actiontest.Run(t, find(t, "test-plan"), actiontest.Case{Dir: dir, Inputs: map[string]string{"select": "unit"}})
	if plan.ExitCode != 0 {
		t.Fatalf("plan: %v", plan.Annotations)
	}
	for attempt := 1; attempt <= 2; attempt++ {
		job := actiontest.Run(t, find(t, "test-plan"), actiontest.Case{Dir: dir, Env: map[string]string{"GITHUB_RUN_ATTEMPT": strconv.Itoa(attempt)},
			Inputs: map[string]string{"plan": plan.Outputs["plan"], "tier": "unit", "shard": "1"}})
		cmd := exec.Command("sh", "-c", py+" -q "+job.Outputs["args"])
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if (attempt == 1) != (err != nil) {
			t.Fatalf("attempt %d: pytest %v\n%s", attempt, err, out)
		}
	}
	res := actiontest.Run(t, find(t, "test-report"), actiontest.Case{Dir: dir, Inputs: map[string]string{"plan": plan.Outputs["plan"]}})
	if res.ExitCode != 0 || res.Outputs["flaky"] != "1" || res.Outputs["failed"] != "0" || res.Outputs["total"] != "10" {
		t.Fatalf("report: exit %d %v %v", res.ExitCode, res.Outputs, res.Annotations)
	}
	if !strings.Contains(res.Summary, "| unit | `tests/test_flaky.py::test_first_run_fails` | 2 | AssertionError: first run fails") {
		t.Errorf("summary lacks the flaky test:\n%s", res.Summary)
	}
	res = actiontest.Run(t, find(t, "test-report"), actiontest.Case{Dir: dir, Inputs: map[string]string{"plan": plan.Outputs["plan"], "fail-on-flaky": "true"}})
	if res.ExitCode != 1 || res.Outputs["conclusion"] != "failure" {
		t.Errorf("fail-on-flaky: exit %d %v", res.ExitCode, res.Outputs)
	}
}

// TestXdistWorkersForReal: a tier with workers runs under pytest-xdist
// (-n 2); the counts and the coverage are those of a serial run.
func TestXdistWorkersForReal(t *testing.T) {
	py := pytest(t)
	if out, _ := exec.Command(py, "--help").CombinedOutput(); !bytes.Contains(out, []byte("--numprocesses")) {
		t.Skip("pytest-xdist is not installed: apt-get install -y python3-pytest-xdist")
	}
	dir := suite(t)
	serial, err := runCmd(t, dir, nil, "--tier", "unit", "--", py, "-q")
	if err != nil {
		t.Fatalf("serial: %v\n%s", err, serial)
	}
	parallel, err := runCmd(t, dir, nil, "--tiers", "unit: {marker: unit, workers: 2, coverage: true}", "--", py, "-q")
	if err != nil || !strings.Contains(parallel, " -n 2 ") {
		t.Fatalf("xdist: %v\n%s", err, parallel)
	}
	want := "unit             9 tests: 8 passed, 0 failed, 0 errors, 1 skipped, 0 flaky"
	cov := regexp.MustCompile(`coverage \d+\.\d+%`)
	if !strings.Contains(parallel, want) || cov.FindString(parallel) == "" || cov.FindString(parallel) != cov.FindString(serial) {
		t.Errorf("xdist run differs from the serial one:\n--- serial\n%s\n--- xdist\n%s", serial, parallel)
	}
}
