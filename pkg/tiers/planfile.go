package tiers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// A plan travels between jobs as a file (test-plan's plan-file, handed on
// as an artifact), never as an input: a container action receives each
// input as one environment variable, which Linux caps at 128 KiB
// (MAX_ARG_STRLEN), and a suite of some thousands of test files has a plan
// larger than that.

// ReadPlan reads the plan input: a path relative to root (the plan-file of
// an earlier step), or the plan output itself (JSON text). The file is read
// through a jail at root (see ReadPlanIn).
func ReadPlan(root, text string) (*Plan, error) {
	return ReadPlanIn(nil, root, text)
}

// ReadPlanIn is ReadPlan through w (a jail at root; nil opens one): the
// plan file must be a regular file inside root after symlinks, at most
// workspace.KindPlan bytes, so a committed symlink to /proc/self/environ or
// a FIFO is refused naming the plan input.
func ReadPlanIn(w *workspace.Workspace, root, text string) (*Plan, error) {
	if t := strings.TrimSpace(text); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return DecodePlan(text)
	}
	j, done, err := jailAt(w, root)
	if err != nil {
		return nil, err
	}
	defer done()
	data, err := j.ReadFile("plan", strings.TrimSpace(text), workspace.KindPlan)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the plan file %s: %w (download the artifact holding test-plan's plan-file first)", text, err)
	}
	if err != nil {
		return nil, err
	}
	return DecodePlan(string(data))
}

// WritePlan writes the plan as JSON to a path relative to root, through a
// jail at root: never outside it, never through a symlink.
func WritePlan(root, file string, plan *Plan) error {
	return WritePlanIn(nil, root, file, plan)
}

// WritePlanIn is WritePlan through w (a jail at root; nil opens one).
func WritePlanIn(w *workspace.Workspace, root, file string, plan *Plan) error {
	rel := strings.TrimSpace(file)
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return fmt.Errorf("plan file %q must be a path inside the working directory, such as .timetracker-ci/plan.json", file)
	}
	data, err := json.Marshal(plan)
	if err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	j, done, err := jailAt(w, root)
	if err != nil {
		return err
	}
	defer done()
	if err := j.WriteFile("plan-file", rel, data, 0o644); err != nil {
		return fmt.Errorf("writing the plan file: %w", err)
	}
	return nil
}
