package doctor

import (
	"context"
	"errors"
	"io/fs"

	"github.com/org/timetracker-ci/pkg/tiers"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// repo is the audited repository as a workspace jail: a committed symlink
// to /proc/self/environ or out of the repository, a FIFO or an oversized
// file is refused (naming the path input and the file) instead of read, so
// no file outside the repository can reach a finding.
type repo struct{ w *workspace.Workspace }

func openRepo(root string) (*repo, error) {
	w, err := workspace.Open(root)
	if err != nil {
		return nil, err
	}
	return &repo{w: w}, nil
}

func (r *repo) close() { r.w.Close() }

// read reads a slash-separated repository path, at most a configuration file's cap.
func (r *repo) read(rel string) ([]byte, error) {
	return r.w.ReadFile("path", rel, workspace.KindConfig)
}

func (r *repo) readDir(rel string) ([]fs.DirEntry, error) { return r.w.ReadDir("path", rel) }

func (r *repo) isDir(rel string) bool {
	st, err := r.w.Stat("path", rel)
	return err == nil && st.IsDir()
}

func (r *repo) glob(ctx context.Context, patterns []string) ([]string, error) {
	return tiers.GlobIn(ctx, r.w, patterns)
}

// globLinks is glob with the symlinked folders the patterns reach that
// were not searched (they lead out of the repository, to nothing, or
// back to a folder already searched).
func (r *repo) globLinks(ctx context.Context, patterns []string) ([]string, []tiers.SkippedLink, error) {
	return tiers.GlobLinks(ctx, r.w, patterns)
}

func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
