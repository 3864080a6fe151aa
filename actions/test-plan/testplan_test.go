package testplanaction

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/tiers"
)

func workspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"tests/test_smoke.py":      "import pytest\n\n@pytest.mark.smoke\ndef test_health():\n    pass\n",
		"tests/test_models.py":     "import pytest\n\n@pytest.mark.unit\ndef test_a():\n    pass\n\n@pytest.mark.unit\ndef test_b():\n    pass\n",
		"tests/api/test_routes.py": "import pytest\n\n@pytest.mark.integration\ndef test_c():\n    pass\n",
		"tests/test_security.py":   "import pytest\n\n@pytest.mark.security\ndef test_d():\n    pass\n",
		"tests/test_db.py":         "import pytest\n\n@pytest.mark.database\ndef test_e():\n    pass\n",
		"tests/test_slow.py":       "import pytest\n\n@pytest.mark.unit\ndef test_slow():\n    pass\n",
		".ci/timings.json": `{"version":1,"tiers":{"unit":{"tests/test_slow.py::test_slow":30,"tests/test_models.py::test_a":1,
			"tests/test_smoke.py":0,"tests/api/test_routes.py":0,"tests/test_security.py":0,"tests/test_db.py":0}}}`,
		"old/junit-unit-1.xml": `<testsuite><testcase classname="tests.test_models" name="test_b" time="2"/></testsuite>`,
		"tiers.yml":            "unit:\n  marker: unit and not slow\n  shards: 2\nnightly:\n  marker: slow\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPlanMatrix(t *testing.T) {
	dir := workspace(t)
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{
		"shards": "unit=3, integration=2", "timings": ".ci/timings.json\nold/*.xml",
	}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s %s %v", res.ExitCode, res.Stdout, res.Stderr, res.Annotations)
	}
	var m tiers.Matrix
	if err := json.Unmarshal([]byte(res.Outputs["matrix"]), &m); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range m.Include {
		names = append(names, e.Name)
	}
	// A tier plans only the files whose markers (read statically) may
	// select it: unit asked for 3 shards but has 2 files; integration asked
	// for 2 but has 1.
	if got := strings.Join(names, ","); got != "smoke 1/1,unit 1/2,unit 2/2,integration 1/1,security 1/1,database 1/1" {
		t.Errorf("matrix jobs = %s", got)
	}
	if res.Outputs["jobs"] != "6" || res.Outputs["args"] != "" {
		t.Errorf("jobs = %q, args = %q", res.Outputs["jobs"], res.Outputs["args"])
	}
	db := m.Include[5]
	if !db.NeedsDatabase || db.Timeout != 15 || db.Marker != "database" {
		t.Errorf("database entry = %+v", db)
	}
	var p tiers.Plan
	if err := json.Unmarshal([]byte(res.Outputs["plan"]), &p); err != nil {
		t.Fatal(err)
	}
	unit, _ := p.Tier("unit")
	// test_slow.py (30s from the timings file) is alone on its shard;
	// test_models.py has 1s (timings file) + 2s (the JUnit file) = 3s; the
	// files that ran no unit test last time (recorded with 0s) and whose
	// markers exclude unit are left out.
	got := []string{}
	for _, j := range unit.Jobs {
		got = append(got, fmt.Sprintf("%v=%v", j.Tests, j.PredictedSeconds))
	}
	if w := "[tests/test_slow.py]=30 [tests/test_models.py]=3"; strings.Join(got, " ") != w {
		t.Errorf("unit shards = %s\nwant           %s", strings.Join(got, " "), w)
	}
	if !strings.Contains(res.Summary, "| unit | `unit` | 2 | 2 | 2 | 10 min | no | yes |") {
		t.Errorf("summary:\n%s", res.Summary)
	}

	// A matrix job: the same plan, passed on, gives its arguments.
	job := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Env: map[string]string{"GITHUB_RUN_ATTEMPT": "2"}, Inputs: map[string]string{
		"plan": res.Outputs["plan"], "tier": "unit", "shard": "1",
	}})
	if job.ExitCode != 0 {
		t.Fatalf("job exit %d: %v", job.ExitCode, job.Annotations)
	}
	want := "-m unit --junitxml=test-results/junit-unit-1-a2.xml --cov --cov-report=xml:test-results/coverage-unit-1-a2.xml tests/test_slow.py"
	if job.Outputs["args"] != want {
		t.Errorf("args = %s\nwant   %s", job.Outputs["args"], want)
	}
	if job.Outputs["files"] != "tests/test_slow.py" || job.Outputs["predicted-seconds"] != "30" ||
		job.Outputs["junit-file"] != "test-results/junit-unit-1-a2.xml" || job.Outputs["coverage-file"] != "test-results/coverage-unit-1-a2.xml" {
		t.Errorf("outputs = %v", job.Outputs)
	}
}

