package gitrepo

import (
	"context"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// DefaultBranch guesses the default branch of a clone: the branch
// refs/remotes/origin/HEAD points at (what a clone records), else main or
// master when such a branch exists, else "".
func (r *Repo) DefaultBranch(ctx context.Context) string {
	if ctx.Err() != nil {
		return ""
	}
	if ref, err := r.git.Storer.Reference("refs/remotes/origin/HEAD"); err == nil && ref.Type() == plumbing.SymbolicReference {
		if name, ok := strings.CutPrefix(ref.Target().String(), "refs/remotes/origin/"); ok {
			return name
		}
	}
	for _, b := range []string{"main", "master"} {
		if _, err := r.git.Storer.Reference(plumbing.NewBranchReferenceName(b)); err == nil {
			return b
		}
		if _, err := r.git.Storer.Reference(plumbing.NewRemoteReferenceName("origin", b)); err == nil {
			return b
		}
	}
	return ""
}

// RemoteURL is the first URL of a remote ("" when there is none).
func (r *Repo) RemoteURL(name string) string {
	rem, err := r.git.Remote(name)
	if err != nil || len(rem.Config().URLs) == 0 {
		return ""
	}
	return rem.Config().URLs[0]
}
