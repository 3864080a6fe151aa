package scanaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the scan action.
func Action() *action.Action { return action.New("scan", metadata, run) }
