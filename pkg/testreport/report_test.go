package testreport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/org/timetracker-ci/internal/golden"
	"github.com/org/timetracker-ci/pkg/junit"
	"github.com/org/timetracker-ci/pkg/tiers"
)

// goldenFile compares got with testdata/name (go test -update rewrites it).
func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

func loadPlan(t *testing.T) *tiers.Plan {
	t.Helper()
	data, err := os.ReadFile("testdata/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	var p tiers.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func wsFiles(t *testing.T) []string {
	t.Helper()
	files, err := tiers.Glob(context.Background(), "testdata/ws", []string{"test-results/*.xml"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range files {
		files[i] = filepath.Join("testdata/ws", files[i])
	}
	return files
}

func TestBuildMergesShardsTiersAttempts(t *testing.T) {
	r, err := Build(context.Background(), wsFiles(t), Options{Root: "testdata/ws", Plan: loadPlan(t), MinTests: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{Total: 7, Passed: 5, Failed: 1, Skipped: 1, Flaky: 2}
	got := r.Counts
	got.Seconds = 0
	if got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	var tiersSeen []string
	for _, tr := range r.Tiers {
		tiersSeen = append(tiersSeen, fmt.Sprintf("%s:%d/%d/%d", tr.Name, tr.Counts.Total, tr.Counts.Failed, tr.Counts.Flaky))
	}
	if w := []string{"smoke:2/0/1", "unit:4/1/1", ":1/0/0"}; !reflect.DeepEqual(tiersSeen, w) {
		t.Errorf("tiers = %v, want %v", tiersSeen, w)
	}
	if len(r.Failures) != 1 {
		t.Fatalf("failures = %+v", r.Failures)
	}
	f := r.Failures[0]
	if f.ID != "tests/test_models.py::TestProject::test_rename" || f.File != "tests/test_models.py" || f.Line != 12 || f.Attempts != 2 || f.Tier != "unit" {
		t.Errorf("failure = %+v", f)
	}
	var flaky []string
	for _, ft := range r.FlakyTests {
		flaky = append(flaky, ft.Tier+" "+ft.ID)
	}
	if w := []string{"smoke tests/test_models.py::test_retry", "unit tests/test_models.py::TestProject::test_flaky"}; !reflect.DeepEqual(flaky, w) {
		t.Errorf("flaky = %q, want %q", flaky, w)
	}
	if len(r.FileErrors) != 1 || r.FileErrors[0].File != "testdata/ws/test-results/junit-smoke-2.xml" || r.FileErrors[0].Line == 0 {
		t.Errorf("file errors = %+v", r.FileErrors)
	}
	var shards []string
	for _, s := range r.Shards {
		shards = append(shards, fmt.Sprintf("%s/%d planned=%v reported=%v attempts=%v actual=%.2f tests=%d", s.Tier, s.Shard, s.Planned, s.Reported, s.Attempts, s.ActualSeconds, s.Tests))
	}
	wantShards := []string{
		"smoke/1 planned=true reported=true attempts=[1] actual=0.03 tests=2",
		"smoke/2 planned=true reported=false attempts=[] actual=0.00 tests=0",
		"unit/1 planned=true reported=true attempts=[1 2] actual=0.40 tests=2",
		"unit/2 planned=true reported=false attempts=[] actual=0.00 tests=0",
	}
	if !reflect.DeepEqual(shards, wantShards) {
		t.Errorf("shards:\n%s\nwant:\n%s", strings.Join(shards, "\n"), strings.Join(wantShards, "\n"))
	}
	if r.Conclusion != "failure" || len(r.Problems) != 3 {
		t.Errorf("conclusion %s, problems %q", r.Conclusion, r.Problems)
	}
	for _, sub := range []string{"junit-smoke-2.xml:", "shard smoke 2 did not report", "shard unit 2 did not report"} {
		if !strings.Contains(strings.Join(r.Problems, "\n"), sub) {
			t.Errorf("problems lack %q: %q", sub, r.Problems)
		}
	}
	tm := r.Timings()
	if got := tm.For("unit")["tests/test_models.py::TestProject::test_flaky"]; got != 0.1 {
		t.Errorf("timing of the flaky test = %v, want the latest attempt's 0.1", got)
	}
	if got, ok := tm.For("smoke")["tests/test_other.py"]; ok {
		t.Errorf("a file of a shard that did not report has timing %v", got)
	}
	if _, ok := tm.For("unit")["tests/test_models.py::test_skipped_one"]; ok {
		t.Error("a skipped test has a timing")
	}
	for d, name := range []string{"summary-all.md", "summary-failures.md", "summary-counts.md"} {
		goldenFile(t, name, []byte(r.Markdown(Detail(d))))
	}
	var anns []string
	for _, a := range r.Annotations() {
		anns = append(anns, fmt.Sprintf("%d %d %s:%d %s", a.Level, a.Rank, a.File, a.Line, a.Title))
	}
	wantAnns := []string{
		"2 40 testdata/ws/test-results/junit-smoke-2.xml:4 Unreadable test results",
		"2 30 tests/test_models.py:12 unit failed: tests/test_models.py::TestProject::test_rename",
		"1 10 tests/test_models.py:0 smoke flaky: tests/test_models.py::test_retry",
		"1 10 tests/test_models.py:16 unit flaky: tests/test_models.py::TestProject::test_flaky",
	}
	if !reflect.DeepEqual(anns, wantAnns) {
		t.Errorf("annotations:\n%s\nwant:\n%s", strings.Join(anns, "\n"), strings.Join(wantAnns, "\n"))
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerdicts(t *testing.T) {
	dir := t.TempDir()
	passing := writeFile(t, dir, "junit-unit-1.xml", `<testsuite><testcase classname="c" name="a" time="1"/></testsuite>`)
	skipped := writeFile(t, dir, "junit-database-1.xml", `<testsuite><testcase classname="c" name="a"><skipped/></testcase></testsuite>`)
	empty := writeFile(t, dir, "junit-smoke-1.xml", `<testsuite tests="0"/>`)
	flaky1 := writeFile(t, dir, "junit-int-1.xml", `<testsuite><testcase classname="c" name="a"><failure/></testcase></testsuite>`)
	flaky2 := writeFile(t, dir, "junit-int-1-a2.xml", `<testsuite><testcase classname="c" name="a"/></testsuite>`)
	notJUnit := writeFile(t, dir, "nunit.xml", `<test-run><test-case/></test-run>`)
	gojson := writeFile(t, dir, "go.json", `{"Action":"run","Test":"TestA"}`)
	ctx := context.Background()
	tests := []struct {
		name     string
		files    []string
		o        Options
		ok       bool
		problems []string
	}{
		{"pass", []string{passing}, Options{MinTests: 1}, true, nil},
		{"no files", nil, Options{MinTests: 1}, false, []string{"no test results were found"}},
		{"all skipped is no tests ran", []string{passing, skipped}, Options{MinTests: 1}, false, []string{"tier database: 0 tests ran (1 skipped), fewer than min-tests 1"}},
		{"empty report", []string{empty}, Options{MinTests: 1}, false, []string{"tier smoke: 0 tests ran (0 skipped)"}},
		{"min-tests 0 allows empty", []string{empty}, Options{}, true, nil},
		{"flaky passes", []string{flaky1, flaky2}, Options{MinTests: 1}, true, nil},
		{"fail-on-flaky", []string{flaky2, flaky1}, Options{MinTests: 1, FailOnFlaky: true}, false, []string{"1 flaky tests and fail-on-flaky is set"}},
		{"not junit", []string{passing, notJUnit}, Options{MinTests: 1}, false, []string{"nunit.xml could not be read", "not a JUnit XML report"}},
		{"go test json without a reader", []string{gojson}, Options{}, false, []string{"is not XML and no go test -json reader"}},
		{"threshold without coverage", []string{passing}, Options{CoverageThreshold: 80}, false, []string{"a coverage threshold is set but no coverage report was found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Build(ctx, tt.files, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if r.Passed() != tt.ok {
				t.Errorf("passed = %v, want %v (problems %q, counts %+v)", r.Passed(), tt.ok, r.Problems, r.Counts)
			}
			all := strings.Join(r.Problems, "\n")
			for _, p := range tt.problems {
				if !strings.Contains(all, p) {
					t.Errorf("problems %q lack %q", r.Problems, p)
				}
			}
		})
	}
}

func TestGoTestJSONReader(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "go.json", "\n {\"Action\":\"pass\"}\n")
	called := false
	r, err := Build(context.Background(), []string{p}, Options{MinTests: 1, GoTestJSON: func(ctx context.Context, rd io.Reader, fn func(junit.Case) error) (junit.Stats, error) {
		called = true
		return junit.Stats{}, fn(junit.Case{Classname: "example.com/pkg", Name: "TestA", Status: junit.StatusPassed, Time: 0.5})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !called || r.Counts.Passed != 1 || len(r.Slowest) != 1 || r.Slowest[0].ID != "example.com/pkg::TestA" {
		t.Errorf("go test -json: called=%v counts=%+v slowest=%+v", called, r.Counts, r.Slowest)
	}
}

type fakeCoverage struct {
	pct   float64
	lines map[string]map[int]int
}

func (f fakeCoverage) Percent() float64 { return f.pct }
func (f fakeCoverage) Line(file string, line int) (int, bool) {
	h, ok := f.lines[file][line]
	return h, ok
}

func TestCoverageGates(t *testing.T) {
	dir := t.TempDir()
	passing := writeFile(t, dir, "junit-unit-1.xml", `<testsuite><testcase classname="c" name="a" time="1"/></testsuite>`)
	// pytest --cov=app reports app/models.py as models.py.
	cov := fakeCoverage{pct: 82.5, lines: map[string]map[int]int{"models.py": {1: 3, 2: 0, 3: 1, 4: 0}}}
	changed := map[string][]int{"app/models.py": {2, 3, 4, 9}, "README.md": {1}}
	ctx := context.Background()
	r, err := Build(ctx, []string{passing}, Options{MinTests: 1, Coverage: cov, CoverageThreshold: 80, ChangedLines: changed, DiffCoverageThreshold: 30})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Passed() || *r.Coverage != 82.5 || r.DiffLines != 3 || r.DiffCovered != 1 {
		t.Fatalf("report: passed=%v cov=%v diff %d/%d problems %q", r.Passed(), *r.Coverage, r.DiffCovered, r.DiffLines, r.Problems)
	}
	if !reflect.DeepEqual(r.DiffMissed, []FileLines{{"app/models.py", []int{2, 4}}}) {
		t.Errorf("missed = %+v", r.DiffMissed)
	}
	r, _ = Build(ctx, []string{passing}, Options{MinTests: 1, Coverage: cov, CoverageThreshold: 90, ChangedLines: changed, DiffCoverageThreshold: 40})
	if r.Passed() || !strings.Contains(strings.Join(r.Problems, "\n"), "coverage 82.50% is below coverage-threshold 90.00%") ||
		!strings.Contains(strings.Join(r.Problems, "\n"), "diff coverage 33.33% (1 of 3 changed coverable lines) is below diff-coverage-threshold 40.00%") {
		t.Errorf("problems = %q", r.Problems)
	}
	// No coverable changed line: 100%.
	d := DiffCoverage(cov, map[string][]int{"docs/x.md": {1, 2}}, "")
	if d.Percent != 100 || d.Lines != 0 {
		t.Errorf("no coverable lines: %+v", d)
	}
}

func TestTimingsRecordFilesThatRanNothing(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tests"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "tests/test_a.py", "def test_x():\n    pass\n")
	writeFile(t, dir, "tests/test_b.py", "def test_y():\n    pass\n")
	f := writeFile(t, dir, "junit-unit-1.xml", `<testsuite><testcase classname="tests.test_a" name="test_x" time="1.5"/></testsuite>`)
	plan := &tiers.Plan{Version: 1, Tiers: []tiers.TierPlan{{Tier: tiers.Tier{Name: "unit"}, Jobs: []tiers.ShardPlan{{Shard: 1, Tests: []string{"tests/test_a.py", "tests/test_b.py"}}}}}}
	r, err := Build(context.Background(), []string{f}, Options{Root: dir, Plan: plan, MinTests: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Timings().For("unit")
	want := map[string]float64{"tests/test_a.py::test_x": 1.5, "tests/test_b.py": 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("timings = %v, want %v", got, want)
	}
}

func TestSummaryLinksLocations(t *testing.T) {
	r, err := Build(context.Background(), wsFiles(t), Options{Root: "testdata/ws", SourceURL: "https://github.com/o/r/blob/s/"})
	if err != nil {
		t.Fatal(err)
	}
	want := "| unit | `tests/test_models.py::TestProject::test_rename` | [tests/test_models.py:12](https://github.com/o/r/blob/s/tests/test_models.py#L12) |"
	if s := r.Markdown(DetailFailuresOnly); !strings.Contains(s, want) {
		t.Errorf("failures-only summary lacks %q:\n%s", want, s)
	}
}

func TestClip(t *testing.T) {
	long := "Traceback start\n" + strings.Repeat("é frame\n", 5000) + "tests/test_a.py:42: AssertionError"
	got := clip(long, 1000)
	if len(got) > 1100 || !strings.HasPrefix(got, "Traceback start") || !strings.HasSuffix(got, "tests/test_a.py:42: AssertionError") || !utf8.ValidString(got) {
		t.Errorf("clip kept %d bytes: %q…%q", len(got), got[:40], got[len(got)-40:])
	}
	if clip("short", 10) != "short" {
		t.Error("a short text was changed")
	}
}

// TestDuplicateIDsAcrossAttempts: a test id counts once however often it
// ran; within one attempt the worse result stands, across attempts the
// latest decides and an earlier failure makes a pass flaky.
func TestDuplicateIDsAcrossAttempts(t *testing.T) {
	dir := t.TempDir()
	a1 := writeFile(t, dir, "junit-unit-1.xml", `<testsuite><testcase classname="c" name="x"/><testcase classname="c" name="y"><failure/></testcase><testcase classname="c" name="x"><failure/></testcase></testsuite>`)
	a2 := writeFile(t, dir, "junit-unit-1-a2.xml", `<testsuite><testcase classname="c" name="x"/><testcase classname="c" name="y"/><testcase classname="c" name="x"/></testsuite>`)
	r, err := Build(context.Background(), []string{a2, a1}, Options{MinTests: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Counts
	got.Seconds = 0
	// Attempt 1: x passed, y failed, x again failed (x: failed); attempt 2
	// passes x twice and y: both are flaky.
	if want := (Counts{Total: 2, Passed: 2, Flaky: 2}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
}
