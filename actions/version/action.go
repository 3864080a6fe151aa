package versionaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the version action.
func Action() *action.Action { return action.New("version", metadata, run) }
