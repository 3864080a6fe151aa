// Package actions is the registry of every action and local command of the
// timetracker-ci binary. Each action lives in actions/<name>/ beside the
// action.yml it embeds.
package actions

import (
	attestaction "github.com/org/timetracker-ci/actions/attest"
	deploymentaction "github.com/org/timetracker-ci/actions/deployment"
	doctoraction "github.com/org/timetracker-ci/actions/doctor"
	"github.com/org/timetracker-ci/actions/fakegithub"
	imageaction "github.com/org/timetracker-ci/actions/image"
	initcmd "github.com/org/timetracker-ci/actions/initrepo"
	"github.com/org/timetracker-ci/actions/localtest"
	manifestaction "github.com/org/timetracker-ci/actions/manifest"
	metricsaction "github.com/org/timetracker-ci/actions/metrics"
	"github.com/org/timetracker-ci/actions/pipeline"
	releaseaction "github.com/org/timetracker-ci/actions/release"
	rollbackaction "github.com/org/timetracker-ci/actions/rollback"
	scanaction "github.com/org/timetracker-ci/actions/scan"
	testplanaction "github.com/org/timetracker-ci/actions/test-plan"
	testreportaction "github.com/org/timetracker-ci/actions/test-report"
	verifyaction "github.com/org/timetracker-ci/actions/verify"
	versionaction "github.com/org/timetracker-ci/actions/version"
	"github.com/org/timetracker-ci/pkg/action"
)

// All returns every action, one per actions/<name>/action.yml.
func All() []*action.Action {
	return []*action.Action{
		deploymentaction.Action(),
		doctoraction.Action(),
		imageaction.Action(),
		manifestaction.Action(),
		metricsaction.Action(),
		releaseaction.Action(),
		rollbackaction.Action(),
		testplanaction.Action(),
		testreportaction.Action(),
		versionaction.Action(),
		attestaction.Action(),
		scanaction.Action(),
		verifyaction.Action(),
	}
}

// Commands returns the local subcommands that are not GitHub actions.
// The commands that compose actions find them here by name.
func Commands() []*action.Command {
	acts := action.Actions(All())
	return []*action.Command{fakegithub.Command(), localtest.Command(acts), pipeline.Command(acts)}
}

// Program is the whole binary.
func Program(version string) *action.Program {
	return &action.Program{Version: version, Actions: All(), Commands: append(Commands(), catalogCommand(), initcmd.Command(version))}
}
