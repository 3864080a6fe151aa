package b

import "github.com/org/timetracker-ci/pkg/action"

func run(v string) error {
	if v == "" {
		return action.InputErrorf("bump", "bump must be conventional, patch, minor, major or none, not %q", v)
	}
	return action.UsageErrorf("catalog takes no arguments")
}
