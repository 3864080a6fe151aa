package tiers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

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

// GlobIn is Glob inside a workspace jail; see GlobLinks, whose skipped
// folders it leaves to callers that report them.
func GlobIn(ctx context.Context, w *workspace.Workspace, patterns []string) ([]string, error) {
	files, _, err := GlobLinks(ctx, w, patterns)
	return files, err
}

// SkippedLink is a symlinked folder the globs reach that the search did
// not walk, so tests pytest may collect through it are in no shard: the
// caller reports it, nothing is skipped silently.
type SkippedLink struct {
	Path   string // the link, workspace-relative, slash-separated
	Reason string // why it was not searched
	Fix    string // what to do
}

// String is the report line: the folder, why, and the fix.
func (s SkippedLink) String() string {
	return fmt.Sprintf("%s is a symlinked folder that %s: its tests are in no shard, though pytest may collect them through it: %s", s.Path, s.Reason, s.Fix)
}

// GlobLinks is Glob inside a workspace jail. The walk lists directories
// through the jail and walks a symlinked folder like a real one when its
// target resolves inside the workspace (pytest collects through it, under
// the link's path), once: a link to a folder on the walk's path (a loop)
// or to a folder already walked through another link is not walked again.
// A symlinked folder leading outside the workspace, to nothing, or not
// walked again is returned as skipped when a pattern could match below
// it. A symlinked file is listed, and refused when read if it leads out.
func GlobLinks(ctx context.Context, w *workspace.Workspace, patterns []string) ([]string, []SkippedLink, error) {
	root := w.Dir()
	var inc, exc []string
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		if err := checkPattern(p); err != nil {
			return nil, nil, err
		}
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if filepath.IsAbs(p) {
			rel, err := w.Rel("", p)
			if err != nil {
				return nil, nil, fmt.Errorf("glob pattern %q is outside the workspace %s", p, root)
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
		return nil, nil, nil
	}
	g := &globWalk{ctx: ctx, fsys: w.FS(), inc: inc, exc: exc, linked: map[dirID]string{}}
	st, err := fs.Stat(g.fsys, ".")
	if err == nil {
		err = g.dir(".", idOf(st))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("search %s: %w", root, err)
	}
	sort.Strings(g.out)
	return g.out, g.skipped, nil
}

// globWalk is one search: the files matched, the symlinked folders not
// walked, and what loop protection needs.
type globWalk struct {
	ctx      context.Context
	fsys     fs.FS
	inc, exc []string
	out      []string
	skipped  []SkippedLink
	n        int
	path     []dirID          // the folders from the root to the one being walked
	linked   map[dirID]string // folder → the link it was walked through
}

func (g *globWalk) dir(p string, id dirID) error {
	es, err := fs.ReadDir(g.fsys, p)
	if err != nil {
		if p == "." {
			return err
		}
		return nil // unreadable corners do not stop the search
	}
	g.path = append(g.path, id)
	defer func() { g.path = g.path[:len(g.path)-1] }()
	for _, e := range es {
		if g.n++; g.n%1024 == 0 {
			if err := g.ctx.Err(); err != nil {
				return err
			}
		}
		child := e.Name()
		if p != "." {
			child = p + "/" + e.Name()
		}
		switch {
		case e.IsDir():
			if skipDirs[e.Name()] {
				continue
			}
			st, err := e.Info()
			if err != nil {
				continue
			}
			if err := g.dir(child, idOf(st)); err != nil {
				return err
			}
		case e.Type()&fs.ModeSymlink != 0:
			if err := g.link(child, e.Name()); err != nil {
				return err
			}
		default:
			g.file(child)
		}
	}
	return nil
}

func (g *globWalk) file(rel string) {
	if matchAny(g.inc, rel) && !matchAny(g.exc, rel) {
		g.out = append(g.out, rel)
	}
}

// link follows a symlink through the jail: os.Root refuses a target
// outside the workspace, so nothing outside is ever listed.
func (g *globWalk) link(rel, name string) error {
	st, err := fs.Stat(g.fsys, rel)
	switch {
	case err == nil && !st.IsDir():
		g.file(rel) // a symlinked file: listed, checked when read
		return nil
	case err == nil:
		if skipDirs[name] {
			return nil
		}
		id := idOf(st)
		if id.ok && slices.Contains(g.path, id) {
			g.skip(rel, "leads to a folder above it (a loop), so it is not searched again",
				"remove the link (pytest would collect the same tests again under it)")
			return nil
		}
		if other, seen := g.linked[id]; seen && id.ok {
			g.skip(rel, "leads to the same folder as "+other+", searched once through that link",
				"remove one of the two links (pytest would collect the same tests twice)")
			return nil
		}
		g.linked[id] = rel
		return g.dir(rel, id)
	}
	// Not followed: listed as a file if it is named like one (reading it
	// then refuses it, naming it), otherwise reported when a pattern
	// reaches below it.
	if matchAny(g.inc, rel) {
		g.file(rel)
		return nil
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		g.skip(rel, "leads to nothing (a dangling link), so it was not searched",
			"point the link at a folder inside the workspace, or remove it; if a step creates its target before pytest runs, move the tests inside the workspace instead")
	case errors.Is(err, syscall.ELOOP):
		g.skip(rel, "is a symlink loop, so it was not searched", "remove the link")
	default:
		g.skip(rel, "leads outside the workspace, so it was not searched (nothing outside the workspace is read)",
			"move the tests inside the workspace (or point the link at a folder inside it)")
	}
	return nil
}

func (g *globWalk) skip(rel, reason, fix string) {
	for _, p := range g.inc {
		if canDescend(p, rel) {
			g.skipped = append(g.skipped, SkippedLink{Path: rel, Reason: reason, Fix: fix})
			return
		}
	}
}

// canDescend reports whether pattern could match a path strictly below
// the folder dir.
func canDescend(pattern, dir string) bool {
	ps, ns := strings.Split(pattern, "/"), strings.Split(dir, "/")
	memo := map[[2]int]bool{}
	var f func(i, j int) bool
	f = func(i, j int) bool {
		if j == len(ns) {
			return i < len(ps)
		}
		if i == len(ps) {
			return false
		}
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		var res bool
		if ps[i] == "**" {
			res = f(i+1, j) || f(i, j+1)
		} else {
			ok, err := path.Match(ps[i], ns[j])
			res = err == nil && ok && f(i+1, j+1)
		}
		memo[key] = res
		return res
	}
	return f(0, 0)
}

func matchAny(ps []string, name string) bool {
	for _, p := range ps {
		if MatchGlob(p, name) {
			return true
		}
	}
	return false
}
