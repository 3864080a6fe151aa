package action_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/org/timetracker-ci/pkg/action"
)

type ctxKey struct{}

// Interrupt derives the context an action runs with, and is not called for
// help or a usage error (registering signal handlers starts threads).
func TestInterruptOnlyWhenAnActionRuns(t *testing.T) {
	var calls, stops int
	var ranWith any
	a := testAction(&seen{}, func(rt *action.Runtime) error { return nil })
	run := a.Run
	a.Run = func(ctx context.Context, rt *action.Runtime) error {
		ranWith = ctx.Value(ctxKey{})
		return run(ctx, rt)
	}
	p := &action.Program{Actions: []*action.Action{a}, Interrupt: func(ctx context.Context) (context.Context, context.CancelFunc) {
		calls++
		ctx, cancel := context.WithCancel(context.WithValue(ctx, ctxKey{}, "interruptible"))
		return ctx, func() { stops++; cancel() }
	}}
	var out, errs bytes.Buffer
	env := action.Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errs, Dir: t.TempDir()}
	for _, args := range [][]string{{"--help"}, {"test", "--help"}, {"test", "--no-such-input", "x"}} {
		p.Main(context.Background(), env, args)
		if calls != 0 {
			t.Fatalf("%q: Interrupt called", args)
		}
	}
	code := p.Main(context.Background(), env, []string{"test", "--name", "x"})
	if code != action.ExitOK {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if calls != 1 || stops != 1 || ranWith != "interruptible" {
		t.Fatalf("Interrupt called %d times, stopped %d times, action ran with %v", calls, stops, ranWith)
	}
}
