package localtest

import "github.com/org/timetracker-ci/pkg/action"

// Name is the subcommand.
const Name = "test"

// Command returns the test subcommand, which runs the test-plan and
// test-report actions found in acts.
func Command(acts action.Actions) *action.Command {
	return action.NewCommand(Name, "Run test tiers locally: plan, run the test command (after --, default pytest) per tier, and report, as CI does.", acts, Run)
}
