package action

import (
	"fmt"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// The jail lives in pkg/workspace so library packages can take it; these
// names let glue speak of it through the runtime alone.
type (
	// Workspace is the jail for user-named paths: see workspace.Workspace.
	Workspace = workspace.Workspace
	// Kind sets the size cap of a read.
	Kind = workspace.Kind
	// PathError is a path the jail refused (exit 2).
	PathError = workspace.PathError
)

// Size caps by kind of file (see pkg/workspace).
var (
	KindText    = workspace.KindText
	KindConfig  = workspace.KindConfig
	KindReport  = workspace.KindReport
	KindAsset   = workspace.KindAsset
	KindEvent   = workspace.KindEvent
	KindPlan    = workspace.KindPlan
	KindArchive = workspace.KindArchive
)

// Jail is the workspace (GITHUB_WORKSPACE, else the working directory) as a
// Workspace, opened once per run and closed when the action ends. Every
// path an input names is read or written through it.
func (rt *Runtime) Jail() (*Workspace, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.jail == nil && rt.jailErr == nil {
		rt.jail, rt.jailErr = workspace.Open(rt.Workspace())
		if rt.jailErr != nil {
			rt.jailErr = fmt.Errorf("%w: run the action inside a checked-out repository", rt.jailErr)
		}
	}
	return rt.jail, rt.jailErr
}

// InputPath resolves a path input to a workspace-relative path ("" when
// the input is empty), refusing what leads outside the workspace.
func (rt *Runtime) InputPath(input string) (string, error) {
	v := rt.Input(input)
	if v == "" {
		return "", nil
	}
	w, err := rt.Jail()
	if err != nil {
		return "", err
	}
	return w.Rel(input, v)
}

// PathInput is the jail and the workspace-relative path of a path input
// that must not be empty (an empty one is refused, naming the input).
func (rt *Runtime) PathInput(input string) (*Workspace, string, error) {
	w, err := rt.Jail()
	if err != nil {
		return nil, "", err
	}
	rel, err := w.Rel(input, rt.Input(input))
	if err != nil {
		return nil, "", err
	}
	return w, rel, nil
}

// ReadInputFile reads the file a path input names, through the jail, capped by k.
func (rt *Runtime) ReadInputFile(input string, k Kind) ([]byte, error) {
	w, err := rt.Jail()
	if err != nil {
		return nil, err
	}
	return w.ReadFile(input, rt.Input(input), k)
}

func (rt *Runtime) closeJail() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.jail != nil {
		rt.jail.Close()
		rt.jail = nil
	}
}
