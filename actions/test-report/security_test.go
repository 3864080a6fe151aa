package testreportaction

import (
	"testing"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
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
