package testreport

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	testplan "github.com/org/timetracker-ci/actions/test-plan"
	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/gotestjson"
	"github.com/org/timetracker-ci/pkg/shard"
	report "github.com/org/timetracker-ci/pkg/testreport"
	"github.com/org/timetracker-ci/pkg/tiers"
)

//go:embed action.yml
var metadata []byte

// Action is the test-report action.
func Action() *action.Action {
	return &action.Action{Name: "test-report", Metadata: metadata, Run: run}
}

// maxJSONFailures bounds the failures in the json output (step outputs share a 1 MiB budget).
const maxJSONFailures = 50

func run(ctx context.Context, rt *action.Runtime) error {
	root, err := testplan.WorkDir(rt.Workspace(), rt.Input("working-directory"))
	if err != nil {
		return action.InputErrorf("working-directory", "%v", err)
	}
	resultGlobs, _ := rt.List("files")
	covGlobs, _ := rt.List("coverage")
	minTests, err := rt.Int("min-tests")
	if err != nil {
		return err
	}
	if minTests < 0 {
		return action.InputErrorf("min-tests", "%d is negative: use 0 to disable the check", minTests)
	}
	failOnFlaky, err := rt.Bool("fail-on-flaky")
	if err != nil {
		return err
	}
	covMin, err := percent("coverage-threshold", rt.Input("coverage-threshold"))
	if err != nil {
		return err
	}
	diffMin, err := percent("diff-coverage-threshold", rt.Input("diff-coverage-threshold"))
	if err != nil {
		return err
	}
	baseRef := rt.Input("base-ref")
	oldTimings := rt.Input("timings")
	timingsFile := rt.Input("timings-file")
	var plan *tiers.Plan
	if text := rt.Input("plan"); text != "" {
		if plan, err = testplan.DecodePlan(text); err != nil {
			return action.InputErrorf("plan", "%v", err)
		}
	}
	if len(resultGlobs) == 0 {
		return action.InputErrorf("files", "give at least one glob of test result files")
	}
	files, err := tiers.Glob(ctx, root, resultGlobs)
	if err != nil {
		return action.InputErrorf("files", "%v", err)
	}
	rt.Logf("test results: %d files match %v", len(files), resultGlobs)
	for i := range files {
		files[i] = filepath.Join(root, filepath.FromSlash(files[i]))
	}
	attempt, _ := strconv.Atoi(rt.Getenv("GITHUB_RUN_ATTEMPT"))
	o := report.Options{Root: root, Attempt: attempt, Plan: plan, MinTests: minTests, FailOnFlaky: failOnFlaky,
		GoTestJSON: gotestjson.Parse, CoverageThreshold: covMin, DiffCoverageThreshold: diffMin}
	o.SourceURL = sourceURL(rt, root)

	// Coverage, with paths as git prints them (relative to the repository).
	repo, repoErr := gitrepo.Open(root)
	if repo != nil {
		defer repo.Close()
	}
	repoRoot := root
	if repoErr == nil {
		repoRoot = repo.Dir()
	}
	if len(covGlobs) > 0 {
		covFiles, err := tiers.Glob(ctx, root, covGlobs)
		if err != nil {
			return action.InputErrorf("coverage", "%v", err)
		}
		for i := range covFiles {
			covFiles[i] = filepath.Join(root, filepath.FromSlash(covFiles[i]))
		}
		if len(covFiles) > 0 {
			cov, errs := report.CoverageFiles(ctx, covFiles, report.RepoPaths(repoRoot, root))
			if cov != nil {
				o.Coverage = cov
			}
			o.CoverageErrors = errs
			rt.Logf("coverage: %d files", len(covFiles))
		}
	}
	if baseRef == "" {
		if ev, err := rt.Event(); err == nil && ev.PullRequest != nil {
			baseRef = ev.PullRequest.PullRequest.Base.SHA
		}
	}
	if baseRef != "" && o.Coverage != nil {
		changed, err := map[string][]int(nil), repoErr
		if err == nil {
			changed, err = repo.ChangedLines(ctx, baseRef, "HEAD")
		}
		if err != nil {
			// Never "no changes": a gate fails on it, and without a gate it
			// is a warning saying what to fetch. The test verdict still comes.
			err = fmt.Errorf("changed lines since %s: %w", baseRef, err)
			o.DiffCoverageErr = err
			if diffMin == 0 {
				rt.Annotate(action.Annotation{Level: action.LevelWarning, Title: "No diff coverage", Message: err.Error(), Rank: 5})
			}
		} else {
			o.ChangedLines = changed
			if o.ChangedLines == nil {
				o.ChangedLines = map[string][]int{}
			}
		}
	} else if diffMin > 0 && o.Coverage != nil {
		return action.InputErrorf("base-ref", "diff-coverage-threshold is set but there is no base to compare with: set base-ref, or run on a pull request")
	}

	r, err := report.Build(ctx, files, o)
	if err != nil {
		return err
	}
	if err := setOutputs(rt, r); err != nil {
		return err
	}
	// Timings for the next plan: this run's tiers replace the old ones.
	tm := r.Timings()
	if oldTimings != "" {
		p := oldTimings
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		old, err := shard.ReadTimingsFile(ctx, p)
		if err != nil {
			return action.InputErrorf("timings", "%v", err)
		}
		for tier, m := range old.Tiers {
			if _, ran := tm.Tiers[tier]; !ran {
				for id, s := range m {
					tm.Set(tier, id, s)
				}
			}
		}
	}
	out := timingsFile
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	if err := writeTimings(out, tm); err != nil {
		return err
	}
	if err := rt.SetOutput("timings", timingsFile); err != nil {
		return err
	}
	for _, a := range r.Annotations() {
		rt.Annotate(action.Annotation{Level: action.Level(a.Level), Title: a.Title, Message: a.Message, File: a.File, Line: a.Line, Rank: a.Rank})
	}
	rt.SetSummary(func(d action.Detail) string { return r.Markdown(report.Detail(d)) })
	c := r.Counts
	rt.Logf("%d tests: %d passed, %d failed, %d errors, %d skipped, %d flaky", c.Total, c.Passed, c.Failed, c.Errors, c.Skipped, c.Flaky)
	if !r.Passed() {
		var why []string
		if c.Failed+c.Errors > 0 {
			why = append(why, fmt.Sprintf("%d tests failed and %d errored", c.Failed, c.Errors))
		}
		return errors.New("test report: " + strings.Join(append(why, r.Problems...), "; "))
	}
	return nil
}

