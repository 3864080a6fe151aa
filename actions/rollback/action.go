package rollbackaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the rollback action.
func Action() *action.Action { return action.New("rollback", metadata, run) }
