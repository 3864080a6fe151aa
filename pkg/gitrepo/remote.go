package gitrepo

import (
	"context"
	"os"
	"path/filepath"
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
	// A symbolic ref is never packed, so the loose file is the whole story;
	// asking go-git would scan all of packed-refs for each miss.
	if data, err := os.ReadFile(filepath.Join(r.commonDir, "refs", "remotes", "origin", "HEAD")); err == nil {
		target := strings.TrimSpace(strings.TrimPrefix(string(data), "ref:"))
		if name, ok := strings.CutPrefix(target, "refs/remotes/origin/"); ok {
			return name
		}
	}
	for _, b := range []string{"main", "master"} {
		for _, ref := range []string{"refs/heads/" + b, "refs/remotes/origin/" + b} {
			if _, err := os.Stat(filepath.Join(r.commonDir, filepath.FromSlash(ref))); err == nil {
				return b
			}
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
