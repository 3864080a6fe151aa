package imageaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the image action.
func Action() *action.Action { return action.New("image", metadata, run) }
