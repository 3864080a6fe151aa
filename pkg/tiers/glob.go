package tiers

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// DefaultPaths are where pytest looks for tests by convention (a function,
// so no caller can change them for everyone).
func DefaultPaths() []string { return []string{"tests/**/test_*.py", "tests/**/*_test.py"} }

// skipDirs are never searched: they hold no project tests and can be huge.
var skipDirs = map[string]bool{".git": true, "node_modules": true, ".venv": true, "venv": true, "__pycache__": true, ".tox": true, ".mypy_cache": true, ".pytest_cache": true}

// checkPattern reports a malformed glob before any walking.
func checkPattern(p string) error {
	p = strings.TrimPrefix(p, "!")
	if p == "" {
		return fmt.Errorf("glob pattern is empty")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "**" {
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("glob pattern %q: %v", p, err)
		}
	}
	return nil
}

// MatchGlob reports whether a slash-separated relative path matches a
// pattern: * and ? within a path segment, [a-z] classes, ** across any
// number of directories (including none).
func MatchGlob(pattern, name string) bool {
	pattern = strings.TrimPrefix(pattern, "./")
	name = strings.TrimPrefix(name, "./")
	return matchSegs(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

// matchSegs matches pattern segments against name segments. Memoised on
// (pattern, name) positions, so patterns with many ** stay linear-ish
// instead of backtracking exponentially.
func matchSegs(ps, ns []string) bool {
	if !slices.Contains(ps, "**") {
		if len(ps) != len(ns) {
			return false
		}
		for i := range ps {
			if ok, err := path.Match(ps[i], ns[i]); err != nil || !ok {
				return false
			}
		}
		return true
	}
	memo := make(map[[2]int]bool)
	var match func(i, j int) bool
	match = func(i, j int) bool {
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		var res bool
		switch {
		case i == len(ps):
			res = j == len(ns)
		case ps[i] == "**":
			// ** matches zero or more segments.
			res = match(i+1, j) || (j < len(ns) && match(i, j+1))
		case j == len(ns):
			res = false
		default:
			ok, err := path.Match(ps[i], ns[j])
			res = err == nil && ok && match(i+1, j+1)
		}
		memo[key] = res
		return res
	}
	return match(0, 0)
}

// Glob returns the files under root matching any pattern and no
// "!"-prefixed pattern, as sorted slash-separated paths relative to root.
// Patterns may be absolute paths inside root. The walk goes through a
// jail at root (see GlobIn).
func Glob(ctx context.Context, root string, patterns []string) ([]string, error) {
	w, done, err := jailAt(nil, root)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", root, err)
	}
	defer done()
	return GlobIn(ctx, w, patterns)
}

// GlobIn is Glob inside a workspace jail: the walk lists directories
// through it and never follows a symlinked folder (inside or out); a
// symlinked file is listed, and refused when read if it leads out.
func GlobIn(ctx context.Context, w *workspace.Workspace, patterns []string) ([]string, error) {
	root := w.Dir()
	var inc, exc []string
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		if err := checkPattern(p); err != nil {
			return nil, err
		}
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if filepath.IsAbs(p) {
			rel, err := w.Rel("", p)
			if err != nil {
				return nil, fmt.Errorf("glob pattern %q is outside the workspace %s", p, root)
			}
			p = rel
		}
		p = strings.TrimPrefix(p, "./")
		if neg {
			exc = append(exc, p)
		} else {
			inc = append(inc, p)
		}
	}
	if len(inc) == 0 {
		return nil, nil
	}
	var out []string
	n := 0
	err := fs.WalkDir(w.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			return nil // unreadable corners do not stop the search
		}
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if d.IsDir() {
			if p != "." && skipDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		rel := p
		if matchAny(inc, rel) && !matchAny(exc, rel) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", root, err)
	}
	sort.Strings(out)
	return out, nil
}

func matchAny(ps []string, name string) bool {
	for _, p := range ps {
		if MatchGlob(p, name) {
			return true
		}
	}
	return false
}
