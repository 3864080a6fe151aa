package tiers

import "github.com/org/timetracker-ci/pkg/workspace"

// jailAt is w, or a jail opened at root when the caller has none: every
// user-named path this package reads or writes goes through a jail, so a
// committed symlink to /proc/self/environ, a FIFO or a ../ path is refused
// naming the input. The returned func closes what jailAt opened.
func jailAt(w *workspace.Workspace, root string) (*workspace.Workspace, func(), error) {
	if w != nil {
		return w, func() {}, nil
	}
	if root == "" {
		root = "."
	}
	j, err := workspace.Open(root)
	if err != nil {
		return nil, nil, err
	}
	return j, func() { j.Close() }, nil
}
