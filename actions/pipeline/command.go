package pipeline

import "github.com/org/timetracker-ci/pkg/action"

// Name is the subcommand.
const Name = "pipeline"

// Command returns the pipeline subcommand, which runs the actions of
// acts by name: version, test-plan, test-report, image, manifest, release.
func Command(acts action.Actions) *action.Command {
	return action.NewCommand(Name, "run the whole pipeline locally: version, test tiers, image, manifests, release (dry run)", acts, Run)
}
