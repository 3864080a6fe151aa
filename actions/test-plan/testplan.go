package testplanaction

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/testreport"
	"github.com/org/timetracker-ci/pkg/tiers"
)

func run(ctx context.Context, rt *action.Runtime) error {
	root, err := tiers.WorkDir(rt.Workspace(), rt.Input("working-directory"))
	if err != nil {
		return action.InputErrorf("working-directory", "%w", err)
	}
	tierName, shardText := rt.Input("tier"), rt.Input("shard")
	if (tierName == "") != (shardText == "") {
		return action.InputErrorf("shard", "give tier and shard together (tier %q, shard %q)", tierName, shardText)
	}
	selected := rt.List("select")
	shardSpec := rt.List("shards")
	paths := rt.Lines("paths")
	timingGlobs := rt.List("timings")
	gran, err := tiers.ParseGranularity(rt.Input("granularity"))
	if err != nil {
		return action.InputErrorf("granularity", "%w", err)
	}
	resultsDir := rt.Input("results-dir")
	definitions := rt.Input("tiers")

	var plan *tiers.Plan
	if text := rt.Input("plan"); text != "" {
		plan, err = tiers.DecodePlan(text)
		if err != nil {
			return action.InputErrorf("plan", "%w", err)
		}
	} else {
		all, err := tiers.Load(ctx, root, definitions)
		if err != nil {
			return action.InputErrorf("tiers", "%w", err)
		}
		if all, err = tiers.ApplyShards(all, shardSpec); err != nil {
			return action.InputErrorf("shards", "%w", err)
		}
		ts, err := tiers.Select(all, selected)
		if err != nil {
			return action.InputErrorf("select", "%w", err)
		}
		timings, warnings, err := testreport.LoadTimings(ctx, root, timingGlobs)
		if err != nil {
			return fmt.Errorf("read timings: %w", err)
		}
		for _, w := range warnings {
			rt.Annotate(action.Annotation{Level: action.LevelWarning, Title: "Timings", Message: w})
		}
		rt.Logf("timings: %d tests known from %s", timings.Len(), strings.Join(timingGlobs, ", "))
		plan, err = tiers.Make(ctx, ts, tiers.Options{Root: root, Paths: paths, Timings: timings, Granularity: gran, ResultsDir: resultsDir})
		if err != nil {
			return err
		}
	}
	matrix, err := plan.Matrix()
	if err != nil {
		return err
	}
	if err := rt.SetOutputJSON("matrix", matrix); err != nil {
		return err
	}
	if err := rt.SetOutputJSON("plan", plan); err != nil {
		return err
	}
	if err := rt.SetOutput("jobs", strconv.Itoa(len(matrix.Include))); err != nil {
		return err
	}
	for _, tp := range plan.Tiers {
		note := ""
		if tp.Shards < tp.Requested {
			note = fmt.Sprintf(" (%d requested; only %d files)", tp.Requested, tp.Files)
		}
		rt.Logf("tier %s: marker %q, %d files, %d shards%s", tp.Name, tp.Marker, tp.Files, len(tp.Jobs), note)
		for _, j := range tp.Jobs {
			rt.Logf("  shard %d: %d tests/files, %d deselected, predicted %.1fs", j.Shard, len(j.Tests), len(j.Deselect), j.PredictedSeconds)
		}
	}
	rt.SetSummary(func(action.Detail) string { return plan.Markdown() })

	if tierName == "" {
		for _, name := range []string{"args", "files", "predicted-seconds", "junit-file", "coverage-file"} {
			if err := rt.SetOutput(name, ""); err != nil {
				return err
			}
		}
		return nil
	}
	n, err := strconv.Atoi(shardText)
	if err != nil {
		return action.InputErrorf("shard", "%q is not a shard number (shards are numbered from 1)", shardText)
	}
	attempt, _ := strconv.Atoi(rt.Getenv("GITHUB_RUN_ATTEMPT"))
	args, err := plan.Args(tierName, n, attempt)
	if err != nil {
		return action.InputErrorf("tier", "%w", err)
	}
	tp, job, _ := plan.Job(tierName, n)
	if err := rt.SetOutput("args", tiers.ShellQuote(args)); err != nil {
		return err
	}
	if err := rt.SetOutput("files", strings.Join(job.Tests, "\n")); err != nil {
		return err
	}
	if err := rt.SetOutput("predicted-seconds", strconv.FormatFloat(job.PredictedSeconds, 'f', -1, 64)); err != nil {
		return err
	}
	if err := rt.SetOutput("junit-file", path.Join(plan.ResultsDir, tiers.ResultName("junit", tierName, n, attempt))); err != nil {
		return err
	}
	cov := ""
	if tp.Coverage {
		cov = path.Join(plan.ResultsDir, tiers.ResultName("coverage", tierName, n, attempt))
	}
	if err := rt.SetOutput("coverage-file", cov); err != nil {
		return err
	}
	rt.Logf("pytest %s", tiers.ShellQuote(args))
	return nil
}
