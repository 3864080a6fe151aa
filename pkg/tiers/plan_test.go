package tiers

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
	"github.com/org/timetracker-ci/pkg/shard"
)

// goldenFile compares got with testdata/name (go test -update rewrites it).
func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func treeTimings() *shard.Timings {
	tm := shard.NewTimings()
	for id, s := range map[string]float64{
		"tests/test_models.py::test_user_create":          1,
		"tests/test_models.py::test_user_create_admin":    2,
		"tests/test_models.py::TestProject::test_rename":  3,
		"tests/test_models.py::TestProject::test_rate[1]": 4,
		"tests/test_models.py::TestProject::test_rate[2]": 4,
		"tests/test_models.py::TestProject::test_rate[3]": 4,
		"tests/test_models.py::test_slow_report":          30,
		"tests/test_models.py::test_gone":                 50, // removed from the source since
		"tests/test_routes.py::test_health":               0.5,
		"tests/deleted_file.py::test_x":                   100,
	} {
		tm.Set("unit", id, s)
	}
	return tm
}

func TestMakeGolden(t *testing.T) {
	ctx := context.Background()
	ts := Defaults()[:2] // smoke, unit
	ts[1].Shards = 3
	for _, tc := range []struct {
		golden  string
		timings *shard.Timings
		gran    Granularity
	}{
		{"plan-no-timings.json", nil, GranularityAuto},
		{"plan-auto.json", treeTimings(), GranularityAuto},
		{"plan-file.json", treeTimings(), GranularityFile},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			p, err := Make(ctx, ts, Options{Root: "testdata/tree", Timings: tc.timings, Granularity: tc.gran})
			if err != nil {
				t.Fatal(err)
			}
			goldenFile(t, tc.golden, mustJSON(t, p))
			checkCoverage(t, p)
		})
	}
}

// checkCoverage: every file of a tier runs exactly once, whole or split.
func checkCoverage(t *testing.T, p *Plan) {
	t.Helper()
	for _, tp := range p.Tiers {
		whole := map[string]int{}
		nodes := map[string]int{}
		deselected := map[string]int{}
		for _, j := range tp.Jobs {
			for _, id := range j.Tests {
				if strings.Contains(id, "::") {
					nodes[id]++
				} else {
					whole[id]++
				}
			}
			for _, d := range j.Deselect {
				deselected[d]++
			}
		}
		if len(whole) != tp.Files {
			t.Errorf("tier %s: %d files run whole, want all %d", tp.Name, len(whole), tp.Files)
		}
		for f, n := range whole {
			if n != 1 {
				t.Errorf("tier %s: %s runs whole on %d shards", tp.Name, f, n)
			}
		}
		for id, n := range nodes {
			if n != 1 || deselected[id] != 1 {
				t.Errorf("tier %s: %s runs on %d shards and is deselected on %d, want 1 and 1", tp.Name, id, n, deselected[id])
			}
		}
		if len(deselected) != len(nodes) {
			t.Errorf("tier %s: %d deselected, %d split out", tp.Name, len(deselected), len(nodes))
		}
	}
}

func TestPlanSplitsHeavyFileSafely(t *testing.T) {
	ts := []Tier{{Name: "unit", Marker: "unit", Timeout: 10, Shards: 3}}
	p, err := Make(context.Background(), ts, Options{Root: "testdata/tree", Timings: treeTimings()})
	if err != nil {
		t.Fatal(err)
	}
	var split []string
	for _, j := range p.Tiers[0].Jobs {
		split = append(split, j.Deselect...)
	}
	// test_user_create is a prefix of test_user_create_admin, and test_gone
	// is no longer in the source: neither may be split out.
	want := []string{"tests/test_models.py::TestProject::test_rate", "tests/test_models.py::TestProject::test_rename",
		"tests/test_models.py::test_slow_report", "tests/test_models.py::test_user_create_admin"}
	if !reflect.DeepEqual(split, want) {
		t.Errorf("split out %q, want %q", split, want)
	}
}

func TestPlanFewerFilesThanShards(t *testing.T) {
	// No marker: every file may hold a test of the tier.
	ts := []Tier{{Name: "all", Marker: "", Timeout: 5, Shards: 8}}
	p, err := Make(context.Background(), ts, Options{Root: "testdata/tree"})
	if err != nil {
		t.Fatal(err)
	}
	if tp := p.Tiers[0]; tp.Shards != 3 || len(tp.Jobs) != 3 || tp.Requested != 8 {
		t.Errorf("shards = %d, jobs = %d, requested %d; want 3 jobs for 3 files", tp.Shards, len(tp.Jobs), tp.Requested)
	}
}

func TestPlanNoFiles(t *testing.T) {
	_, err := Make(context.Background(), Defaults(), Options{Root: "testdata/tree", Paths: []string{"spec/**/*_spec.py"}})
	if err == nil || !strings.Contains(err.Error(), "tier smoke: no test files found matching spec/**/*_spec.py") {
		t.Fatalf("error = %v", err)
	}
}

