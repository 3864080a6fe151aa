// Package actions is the registry of every action of the timetracker-ci
// binary (the one the image ships), and of its commands (catalog, init).
// Each action lives in actions/<name>/ beside the action.yml it embeds. The
// local-only commands (pipeline, test, fake-github) are registered by
// cmd/timetracker-ci-local, so the shipped binary links neither them nor
// what they bring (an in-process registry, the GitHub fake).
package actions

import (
	attestaction "github.com/org/timetracker-ci/actions/attest"
	deploymentaction "github.com/org/timetracker-ci/actions/deployment"
	doctoraction "github.com/org/timetracker-ci/actions/doctor"
	imageaction "github.com/org/timetracker-ci/actions/image"
	initcmd "github.com/org/timetracker-ci/actions/initrepo"
	manifestaction "github.com/org/timetracker-ci/actions/manifest"
	metricsaction "github.com/org/timetracker-ci/actions/metrics"
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
	all := []*action.Action{
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
	for _, a := range all {
		a.Parsed = preparsed(a.Name)
	}
	return all
}

// Program is the shipped binary: the actions, the catalog generator and init.
func Program(version string) *action.Program {
	return &action.Program{Version: version, Actions: All(), Commands: []*action.Command{catalogCommand(), initcmd.Command(version)}}
}
