package verifyaction

import (
	_ "embed"

	"github.com/org/timetracker-ci/pkg/action"
)

//go:embed action.yml
var metadata []byte

// Action returns the verify action. A bare argument is the image.
func Action() *action.Action {
	a := action.New("verify", metadata, run)
	a.Positional = "image"
	return a
}
