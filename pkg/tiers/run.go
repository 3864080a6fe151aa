package tiers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/org/timetracker-ci/pkg/inputerror"
	"github.com/org/timetracker-ci/pkg/shard"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// Request is one whole plan as the test-plan action asks for it: either an
// earlier plan to reuse, or the tier definitions, their shard counts, the
// tiers to keep and the timings of earlier runs to balance the shards by.
// Each field is named after the input it comes from, so an error names it.
type Request struct {
	Workspace        string
	WorkingDirectory string   // relative to Workspace; "" is Workspace itself
	Plan             string   // an earlier plan: its JSON, or a file holding it (relative to the working directory); when set, the fields below are not used
	Tiers            string   // tier definitions: YAML, or a file relative to the working directory; "" for Defaults()
	Shards           []string // "4" for every tier or "unit=4" pairs
	Select           []string // tier names to keep; none keeps all
	Paths            []string // test file globs for tiers that set none
	Timings          []string // globs of earlier timings files and JUnit reports
	Granularity      string
	ResultsDir       string
	PlanFile         string // where to write the plan too (relative to the working directory), for the jobs that read it as a file

	// LoadTimings reads the files Timings names (JUnit reports need the
	// report parser, which imports this package) and returns warnings for
	// the ones it skipped; nil plans by file count.
	LoadTimings func(ctx context.Context, root string, globs []string) (*shard.Timings, []string, error)
	Logf        func(format string, args ...any) // progress lines; nil discards them
}

// Run makes (or decodes) the plan the request describes. The warnings name
// timings files that were skipped. Bad input is an *inputerror.Error naming
// the input.
func Run(ctx context.Context, r Request) (*Plan, []string, error) {
	logf := r.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	root, err := WorkDir(r.Workspace, r.WorkingDirectory)
	if err != nil {
		return nil, nil, inputErr("working-directory", err)
	}
	gran, err := ParseGranularity(r.Granularity)
	if err != nil {
		return nil, nil, inputerror.Errorf("granularity", "%w", err)
	}
	if r.Plan != "" {
		plan, err := ReadPlan(root, r.Plan)
		if err != nil {
			return nil, nil, inputErr("plan", err)
		}
		return plan, nil, writePlanFile(root, r.PlanFile, plan, logf)
	}
	all, err := Load(ctx, root, r.Tiers)
	if err != nil {
		return nil, nil, inputErr("tiers", err)
	}
	if all, err = ApplyShards(all, r.Shards); err != nil {
		return nil, nil, inputerror.Errorf("shards", "%w", err)
	}
	ts, err := Select(all, r.Select)
	if err != nil {
		return nil, nil, inputerror.Errorf("select", "%w", err)
	}
	var timings *shard.Timings
	var warnings []string
	if r.LoadTimings != nil {
		if timings, warnings, err = r.LoadTimings(ctx, root, r.Timings); err != nil {
			return nil, nil, fmt.Errorf("read timings: %w", err)
		}
		if len(r.Timings) == 0 {
			logf("timings: none given (the timings input), so every file weighs 1 s")
		} else {
			logf("timings: %d tests known from %s", timings.Len(), strings.Join(r.Timings, ", "))
		}
	}
	plan, err := Make(ctx, ts, Options{Root: root, Paths: r.Paths, Timings: timings, Granularity: gran, ResultsDir: r.ResultsDir})
	if err != nil {
		return nil, warnings, err
	}
	return plan, warnings, writePlanFile(root, r.PlanFile, plan, logf)
}

func writePlanFile(root, file string, plan *Plan, logf func(string, ...any)) error {
	if file == "" {
		return nil
	}
	if err := WritePlan(root, file, plan); err != nil {
		return inputErr("plan-file", err)
	}
	logf("plan written to %s", file)
	return nil
}

// inputErr is the input error naming input; when the workspace jail
// refused the path (naming the input itself), that refusal is the whole
// message, so the input is not named twice.
func inputErr(input string, err error) error {
	var refused *workspace.PathError
	if errors.As(err, &refused) && refused.Input != "" {
		bare := *refused
		bare.Input = ""
		return &inputerror.Error{Input: refused.Input, Err: &bare}
	}
	return inputerror.Errorf(input, "%w", err)
}
