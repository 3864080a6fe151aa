package tiers

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A plan travels between jobs as a file (test-plan's plan-file, handed on
// as an artifact), never as an input: a container action receives each
// input as one environment variable, which Linux caps at 128 KiB
// (MAX_ARG_STRLEN), and a suite of some thousands of test files has a plan
// larger than that.

// ReadPlan reads the plan input: a path relative to root (the plan-file of
// an earlier step), or the plan output itself (JSON text).
func ReadPlan(root, text string) (*Plan, error) {
	if t := strings.TrimSpace(text); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return DecodePlan(text)
	}
	p, err := planPath(root, text)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("reading the plan file %s: %w (download the artifact holding test-plan's plan-file first)", text, err)
	}
	return DecodePlan(string(data))
}

// WritePlan writes the plan as JSON to a path relative to root.
func WritePlan(root, file string, plan *Plan) error {
	p, err := planPath(root, file)
	if err != nil {
		return err
	}
	data, err := json.Marshal(plan)
	if err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("writing the plan file %s: %w", file, err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("writing the plan file %s: %w", file, err)
	}
	return nil
}

// planPath keeps a plan file inside the working directory.
func planPath(root, file string) (string, error) {
	rel := filepath.FromSlash(strings.TrimSpace(file))
	if !filepath.IsLocal(rel) {
		return "", fmt.Errorf("plan file %q must be a path inside the working directory, such as .timetracker-ci/plan.json", file)
	}
	return filepath.Join(root, rel), nil
}
