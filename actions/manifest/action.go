package manifestaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the manifest action.
func Action() *action.Action { return action.New("manifest", metadata, run) }
