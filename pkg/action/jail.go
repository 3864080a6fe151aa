package action

import "fmt"

// Jail is the workspace (GITHUB_WORKSPACE, else the working directory) as a
// Workspace, opened once per run and closed when the action ends. Every
// path an input names is read or written through it.
func (rt *Runtime) Jail() (*Workspace, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.jail == nil && rt.jailErr == nil {
		rt.jail, rt.jailErr = OpenWorkspace(rt.Workspace())
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
