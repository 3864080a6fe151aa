package action

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Actions is a set of actions found by name. A command that composes
// actions (the local pipeline, the local test run) is given one instead of
// importing the actions' packages, so every action package stays a leaf
// and the set can be served by any binary that lists the actions.
type Actions []*Action

// Find returns the action of that name.
func (as Actions) Find(name string) (*Action, error) {
	for _, a := range as {
		if a.Name == name {
			return a, nil
		}
	}
	names := make([]string, 0, len(as))
	for _, a := range as {
		names = append(names, a.Name)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("no action %q in this binary (it has %s)", name, strings.Join(names, ", "))
}

// Invoke runs the named action in-process with the given inputs (see Invoke).
func (as Actions) Invoke(ctx context.Context, name string, env Env, inputs map[string]string) (map[string]string, error) {
	a, err := as.Find(name)
	if err != nil {
		return nil, err
	}
	return Invoke(ctx, a, env, inputs)
}

// Composer is a local command that runs actions by name from acts.
type Composer func(ctx context.Context, env Env, acts Actions, args []string) error

// NewCommand is the command name that runs run with the registry acts:
// the one shape of every local command that composes actions.
func NewCommand(name, summary string, acts Actions, run Composer) *Command {
	return &Command{Name: name, Summary: summary, Run: func(ctx context.Context, env Env, args []string) error {
		return run(ctx, env, acts, args)
	}}
}
