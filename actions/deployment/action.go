package deploymentaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the deployment action.
func Action() *action.Action { return action.New("deployment", metadata, run) }
