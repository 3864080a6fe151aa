package tiers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	jail "github.com/org/timetracker-ci/pkg/workspace"
)

// WorkDir resolves a project directory given relative to the workspace (or
// absolute inside it) and checks, through a jail at the workspace, that it
// is a directory inside it after symlinks.
func WorkDir(workspace, dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	w, err := jail.Open(workspace)
	if err != nil {
		return "", fmt.Errorf("%s is not a directory of the workspace: check out the repository first, or fix the path", dir)
	}
	defer w.Close()
	rel, err := w.Rel("working-directory", dir)
	if err != nil {
		return "", err
	}
	st, err := w.Stat("working-directory", rel)
	if err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory of the workspace: check out the repository first, or fix the path", dir)
	}
	return w.Abs(rel), nil
}

// DecodePlan reads a plan as its JSON was written (test-plan's plan output),
// refusing a plan of another version.
func DecodePlan(text string) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return nil, fmt.Errorf("not a plan from test-plan (pass its plan output unchanged): %v", err)
	}
	if p.Version != PlanVersion || len(p.Tiers) == 0 {
		return nil, fmt.Errorf("not a plan from this version of test-plan (version %d, %d tiers): plan and run with the same release", p.Version, len(p.Tiers))
	}
	return &p, nil
}

// ApplyShards sets shard counts: "4" for every tier or "unit=4" pairs.
// It applies to every defined tier before Select narrows them, so one
// value can serve jobs that select different tiers.
func ApplyShards(ts []Tier, spec []string) ([]Tier, error) {
	out := append([]Tier(nil), ts...)
	for _, s := range spec {
		name, count, pair := strings.Cut(s, "=")
		if !pair {
			count = name
		}
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if err != nil || n < 1 || n > MaxShards {
			return nil, fmt.Errorf("%q: give a number of shards from 1 to %d, or tier=number", s, MaxShards)
		}
		found := false
		for i := range out {
			if !pair || out[i].Name == strings.TrimSpace(name) {
				out[i].Shards = n
				found = true
			}
		}
		if pair && !found {
			return nil, fmt.Errorf("%q names no defined tier: check the tier names in shards against tiers", s)
		}
	}
	return out, nil
}

// ResultGlobs are the globs, relative to the working directory, of the
// JUnit and coverage files the plan's tiers write: only this plan's tiers,
// so results of other tiers left by earlier runs stay out of the report.
func (p *Plan) ResultGlobs() (junit, coverage []string) {
	for _, tp := range p.Tiers {
		junit = append(junit, path.Join(p.ResultsDir, "junit-"+tp.Name+"-*.xml"))
		coverage = append(coverage, path.Join(p.ResultsDir, "coverage-"+tp.Name+"-*.xml"))
	}
	return junit, coverage
}

// ClearResults removes the result files of the plan's tiers that an earlier
// run left in the results directory under dir, so that a tier which fails
// to write new ones cannot report old ones. Other files stay.
//
// The results directory is listed and cleared through a jail at dir: a
// results-dir outside it (or a symlinked one leading out) is refused, and
// a symlink named like a result file is removed itself, not its target.
func (p *Plan) ClearResults(dir string) error {
	w, err := jail.Open(dir)
	if err != nil {
		return fmt.Errorf("results directory: %w", err)
	}
	defer w.Close()
	rd := p.ResultsDir
	entries, err := w.ReadDir("results-dir", rd)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("results directory: %w", err)
	}
	planned := map[string]bool{}
	for _, tp := range p.Tiers {
		planned[tp.Name] = true
	}
	for _, e := range entries {
		if _, tier, _, _, ok := ResultOf(e.Name()); ok && planned[tier] {
			if err := w.Remove("results-dir", path.Join(filepath.ToSlash(rd), e.Name())); err != nil {
				return fmt.Errorf("remove old results: %w", err)
			}
		}
	}
	return nil
}
