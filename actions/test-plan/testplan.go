package testplan

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/shard"
	"github.com/org/timetracker-ci/pkg/testreport"
	"github.com/org/timetracker-ci/pkg/tiers"
)

//go:embed action.yml
var metadata []byte

// Action is the test-plan action.
func Action() *action.Action {
	return &action.Action{Name: "test-plan", Metadata: metadata, Run: run}
}

func run(ctx context.Context, rt *action.Runtime) error {
	root, err := WorkDir(rt.Workspace(), rt.Input("working-directory"))
	if err != nil {
		return action.InputErrorf("working-directory", "%v", err)
	}
	tierName, shardText := rt.Input("tier"), rt.Input("shard")
	if (tierName == "") != (shardText == "") {
		return action.InputErrorf("shard", "give tier and shard together (tier %q, shard %q)", tierName, shardText)
	}
	selected, _ := rt.List("select")
	shardSpec, _ := rt.List("shards")
	paths := rt.Lines("paths")
	timingGlobs, _ := rt.List("timings")
	gran, err := tiers.ParseGranularity(rt.Input("granularity"))
	if err != nil {
		return action.InputErrorf("granularity", "%v", err)
	}
	resultsDir := rt.Input("results-dir")
	definitions := rt.Input("tiers")

	var plan *tiers.Plan
	if text := rt.Input("plan"); text != "" {
		plan, err = DecodePlan(text)
		if err != nil {
			return action.InputErrorf("plan", "%v", err)
		}
	} else {
		all, err := tiers.Load(ctx, root, definitions)
		if err != nil {
			return action.InputErrorf("tiers", "%v", err)
		}
		// Shards apply to every defined tier before select narrows them, so
		// one shards value can serve jobs that select different tiers.
		if all, err = ApplyShards(all, shardSpec); err != nil {
			return action.InputErrorf("shards", "%v", err)
		}
		ts, err := tiers.Select(all, selected)
		if err != nil {
			return action.InputErrorf("select", "%v", err)
		}
		timings, warnings, err := LoadTimings(ctx, root, timingGlobs)
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
	rt.SetSummary(func(action.Detail) string { return Summary(plan) })

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
		return action.InputErrorf("tier", "%v", err)
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

// WorkDir resolves the working-directory input inside the workspace.
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

// DecodePlan reads a plan output.
func DecodePlan(text string) (*tiers.Plan, error) {
	var p tiers.Plan
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return nil, fmt.Errorf("not a plan from test-plan (pass its plan output unchanged): %v", err)
	}
	if p.Version != tiers.PlanVersion || len(p.Tiers) == 0 {
		return nil, fmt.Errorf("not a plan from this version of test-plan (version %d, %d tiers): plan and run with the same release", p.Version, len(p.Tiers))
	}
	return &p, nil
}

// ApplyShards applies the shards input: "4" for every tier or "unit=4" pairs.
func ApplyShards(ts []tiers.Tier, spec []string) ([]tiers.Tier, error) {
	out := append([]tiers.Tier(nil), ts...)
	for _, s := range spec {
		name, count, pair := strings.Cut(s, "=")
		if !pair {
			count = name
		}
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if err != nil || n < 1 || n > tiers.MaxShards {
			return nil, fmt.Errorf("%q: give a number of shards from 1 to %d, or tier=number", s, tiers.MaxShards)
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

// LoadTimings reads timings files and JUnit files matched by globs; a
// timings file is JSON, anything else is read as test results. Unreadable
// JUnit files only cost their timings (warnings): a broken cache must not
// stop the tests from running.
func LoadTimings(ctx context.Context, root string, globs []string) (*shard.Timings, []string, error) {
	tm := shard.NewTimings()
	if len(globs) == 0 {
		return tm, nil, nil
	}
	files, err := tiers.Glob(ctx, root, globs)
	if err != nil {
		return nil, nil, err
	}
	var junitFiles, warnings []string
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if strings.HasSuffix(f, ".json") {
			t, err := shard.ReadTimingsFile(ctx, p)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("timings file %s ignored: %v", f, err))
				continue
			}
			tm.Merge(t)
			continue
		}
		junitFiles = append(junitFiles, p)
	}
	if len(junitFiles) > 0 {
		r, err := testreport.Build(ctx, junitFiles, testreport.Options{Root: root})
		if err != nil {
			return nil, nil, err
		}
		for _, fe := range r.FileErrors {
			warnings = append(warnings, fmt.Sprintf("timings from %s ignored: %s", fe.File, fe.Msg))
		}
		tm.Merge(r.Timings())
	}
	return tm, warnings, nil
}

// Summary is the plan as Markdown.
func Summary(p *tiers.Plan) string {
	var b strings.Builder
	b.WriteString("## Test plan\n\n| Tier | Marker | Files | Timed | Shards | Timeout | Database | Coverage | Predicted per shard |\n|---|---|---:|---:|---:|---:|---|---|---|\n")
	for _, tp := range p.Tiers {
		var preds []string
		for _, j := range tp.Jobs {
			preds = append(preds, strconv.FormatFloat(j.PredictedSeconds, 'f', 1, 64)+"s")
		}
		fmt.Fprintf(&b, "| %s | `%s` | %d | %d | %d | %d min | %v | %v | %s |\n", tp.Name, strings.ReplaceAll(tp.Marker, "|", `\|`), tp.Files, tp.Timed, len(tp.Jobs), tp.Timeout, yes(tp.NeedsDatabase), yes(tp.Coverage), strings.Join(preds, ", "))
	}
	b.WriteString("\nFiles the timings of earlier runs do not know weigh the mean of the known ones (1 s when none is known).\n")
	return b.String()
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
