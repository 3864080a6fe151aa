package doctoraction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action is the doctor action.
func Action() *action.Action { return action.New("doctor", metadata, run) }
