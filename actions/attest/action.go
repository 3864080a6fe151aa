package attestaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the attest action.
func Action() *action.Action { return action.New("attest", metadata, run) }
