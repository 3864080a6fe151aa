package testreportaction

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

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
