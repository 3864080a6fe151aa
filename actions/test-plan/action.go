package testplanaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the test-plan action.
func Action() *action.Action { return action.New("test-plan", metadata, run) }
