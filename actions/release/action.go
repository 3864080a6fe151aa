package releaseaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the release action.
func Action() *action.Action { return action.New("release", metadata, run) }
