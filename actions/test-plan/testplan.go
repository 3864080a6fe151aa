package testplanaction

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/shard"
	"github.com/org/timetracker-ci/pkg/testreport"
	"github.com/org/timetracker-ci/pkg/tiers"
)

func run(ctx context.Context, rt *action.Runtime) error {
	tierName, shardText := rt.Input("tier"), rt.Input("shard")
	if (tierName == "") != (shardText == "") {
		return action.InputErrorf("shard", "give tier and shard together (tier %q, shard %q)", tierName, shardText)
	}
	// The paths a user names are checked through the workspace jail before
	// the plan is made: the working directory, results-dir and a tiers file
	// stay inside the workspace, and timings files are read through it.
	ws, err := rt.Jail()
	if err != nil {
		return err
	}
	wd, err := ws.Rel("working-directory", orDot(rt.Input("working-directory")))
	if err != nil {
		return err
	}
	jail, err := ws.Sub("working-directory", wd)
	if err != nil {
		return err
	}
	defer jail.Close()
	resultsDir := rt.Input("results-dir")
	if resultsDir != "" {
		if resultsDir, err = jail.Rel("results-dir", resultsDir); err != nil {
			return err
		}
	}
	definitions := rt.Input("tiers")
	if d := strings.TrimSpace(definitions); d != "" && !strings.ContainsAny(d, "\n:{[") {
		// A path (not inline YAML): read through the jail, handed on as the text.
		data, err := jail.ReadFile("tiers", d, action.KindConfig)
		if err != nil {
			return err
		}
		definitions = string(data)
		if !strings.ContainsAny(definitions, "\n:{[") {
			return action.InputErrorf("tiers", "%s holds no tier definitions (YAML mapping tier names to settings)", d)
		}
	}
	paths := rt.Lines("paths")
	for _, g := range paths {
		if _, err := path.Match(strings.TrimPrefix(g, "!"), ""); err != nil {
			return action.InputErrorf("paths", "%q is not a valid glob: %w", g, err)
		}
	}
	loadTimings := func(ctx context.Context, root string, globs []string) (*shard.Timings, []string, error) {
		return testreport.LoadTimingsIn(ctx, root, jail, globs)
	}
	plan, warnings, err := tiers.Run(ctx, tiers.Request{
		Workspace: rt.Workspace(), WorkingDirectory: wd,
		Plan: rt.Input("plan"), Tiers: definitions, Shards: rt.List("shards"), Select: rt.List("select"),
		Paths: paths, Timings: rt.List("timings"), Granularity: rt.Input("granularity"), ResultsDir: resultsDir,
		PlanFile:    rt.Input("plan-file"),
		LoadTimings: loadTimings, Logf: rt.Logf,
	})
	for _, w := range warnings {
		rt.Annotate(action.Annotation{Level: action.LevelWarning, Title: "Timings", Message: w})
	}
	if err != nil {
		return err // bad input is an *action.InputError naming the input
	}
	for _, s := range plan.Skipped {
		rt.Annotate(action.Annotation{Level: action.LevelWarning, Title: "Test folder not searched", File: path.Join(wd, s.Path), Message: s.String()})
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

func orDot(p string) string {
	if p == "" {
		return "."
	}
	return p
}
