package action_test

import (
	"context"
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

// Finding 6: NaN, Inf, hex floats and exponents are not thresholds.
func TestParseDecimalOnlyPlainDecimals(t *testing.T) {
	for _, bad := range []string{"NaN", "nan", "Inf", "+Inf", "-inf", "0x1p6", "0x40", "1e2", "1_0", "", ".", "-", "1.2.3", " 5", "5%", "Infinity"} {
		if f, err := action.ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) = %v, want an error", bad, f)
		}
	}
	for in, want := range map[string]float64{"80": 80, "72.5": 72.5, ".5": 0.5, "0": 0, "100.0": 100, "-1": -1, "+3": 3} {
		if f, err := action.ParseDecimal(in); err != nil || f != want {
			t.Errorf("ParseDecimal(%q) = %v, %v", in, f, err)
		}
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"80", "NaN", "0x1p6", "1e9", "-.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := action.ParseDecimal(s)
		if err == nil && (v != v || v > 1e300 || v < -1e300) {
			t.Fatalf("ParseDecimal(%q) = %v", s, v)
		}
	})
}

// Finding 12: an explicitly empty numeric input whose default is not empty
// is refused (exit 2), not read as 0.
func TestExplicitlyEmptyNumberRefused(t *testing.T) {
	a := &action.Action{Name: "test", Metadata: []byte(`name: t
description: d
inputs:
  min-tests:
    description: m
    default: '1'
  threshold:
    description: p
    default: '0'
  optional:
    description: o
runs:
  using: docker
  image: docker://example.invalid/t:1
`), Run: func(ctx context.Context, rt *action.Runtime) error {
		if _, err := rt.Int("optional"); err != nil {
			return err
		}
		if _, err := rt.Int("min-tests"); err != nil {
			return err
		}
		_, err := rt.Percent("threshold")
		return err
	}}
	for _, in := range []map[string]string{{"min-tests": ""}, {"threshold": ""}, {"threshold": "NaN"}, {"threshold": "0x1p6"}} {
		res := actiontest.Run(t, a, actiontest.Case{Inputs: in})
		if res.ExitCode != 2 {
			t.Errorf("%v: exit %d, want 2: %v", in, res.ExitCode, res.Annotations)
		}
	}
	if res := actiontest.Run(t, a, actiontest.Case{}); res.ExitCode != 0 {
		t.Errorf("defaults: exit %d %v", res.ExitCode, res.Annotations)
	}
}

// Finding 12: an input whose default is an expression (${{ github.token }})
// that the runner did not set is empty, not the expression's text: it was
// masked and used as a token verbatim.
func TestExpressionDefaultIsNotAValue(t *testing.T) {
	var got string
	a := &action.Action{Name: "test", Metadata: []byte(`name: t
description: d
inputs:
  github-token:
    description: t
    default: ${{ github.token }}
runs:
  using: docker
  image: docker://example.invalid/t:1
`), Run: func(ctx context.Context, rt *action.Runtime) error {
		got = rt.Input("github-token")
		return nil
	}}
	var stdout strings.Builder
	code := action.Execute(context.Background(), a, action.Env{
		Getenv: func(k string) string {
			if k == "GITHUB_ACTIONS" {
				return "true"
			}
			return ""
		}, Stdout: &stdout, Stderr: &stdout}, nil)
	if code != 0 || got != "" || strings.Contains(stdout.String(), "${{") {
		t.Fatalf("exit %d, token %q, log %q", code, got, stdout.String())
	}
}
