package initrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// What Apply did (or would do) with a file.
const (
	Created   = "create"
	Updated   = "update"
	Unchanged = "unchanged"
	Kept      = "kept" // the user changed it; --force replaces it
)

// Change is one file's outcome.
type Change struct {
	Path   string
	Action string
	Diff   string // unified-style line diff, for create and update (and kept)
	// Why a file is kept, for the user: KeptChanged or KeptOwn.
	Why string
}

// Why a file is kept.
const (
	KeptChanged = "you changed it since init wrote it"
	KeptOwn     = "your own file: init did not write it"
)

// ApplyOptions control Apply.
type ApplyOptions struct {
	DryRun bool // write nothing; the changes carry their diffs
	Force  bool // replace files the user changed
}

// Apply writes files under root: a new file is created; a file init wrote
// and nobody changed since is updated; a file the user changed (or wrote)
// is kept unless Force. A second run with the same files changes nothing.
//
// Files are read and written through a jail at root: a file symlinked out
// of the repository is neither read nor written through, and each file is
// written to a temporary name and renamed.
func Apply(ctx context.Context, root string, files []File, o ApplyOptions) ([]Change, error) {
	w, err := workspace.Open(root)
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	defer w.Close()
	var out []Change
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if filepath.IsAbs(f.Path) || strings.HasPrefix(filepath.Clean(f.Path), "..") {
			return out, fmt.Errorf("init: %s is outside the repository", f.Path)
		}
		old, err := w.ReadFile("dir", f.Path, workspace.KindConfig)
		c := Change{Path: f.Path}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			c.Action = Created
		case err != nil:
			return out, fmt.Errorf("reading %s: %w", f.Path, err)
		case bytes.Equal(old, f.Content):
			c.Action = Unchanged
		default:
			stamped, untouched := stampedUnchanged(old)
			switch {
			case stamped && untouched || o.Force:
				c.Action = Updated
			case stamped:
				c.Action, c.Why = Kept, KeptChanged
			default:
				c.Action, c.Why = Kept, KeptOwn
			}
		}
		if c.Action != Unchanged {
			c.Diff = Diff(f.Path, string(old), string(f.Content))
		}
		if !o.DryRun && (c.Action == Created || c.Action == Updated) {
			if err := w.WriteFile("dir", f.Path, f.Content, 0o644); err != nil {
				return out, fmt.Errorf("writing %s: %w", f.Path, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// Diff is a line diff of old and new in the unified style (no context
// trimming: the files are small).
func Diff(name, old, new string) string {
	a, b := splitLines(old), splitLines(new)
	// Longest common subsequence by dynamic programming.
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	from := "a/" + name
	if old == "" {
		from = "/dev/null"
	}
	fmt.Fprintf(&sb, "--- %s\n+++ b/%s\n", from, name)
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			sb.WriteString(" " + a[i] + "\n")
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			sb.WriteString("-" + a[i] + "\n")
			i++
		default:
			sb.WriteString("+" + b[j] + "\n")
			j++
		}
	}
	return sb.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
