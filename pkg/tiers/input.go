package tiers

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WorkDir resolves a project directory given relative to the workspace
// (absolute paths are kept) and checks that it is a directory.
func WorkDir(workspace, dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	p := dir
	if !filepath.IsAbs(p) {
		p = filepath.Join(workspace, dir)
	}
	st, err := os.Stat(p)
	if err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory of the workspace: check out the repository first, or fix the path", dir)
	}
	return p, nil
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
