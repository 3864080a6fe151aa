package metricsaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the metrics action.
func Action() *action.Action { return action.New("metrics", metadata, run) }