func TestMatrixAndArgs(t *testing.T) {
	ts := Defaults()
	ts[1].Shards = 2
	ts[1].Marker = "unit and not slow"
	ts[1].Workers = "auto"
	p, err := Make(context.Background(), ts, Options{Root: "testdata/tree", Timings: treeTimings(), ResultsDir: "out/"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Matrix()
	if err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "matrix.json", mustJSON(t, m))
	args, err := p.Args("unit", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	got := ShellQuote(args)
	goldenFile(t, "args-unit-1.txt", []byte(got+"\n"))
	if !strings.HasPrefix(got, "-m 'unit and not slow' --junitxml=out/junit-unit-1-a2.xml --cov --cov-report=xml:out/coverage-unit-1-a2.xml -n auto") {
		t.Errorf("args = %s", got)
	}
	if _, err := p.Args("unit", 3, 1); err == nil || !strings.Contains(err.Error(), "tier unit has shards 1..2, not 3") {
		t.Errorf("shard out of range: %v", err)
	}
	if _, err := p.Args("e2e", 1, 1); err == nil || !strings.Contains(err.Error(), `tier "e2e" is not in the plan`) {
		t.Errorf("unknown tier: %v", err)
	}
	// Too many jobs for one matrix.
	big := &Plan{}
	for i := 0; i < 2; i++ {
		tp := TierPlan{Tier: Tier{Name: "t"}}
		tp.Jobs = make([]ShardPlan, 200)
		big.Tiers = append(big.Tiers, tp)
	}
	if _, err := big.Matrix(); err == nil || !strings.Contains(err.Error(), "400 jobs but GitHub runs at most 256") {
		t.Errorf("matrix limit: %v", err)
	}
}

func TestResultNames(t *testing.T) {
	for _, tc := range []struct {
		kind, tier     string
		shard, attempt int
		name           string
	}{
		{"junit", "unit", 1, 1, "junit-unit-1.xml"},
		{"coverage", "db_pg", 12, 3, "coverage-db_pg-12-a3.xml"},
	} {
		name := ResultName(tc.kind, tc.tier, tc.shard, tc.attempt)
		if name != tc.name {
			t.Errorf("ResultName = %s, want %s", name, tc.name)
		}
		k, tier, s, a, ok := ResultOf("some/dir/" + name)
		if !ok || k != tc.kind || tier != tc.tier || s != tc.shard || a != tc.attempt {
			t.Errorf("ResultOf(%s) = %s %s %d %d %v", name, k, tier, s, a, ok)
		}
	}
	if _, _, _, _, ok := ResultOf("report.xml"); ok {
		t.Error("an unrelated name was read as a result name")
	}
}

func TestShellQuote(t *testing.T) {
	got := ShellQuote([]string{"-m", "unit and not slow", "it's", "", "tests/a.py::T::t[1-2]", "--junitxml=x.xml"})
	want := `-m 'unit and not slow' 'it'\''s' '' 'tests/a.py::T::t[1-2]' --junitxml=x.xml`
	if got != want {
		t.Errorf("ShellQuote = %s, want %s", got, want)
	}
}

func TestTierPathsAndAbsoluteGlobs(t *testing.T) {
	abs, err := filepath.Abs("testdata/tree")
	if err != nil {
		t.Fatal(err)
	}
	ts := []Tier{
		{Name: "api", Marker: "", Timeout: 5, Shards: 1, Paths: []string{filepath.Join(abs, "tests/api") + "/**/test_*.py"}},
		{Name: "rest", Marker: "not api", Timeout: 5, Shards: 2, Paths: []string{"tests/**/test_*.py", "!tests/api/**"}},
	}
	p, err := Make(context.Background(), ts, Options{Root: abs})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Tiers[0].Jobs[0].Tests; !reflect.DeepEqual(got, []string{"tests/api/test_timer.py"}) {
		t.Errorf("api tier runs %q", got)
	}
	var rest []string
	for _, j := range p.Tiers[1].Jobs {
		rest = append(rest, j.Tests...)
	}
	if !reflect.DeepEqual(rest, []string{"tests/test_models.py", "tests/test_routes.py"}) {
		t.Errorf("rest tier runs %q", rest)
	}
	args, err := p.Args("api", 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := ShellQuote(args); got != "--junitxml=test-results/junit-api-1.xml tests/api/test_timer.py" {
		t.Errorf("an empty marker selects everything: no -m, got %s", got)
	}
	outside := []Tier{{Name: "x", Timeout: 5, Shards: 1, Paths: []string{filepath.Join(abs, "tests/test_models.py")}}}
	if _, err := Make(context.Background(), outside, Options{Root: "testdata/tree/tests/api"}); err == nil || !strings.Contains(err.Error(), "is outside the workspace") {
		t.Errorf("an absolute glob outside the root: %v", err)
	}
}
