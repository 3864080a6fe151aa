package action

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestMetadataIsParsedOnce(t *testing.T) {
	var seen []*Metadata
	a := &Action{Name: "once", Metadata: []byte("name: once\noutputs:\n  out:\n    description: d\n"), Run: func(_ context.Context, rt *Runtime) error {
		seen = append(seen, rt.Metadata())
		return rt.SetOutput("out", "x")
	}}
	env := Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard}
	for i := 0; i < 3; i++ {
		if _, err := Invoke(context.Background(), a, env, nil); err != nil {
			t.Fatal(err)
		}
	}
	m, err := a.Meta()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range seen {
		if s != m {
			t.Errorf("run %d saw metadata %p, the action holds %p: parsed again", i, s, m)
		}
	}
	bad := &Action{Name: "bad", Metadata: []byte("inputs: [a, b]\n")}
	if _, err := bad.Meta(); err == nil || !strings.Contains(err.Error(), "action bad: action.yml: inputs and outputs must be mappings") {
		t.Errorf("bad metadata: %v", err)
	}
}

func TestEnumAndList(t *testing.T) {
	meta := []byte("name: e\ninputs:\n  mode:\n    description: d\n  items:\n    description: d\n")
	for _, c := range []struct {
		mode, want, err string
	}{
		{"auto", "auto", ""},
		{"Legacy", "legacy", ""},
		{"", "", `input "mode": "" is not one of auto, legacy`},
		{"yes", "", `input "mode": "yes" is not one of auto, legacy`},
	} {
		var got string
		var gotErr error
		a := &Action{Name: "e", Metadata: meta, Run: func(_ context.Context, rt *Runtime) error {
			got, gotErr = rt.Enum("mode", "auto", "legacy")
			return nil
		}}
		env := Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard}
		if _, err := Invoke(context.Background(), a, env, map[string]string{"mode": c.mode}); err != nil {
			t.Fatal(err)
		}
		errText := ""
		if gotErr != nil {
			errText = gotErr.Error()
			if !IsInputError(gotErr) {
				t.Errorf("Enum(%q) error is not an input error", c.mode)
			}
		}
		if got != c.want || errText != c.err {
			t.Errorf("Enum(%q) = %q, %q; want %q, %q", c.mode, got, errText, c.want, c.err)
		}
	}
}

func TestTimeout(t *testing.T) {
	meta := []byte("name: t\ninputs:\n  timeout:\n    description: d\n    default: 15m\n")
	for _, c := range []struct {
		in  map[string]string
		err string
	}{
		{nil, ""},
		{map[string]string{"timeout": "90"}, ""},
		{map[string]string{"timeout": "0s"}, `input "timeout": must be a positive duration such as 15m, not "0s"`},
		{map[string]string{"timeout": "-5m"}, `input "timeout": must be a positive duration such as 15m, not "-5m"`},
		{map[string]string{"timeout": "soon"}, `input "timeout": "soon" is not a duration: write it like 90s, 5m or 1h30m`},
	} {
		var gotErr error
		var deadline bool
		a := &Action{Name: "t", Metadata: meta, Run: func(ctx context.Context, rt *Runtime) error {
			ctx, cancel, _, err := rt.Timeout(ctx, "timeout")
			if gotErr = err; err == nil {
				defer cancel()
				_, deadline = ctx.Deadline()
			}
			return nil
		}}
		env := Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard}
		if _, err := Invoke(context.Background(), a, env, c.in); err != nil {
			t.Fatal(err)
		}
		errText := ""
		if gotErr != nil {
			errText = gotErr.Error()
			if !IsInputError(gotErr) {
				t.Errorf("Timeout(%v) error is not an input error", c.in)
			}
		}
		if errText != c.err || (c.err == "") != deadline {
			t.Errorf("Timeout(%v) = deadline %v, %q; want %q", c.in, deadline, errText, c.err)
		}
	}
}
