package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

// DefaultBranch guesses the default branch of a clone: the branch
// refs/remotes/origin/HEAD points at (what a clone records), else main or
// master when such a branch exists, else "".
func (r *Repo) DefaultBranch(ctx context.Context) string {
	if ctx.Err() != nil {
		return ""
	}
	// A symbolic ref is never packed, so the loose file is the whole story.
	if data, err := os.ReadFile(filepath.Join(r.commonDir, "refs", "remotes", "origin", "HEAD")); err == nil {
		target := strings.TrimSpace(strings.TrimPrefix(string(data), "ref:"))
		if name, ok := strings.CutPrefix(target, "refs/remotes/origin/"); ok {
			return name
		}
	}
	for _, b := range []string{"main", "master"} {
		for _, ref := range []string{"refs/heads/" + b, "refs/remotes/origin/" + b} {
			if _, err := r.rawRef(ref); err == nil {
				return b
			}
		}
	}
	return ""
}

// RemoteURL is the first URL of a remote ("" when there is none), from the
// repository's config file.
func (r *Repo) RemoteURL(name string) string {
	data, err := os.ReadFile(filepath.Join(r.commonDir, "config"))
	if err != nil {
		return ""
	}
	return remoteURL(string(data), name)
}

func remoteURL(config, name string) string {
	for _, e := range parseConfig(config) {
		if e.section == "remote" && e.subsection == name && e.key == "url" {
			return e.value
		}
	}
	return ""
}
