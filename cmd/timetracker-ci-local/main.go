// Command timetracker-ci-local is the development binary: every action of
// timetracker-ci plus the commands that only make sense on a developer's
// machine or in this repository's tests: pipeline (the whole CI/CD
// pipeline, locally), test (plan, run and report one tier) and fake-github
// (the GitHub API fake, for scripts). They live here, not in the shipped
// binary, so the image carries neither them nor what they link (an
// in-process registry, the GitHub fake) and the actions start faster.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/org/timetracker-ci/actions"
	"github.com/org/timetracker-ci/actions/fakegithub"
	"github.com/org/timetracker-ci/actions/localtest"
	"github.com/org/timetracker-ci/actions/pipeline"
	"github.com/org/timetracker-ci/pkg/action"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// program is the local binary: the actions and the local commands, which
// find the actions they compose by name.
func program() *action.Program {
	acts := action.Actions(actions.All())
	return &action.Program{
		Name:     "timetracker-ci-local",
		Version:  version,
		Actions:  acts,
		Commands: []*action.Command{fakegithub.Command(), localtest.Command(acts), pipeline.Command(acts)},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := program().Main(ctx, action.OSEnv(), os.Args[1:])
	stop()
	os.Exit(code)
}
