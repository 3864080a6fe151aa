package imageaction

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

// Finding 7: every registry credential, with the base64 of user:password a
// Basic header carries, is masked before the action's first other line,
// even when the run then fails on another input.
func TestRegistryCredentialsMaskedBeforeTheFirstLine(t *testing.T) {
	res := actiontest.Run(t, Action(), actiontest.Case{Inputs: map[string]string{
		"sources":       "example.invalid/org/app@sha256:" + strings.Repeat("a", 64),
		"images":        "example.invalid/org/app",
		"username":      "bot",
		"password":      "first-pass-word",
		"registry-auth": "ghcr.io=ci:second-pass-word\nbad line",
	}})
	masks := map[string]bool{}
	for _, line := range strings.Split(res.Stdout, "\n") {
		v, ok := strings.CutPrefix(line, "::add-mask::")
		if !ok {
			break
		}
		masks[strings.ReplaceAll(v, "%25", "%")] = true
	}
	for _, want := range []string{"first-pass-word", "second-pass-word",
		base64.StdEncoding.EncodeToString([]byte("bot:first-pass-word")),
		base64.StdEncoding.EncodeToString([]byte("ci:second-pass-word"))} {
		if !masks[want] {
			t.Errorf("%q not masked before the first line; masked %v\n%s", want, masks, res.Stdout)
		}
	}
}
