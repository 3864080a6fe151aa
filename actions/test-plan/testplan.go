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
	tierName, shardText := rt.Input("tier"), rt.Input("shard")
	if (tierName == "") != (shardText == "") {
		return action.InputErrorf("shard", "give tier and shard together (tier %q, shard %q)", tierName, shardText)
	}
	plan, warnings, err := tiers.Run(ctx, tiers.Request{
		Workspace: rt.Workspace(), WorkingDirectory: rt.Input("working-directory"),
		Plan: rt.Input("plan"), Tiers: rt.Input("tiers"), Shards: rt.List("shards"), Select: rt.List("select"),
		Paths: rt.Lines("paths"), Timings: rt.List("timings"), Granularity: rt.Input("granularity"), ResultsDir: rt.Input("results-dir"),
		PlanFile:    rt.Input("plan-file"),
		LoadTimings: testreport.LoadTimings, Logf: rt.Logf,
	})
	for _, w := range warnings {
		rt.Annotate(action.Annotation{Level: action.LevelWarning, Title: "Timings", Message: w})
	}
	if err != nil {
		return err // bad input is an *action.InputError naming the input
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