func TestPlanCustomTiers(t *testing.T) {
	dir := workspace(t)
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{
		"tiers": "tiers.yml", "tier": "nightly", "shard": "1", "paths": "tests/test_slow.py",
	}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %v", res.ExitCode, res.Annotations)
	}
	if got := res.Outputs["args"]; got != "-m slow --junitxml=test-results/junit-nightly-1.xml tests/test_slow.py" {
		t.Errorf("args = %s", got)
	}
}

// One shards value serves jobs that select different tiers (the reusable CI
// workflow passes the same shards to its smoke and its unit plan).
func TestShardsForTiersNotSelected(t *testing.T) {
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: workspace(t), Inputs: map[string]string{"select": "smoke", "shards": "unit=2"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %v", res.ExitCode, res.Annotations)
	}
	var m tiers.Matrix
	if err := json.Unmarshal([]byte(res.Outputs["matrix"]), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Include) != 1 || m.Include[0].Name != "smoke 1/1" {
		t.Errorf("matrix %+v, want only smoke 1/1", m.Include)
	}
}

func TestPlanBadInputs(t *testing.T) {
	dir := workspace(t)
	for _, tc := range []struct {
		name   string
		inputs map[string]string
		code   int
		msg    string
	}{
		{"tier without shard", map[string]string{"tier": "unit"}, 2, "give tier and shard together"},
		{"unknown tier", map[string]string{"tier": "e2e", "shard": "1"}, 2, `tier "e2e" is not in the plan`},
		{"shard out of range", map[string]string{"tier": "unit", "shard": "4"}, 2, "tier unit has shards 1..1, not 4"},
		{"bad shards", map[string]string{"shards": "unit=lots"}, 2, "give a number of shards"},
		{"bad select", map[string]string{"select": "e2e"}, 2, `tier "e2e" is not defined`},
		{"shards for an undefined tier", map[string]string{"shards": "e2e=2"}, 2, `"e2e=2" names no defined tier`},
		{"bad tiers yaml", map[string]string{"tiers": "unit:\n  marke: x\n"}, 2, `unknown setting "marke"`},
		{"bad granularity", map[string]string{"granularity": "line"}, 2, "use auto, file or test"},
		{"bad plan", map[string]string{"plan": "{}"}, 2, "not a plan from this version"},
		{"no test files", map[string]string{"paths": "spec/**/*.py"}, 1, "no test files found matching spec/**/*.py"},
		{"no workdir", map[string]string{"working-directory": "nowhere"}, 2, "nowhere: does not exist in the workspace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: tc.inputs})
			if res.ExitCode != tc.code || !strings.Contains(strings.Join(res.Annotations, "\n"), tc.msg) {
				t.Errorf("exit %d, annotations %v; want exit %d with %q", res.ExitCode, res.Annotations, tc.code, tc.msg)
			}
			if tc.code == 2 && len(res.Outputs) != 0 {
				t.Errorf("bad input wrote outputs: %v", res.Outputs)
			}
		})
	}
}

func TestBrokenTimingsOnlyWarn(t *testing.T) {
	dir := workspace(t)
	if err := os.WriteFile(filepath.Join(dir, "old/junit-unit-2.xml"), []byte("<testsuite><testcase"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".ci/bad.json"), []byte("[1]"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"timings": "old/*.xml\n.ci/*.json"}})
	all := strings.Join(res.Annotations, "\n")
	if res.ExitCode != 0 || !strings.Contains(all, "::warning title=Timings::timings from") || !strings.Contains(all, "timings file .ci/bad.json ignored") {
		t.Errorf("exit %d, annotations:\n%s", res.ExitCode, all)
	}
}

// A symlinked test folder leading outside the workspace is not searched
// and is reported as a warning naming it; one leading inside is planned.
func TestSymlinkedTestFolders(t *testing.T) {
	dir, outside := workspace(t), t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "test_out.py"), []byte("def test_out():\n    pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "shared"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shared", "test_shared.py"), []byte("import pytest\n\n@pytest.mark.unit\ndef test_s():\n    pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for at, to := range map[string]string{"tests/shared": "../shared", "tests/vendor": outside} {
		if err := os.Symlink(to, filepath.Join(dir, filepath.FromSlash(at))); err != nil {
			t.Fatal(err)
		}
	}
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"select": "unit"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s %v", res.ExitCode, res.Stderr, res.Annotations)
	}
	if !strings.Contains(res.Outputs["plan"], `"tests/shared/test_shared.py"`) {
		t.Errorf("the plan leaves out the test in the symlinked folder inside the workspace: %s", res.Outputs["plan"])
	}
	var warned []string
	for _, a := range res.Annotations {
		if strings.HasPrefix(a, "::warning") && strings.Contains(a, "Test folder not searched") {
			warned = append(warned, a)
		}
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "file=tests/vendor") || !strings.Contains(warned[0], "tests/vendor is a symlinked folder that leads outside the workspace") || !strings.Contains(warned[0], "move the tests inside the workspace") {
		t.Errorf("warnings %v, want one naming tests/vendor, its reason and the fix", warned)
	}
	if strings.Contains(res.Outputs["plan"], "test_out") {
		t.Error("a test file outside the workspace is in the plan")
	}
}
