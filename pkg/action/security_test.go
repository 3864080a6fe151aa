package action_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

// runnerLines splits stdout the way the runner's log does: a carriage
// return ends a line as a line feed does.
func runnerLines(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
}

// Finding 11: "\r" in logged values must not start a workflow command.
func TestCarriageReturnCannotStartACommand(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		rt.Logf("tag x\r::warning title=forged::from a value")
		rt.Logf("a\r\n::error::b\r  ::add-mask::c")
		return nil
	}), actiontest.Case{Inputs: map[string]string{"name": "n"}})
	for _, line := range runnerLines(res.Stdout) {
		if strings.HasPrefix(strings.TrimSpace(line), "::") {
			t.Errorf("logged text became a command: %q", line)
		}
	}
}

// Finding 7: the runner masks the exact secret only; its base64 and
// URL-encoded forms are masked before the first line too.
func TestSecretFormsMaskedBeforeTheFirstLine(t *testing.T) {
	const token = "ghs_s3cr+t/=&x"
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		rt.MaskCredential("robot", "pa ss")
		rt.Logf("working")
		return nil
	}), actiontest.Case{Inputs: map[string]string{"name": "n", "github-token": token}})
	masks := map[string]bool{}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if v, ok := strings.CutPrefix(line, "::add-mask::"); ok {
			// The runner unescapes command data (%25, %0D, %0A).
			masks[strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(v)] = true
			continue
		}
		if strings.Contains(line, "working") {
			break
		}
	}
	for _, want := range []string{token, base64.StdEncoding.EncodeToString([]byte(token)), url.QueryEscape(token),
		"pa ss", base64.StdEncoding.EncodeToString([]byte("robot:pa ss"))} {
		if !masks[want] {
			t.Errorf("%q not masked before the first log line; masked %v", want, masks)
		}
	}
}
