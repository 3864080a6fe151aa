package versionaction_test

import (
	"os"
	"testing"

	versionaction "github.com/org/timetracker-ci/actions/version"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

// BenchmarkLocalRun runs the action as `timetracker-ci version --tags
// type=timetracker` does in a
// clone, on $GITREPO_BENCH_DIR (scripts/bench-version.sh builds one with
// 100,000 commits and 10,000 tags).
func BenchmarkLocalRun(b *testing.B) {
	dir := os.Getenv("GITREPO_BENCH_DIR")
	if dir == "" {
		b.Skip("set GITREPO_BENCH_DIR to a large repository (scripts/bench-version.sh builds one)")
	}
	for b.Loop() {
		res := actiontest.Run(b, versionaction.Action(), actiontest.Case{Dir: dir, Local: true, Inputs: map[string]string{"tags": "type=timetracker"}})
		if res.ExitCode != 0 {
			b.Fatalf("exit %d: %s", res.ExitCode, res.Stderr)
		}
	}
}
