package testplanaction

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

// largeSuite writes n test files, each with one unit test, spread over
// directories as a real suite would be.
func largeSuite(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		p := filepath.Join(dir, "tests", fmt.Sprintf("area_%02d", i%50), fmt.Sprintf("test_feature_%05d.py", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("import pytest\n\n@pytest.mark.unit\ndef test_it():\n    pass\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLargePlanThroughAFile: the plan of a 5,000-file suite does not fit in
// one environment variable (how a container action receives an input, so
// with: plan: <output> fails with "Argument list too long"), and it does go
// through plan-file and plan: <path>.
func TestLargePlanThroughAFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 5,000 files")
	}
	dir := largeSuite(t, 5000)
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{
		"select": "unit", "shards": "unit=8", "plan-file": ".timetracker-ci/plan.json",
	}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s %v", res.ExitCode, res.Stderr, res.Annotations)
	}
	plan := res.Outputs["plan"]
	const maxArgStrlen = 32 * 4096 // MAX_ARG_STRLEN: Linux's limit for one argument or environment string
	if len("INPUT_PLAN=")+len(plan) <= maxArgStrlen {
		t.Fatalf("the plan of 5,000 files is %d bytes: expected it above the 128 KiB one environment variable may hold", len(plan))
	}
	t.Logf("plan of 5,000 files: %d bytes (limit for one environment variable: %d)", len(plan), maxArgStrlen)
	// What the runner does with with: plan: ${{ ... }} for a container action.
	if sh, err := exec.LookPath("true"); err == nil {
		cmd := exec.Command(sh)
		cmd.Env = []string{"INPUT_PLAN=" + plan}
		err := cmd.Run()
		if !errors.Is(err, syscall.E2BIG) {
			t.Errorf("starting a process with the plan in one environment variable: %v, want %v", err, syscall.E2BIG)
		}
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, ".timetracker-ci", "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(onDisk) != plan {
		t.Errorf("plan-file holds %d bytes, the plan output %d", len(onDisk), len(plan))
	}
	for shard := 1; shard <= 8; shard++ {
		r := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{
			"plan": ".timetracker-ci/plan.json", "tier": "unit", "shard": fmt.Sprint(shard),
		}})
		if r.ExitCode != 0 {
			t.Fatalf("shard %d from the plan file: exit %d: %v", shard, r.ExitCode, r.Annotations)
		}
		if n := len(strings.Split(r.Outputs["files"], "\n")); n < 500 {
			t.Errorf("shard %d has %d files, want about 625", shard, n)
		}
	}
}

func TestPlanFileStaysInTheWorkingDirectory(t *testing.T) {
	dir := workspace(t)
	for _, in := range []map[string]string{
		{"plan-file": "../outside.json"},
		{"plan-file": "/tmp/plan.json"},
		{"plan": "../plan.json", "tier": "unit", "shard": "1"},
		{"plan": "missing/plan.json", "tier": "unit", "shard": "1"},
	} {
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: in})
		if res.ExitCode != 2 || len(res.Outputs) != 0 {
			t.Errorf("%v: exit %d, outputs %v; want exit 2 and no outputs", in, res.ExitCode, res.Outputs)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "outside.json")); err == nil {
		t.Error("a plan file was written outside the working directory")
	}
}

// TestPlanFileBelongsToTheWorkspaceOwner: the container runs as root; on a
// self-hosted runner a root-owned plan file would stop the next checkout
// from cleaning the workspace.
func TestPlanFileBelongsToTheWorkspaceOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, as a container action runs")
	}
	dir := workspace(t)
	if err := os.Chown(dir, 1001, 127); err != nil {
		t.Fatal(err)
	}
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"plan-file": ".timetracker-ci/plan.json"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %v", res.ExitCode, res.Annotations)
	}
	for _, p := range []string{".timetracker-ci", ".timetracker-ci/plan.json"} {
		st, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if s := st.Sys().(*syscall.Stat_t); s.Uid != 1001 || s.Gid != 127 {
			t.Errorf("%s belongs to %d:%d, want the workspace owner 1001:127", p, s.Uid, s.Gid)
		}
	}
}