// sourceURL is where failure locations link to: the commit's files on
// GitHub, under the working directory. Empty outside GitHub Actions.
func sourceURL(rt *action.Runtime, root string) string {
	server, repo, sha := rt.Getenv("GITHUB_SERVER_URL"), rt.Getenv("GITHUB_REPOSITORY"), rt.Getenv("GITHUB_SHA")
	if server == "" || repo == "" || sha == "" {
		return ""
	}
	u := strings.TrimSuffix(server, "/") + "/" + repo + "/blob/" + sha + "/"
	if rel, err := filepath.Rel(rt.Workspace(), root); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		u += filepath.ToSlash(rel) + "/"
	}
	return u
}

func percent(name, v string) (float64, error) {
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 100 {
		return 0, action.InputErrorf(name, "%q is not a percentage from 0 to 100", v)
	}
	return f, nil
}

func setOutputs(rt *action.Runtime, r *report.Report) error {
	c := r.Counts
	pct := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 2, 64)
	}
	for name, v := range map[string]string{
		"total": strconv.Itoa(c.Total), "passed": strconv.Itoa(c.Passed), "failed": strconv.Itoa(c.Failed),
		"errors": strconv.Itoa(c.Errors), "skipped": strconv.Itoa(c.Skipped), "flaky": strconv.Itoa(c.Flaky),
		"duration": strconv.FormatFloat(c.Seconds, 'f', 3, 64), "coverage": pct(r.Coverage), "diff-coverage": pct(r.DiffCoverage),
		"conclusion": r.Conclusion,
	} {
		if err := rt.SetOutput(name, v); err != nil {
			return err
		}
	}
	brief := *r
	brief.Failures = append([]report.Test(nil), r.Failures...) // messages are cut below: not in r
	if len(brief.Failures) > maxJSONFailures {
		brief.Unlisted += len(brief.Failures) - maxJSONFailures
		brief.Failures = brief.Failures[:maxJSONFailures]
	}
	brief.FlakyTests = brief.FlakyTests[:min(len(brief.FlakyTests), maxJSONFailures)]
	brief.DiffMissed = brief.DiffMissed[:min(len(brief.DiffMissed), maxJSONFailures)]
	for i := range brief.Failures {
		if len(brief.Failures[i].Message) > 500 {
			brief.Failures[i].Message = brief.Failures[i].Message[:500] + "…"
		}
	}
	return rt.SetOutputJSON("json", &brief)
}

func writeTimings(path string, tm *shard.Timings) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write timings: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write timings: %w", err)
	}
	if _, err := tm.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write timings %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write timings %s: %w", path, err)
	}
	return nil
}
