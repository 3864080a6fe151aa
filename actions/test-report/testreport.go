package testreport

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/gotestjson"
	report "github.com/org/timetracker-ci/pkg/testreport"
	"github.com/org/timetracker-ci/pkg/tiers"
)

//go:embed action.yml
var metadata []byte

// Action is the test-report action.
func Action() *action.Action {
	return &action.Action{Name: "test-report", Metadata: metadata, Run: run}
}

func run(ctx context.Context, rt *action.Runtime) error {
	root, err := tiers.WorkDir(rt.Workspace(), rt.Input("working-directory"))
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
	var plan *tiers.Plan
	if text := rt.Input("plan"); text != "" {
		if plan, err = tiers.DecodePlan(text); err != nil {
			return action.InputErrorf("plan", "%v", err)
		}
	}
	baseRef := rt.Input("base-ref")
	if baseRef == "" {
		if ev, err := rt.Event(); err == nil && ev.PullRequest != nil {
			baseRef = ev.PullRequest.PullRequest.Base.SHA
		}
	}
	attempt, _ := strconv.Atoi(rt.Getenv("GITHUB_RUN_ATTEMPT"))
	timingsFile := rt.Input("timings-file")
	r, warnings, err := report.Run(ctx, report.Request{
		Options: report.Options{Root: root, Attempt: attempt, Plan: plan, MinTests: minTests, FailOnFlaky: failOnFlaky,
			GoTestJSON: gotestjson.Parse, CoverageThreshold: covMin, DiffCoverageThreshold: diffMin,
			SourceURL: report.SourceURL(rt.Getenv("GITHUB_SERVER_URL"), rt.Getenv("GITHUB_REPOSITORY"), rt.Getenv("GITHUB_SHA"), rt.Workspace(), root)},
		ResultGlobs: resultGlobs, CoverageGlobs: covGlobs, BaseRef: baseRef,
		OldTimings: rt.Input("timings"), TimingsFile: timingsFile, Logf: rt.Logf,
	})
	for _, w := range warnings {
		rt.Annotate(annotation(w))
	}
	var re *report.RequestError
	if errors.As(err, &re) {
		return action.InputErrorf(requestInputs[re.Field], "%v", re.Err)
	}
	if r == nil {
		return err
	}
	if err := setOutputs(rt, r); err != nil {
		return err
	}
	if err != nil { // the timings could not be written
		return err
	}
	if err := rt.SetOutput("timings", timingsFile); err != nil {
		return err
	}
	for _, a := range r.Annotations() {
		rt.Annotate(annotation(a))
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

// requestInputs names the input behind each field of report.Request.
var requestInputs = map[string]string{"ResultGlobs": "files", "CoverageGlobs": "coverage", "BaseRef": "base-ref", "OldTimings": "timings"}

func annotation(a report.Annotation) action.Annotation {
	return action.Annotation{Level: action.Level(a.Level), Title: a.Title, Message: a.Message, File: a.File, Line: a.Line, Rank: a.Rank}
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
	return rt.SetOutputJSON("json", r.Brief())
}
