package testreportaction

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	report "github.com/org/timetracker-ci/pkg/testreport"
)

// Finding 6 and 12: a threshold that is not a plain finite decimal, or an
// explicitly empty min-tests/coverage-threshold, is bad input (exit 2),
// never a gate switched off.
func TestNumericInputsCannotSwitchGatesOff(t *testing.T) {
	dir := workspace(t)
	for _, in := range []map[string]string{
		{"coverage-threshold": "NaN"}, {"coverage-threshold": "nan"}, {"coverage-threshold": "Inf"},
		{"coverage-threshold": "0x1p6"}, {"diff-coverage-threshold": "NaN"}, {"coverage-threshold": "1e2"},
		{"coverage-threshold": ""}, {"min-tests": ""},
	} {
		in["plan"] = plan
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: in})
		if res.ExitCode != 2 || res.Outputs["conclusion"] != "" {
			t.Errorf("%v: exit %d conclusion %q, want exit 2 and no outputs", in, res.ExitCode, res.Outputs["conclusion"])
		}
	}
}

// Finding 8: with thousands of result files the json output stays within
// GitHub's 1 MB per job (counted in UTF-16, so half that in ASCII).
func TestJSONOutputBounded(t *testing.T) {
	dir := workspace(t)
	files := map[string]string{}
	long := strings.Repeat("n", 180)
	for i := range 3000 {
		files[fmt.Sprintf("test-results/junit-%s-%d.xml", long, i)] = "<testsuite><testcase"
	}
	write(t, dir, files)
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{"plan": plan}})
	total := 0
	for _, v := range res.Outputs {
		total += len(v)
	}
	if n := len(res.Outputs["json"]); n == 0 || n > report.MaxBriefBytes*2 || total*2 > 1<<20 {
		t.Fatalf("json output %d bytes, all outputs %d bytes (exit %d %v)", n, total, res.ExitCode, res.Annotations)
	}
	if !json.Valid([]byte(res.Outputs["json"])) {
		t.Fatal("json output is not valid JSON")
	}
}

// Finding 3 and 5: a FIFO named like a result file does not hang the
// report; a symlinked timings file is not written through; working-directory
// and timings-file stay inside the workspace.
func TestReportFilesJailed(t *testing.T) {
	dir := workspace(t)
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.json")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "test-results", "junit-fifo-1.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "test-results", "timings.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc/self/environ", filepath.Join(dir, "test-results", "junit-env-1.xml")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		inputs map[string]string
		exit   int
	}{
		{map[string]string{"timings-file": "test-results/timings.json"}, 2},
		{map[string]string{"timings-file": "../x.json"}, 2},
		{map[string]string{"timings-file": filepath.Join(outside, "y.json")}, 2},
		{map[string]string{"working-directory": "../"}, 2},
		{map[string]string{"timings": "test-results/junit-fifo-1.xml"}, 2},
	} {
		done := make(chan actiontest.Result, 1)
		go func() { done <- actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: tc.inputs}) }()
		var res actiontest.Result
		select {
		case res = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%v: the action hung", tc.inputs)
		}
		if res.ExitCode != tc.exit {
			t.Errorf("%v: exit %d, want %d\n%.1500s", tc.inputs, res.ExitCode, tc.exit, res.Stdout)
		}
		if strings.Contains(res.Stdout+res.Summary+res.Outputs["json"], "PATH=") {
			t.Errorf("%v: the environment reached the report", tc.inputs)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Error("wrote through the symlinked timings file")
	}
	if es, _ := os.ReadDir(outside); len(es) != 1 {
		t.Errorf("wrote outside: %v", es)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "x.json")); err == nil {
		t.Error("wrote ../x.json")
	}
}
