package testplanaction

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/tiers"
)

// Finding 2, 3 and 10: tiers, working-directory and results-dir stay inside
// the workspace.
func TestPlanPathsJailed(t *testing.T) {
	dir := workspace(t)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "tiers.yml"), []byte("secretkey:\n  marker: x\n"), 0o644)
	os.Symlink(filepath.Join(outside, "tiers.yml"), filepath.Join(dir, "linked-tiers.yml"))
	for _, tc := range []struct{ input, value string }{
		{"tiers", filepath.Join(outside, "tiers.yml")},
		{"tiers", "linked-tiers.yml"},
		{"tiers", "../" + filepath.Base(outside) + "/tiers.yml"},
		{"working-directory", ".."},
		{"results-dir", "/outside"},
		{"results-dir", "../results"},
	} {
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{tc.input: tc.value}})
		if res.ExitCode != 2 || !strings.Contains(res.Stdout, tc.input) {
			t.Errorf("%s=%q: exit %d, want 2 naming the input\n%.800s", tc.input, tc.value, res.ExitCode, res.Stdout)
		}
		if strings.Contains(res.Stdout, "secretkey") {
			t.Errorf("%s=%q: a file outside was echoed", tc.input, tc.value)
		}
	}
}

// Finding 10: a test file whose name starts with "-" reaches pytest as a
// path, never as an option.
func TestPlanDashFileIsAPath(t *testing.T) {
	dir := workspace(t)
	if err := os.WriteFile(filepath.Join(dir, "tests", "--rootdir=_test.py"), []byte("import pytest\n\n@pytest.mark.smoke\ndef test_x():\n    pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "-k_test.py"), []byte("import pytest\n\n@pytest.mark.smoke\ndef test_y():\n    pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"select": "smoke", "paths": "**/*test*.py", "shards": "smoke=1"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d %v", res.ExitCode, res.Annotations)
	}
	var p tiers.Plan
	if err := json.Unmarshal([]byte(res.Outputs["plan"]), &p); err != nil {
		t.Fatal(err)
	}
	args, err := p.Args("smoke", 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	sawDash := false
	for _, a := range args {
		if strings.Contains(a, "rootdir=_test.py") || strings.Contains(a, "-k_test.py") {
			sawDash = true
			if strings.HasPrefix(a, "-") {
				t.Errorf("test file reaches pytest as an option: %q in %q", a, args)
			}
		}
	}
	if !sawDash {
		t.Fatalf("the dash-named files are not planned: %q", args)
	}
}

// Finding 10: a test file pytest cannot address ("::" is its node-id
// separator; a line break splits the files output) fails the plan naming
// the file, instead of being counted and left out of every shard.
func TestPlanUnaddressableFileNamesRefused(t *testing.T) {
	for _, name := range []string{"tests/a::b_test.py", "tests/new\nline_test.py", "tests/cr\rx_test.py"} {
		dir := workspace(t)
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte("def test_x():\n    pass\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"paths": "tests/**/*_test.py\ntests/**/test_*.py"}})
		if res.ExitCode == 0 || !strings.Contains(res.Stdout, "rename") {
			t.Errorf("%q: exit %d, want a failure asking to rename it\n%.600s", name, res.ExitCode, res.Stdout)
		}
	}
}

// Finding 12: a malformed glob in paths is bad input (exit 2); a FIFO
// among the timings files does not hang the plan.
func TestPlanBadGlobAndFIFOTimings(t *testing.T) {
	dir := workspace(t)
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"paths": "["}})
	if res.ExitCode != 2 {
		t.Errorf("paths '[': exit %d, want 2: %v", res.ExitCode, res.Annotations)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, ".ci", "fifo.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan actiontest.Result, 1)
	go func() {
		done <- actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"timings": ".ci/*.json"}})
	}()
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a FIFO among the timings files hung the plan")
	}
	if res.ExitCode != 0 || !strings.Contains(strings.Join(res.Annotations, "\n"), "fifo.json") {
		t.Errorf("exit %d, want 0 with a warning naming the FIFO: %v", res.ExitCode, res.Annotations)
	}
}
