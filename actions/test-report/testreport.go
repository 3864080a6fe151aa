package testreportaction

import (
	"context"
	"errors"
	"os"
	"runtime/debug"
	"strconv"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/gotestjson"
	"github.com/org/timetracker-ci/pkg/prreport"
	"github.com/org/timetracker-ci/pkg/testreport"
	"github.com/org/timetracker-ci/pkg/tiers"
)

func run(ctx context.Context, rt *action.Runtime) error {
	// The report's live memory is bounded (12 bytes per test, in arrays
	// the collector does not scan, and the failures kept); what the parser
	// leaves behind is short-lived. Collect it at a tenth of the live heap
	// rather than the whole, so peak RSS stays near the live size (10M test
	// cases: about 200 MiB rather than 330). GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(10)
	}
	ws, err := rt.Jail()
	if err != nil {
		return err
	}
	wd := rt.Input("working-directory")
	if wd == "" {
		wd = "."
	}
	// Every file the report reads or writes goes through this jail.
	jail, err := ws.Sub("working-directory", wd)
	if err != nil {
		return err
	}
	defer jail.Close()
	root := jail.Dir()
	resultGlobs := rt.List("files")
	covGlobs := rt.List("coverage")
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
	covMin, err := rt.Percent("coverage-threshold")
	if err != nil {
		return err
	}
	diffMin, err := rt.Percent("diff-coverage-threshold")
	if err != nil {
		return err
	}
	var plan *tiers.Plan
	if text := rt.Input("plan"); text != "" {
		if plan, err = tiers.ReadPlan(root, text); err != nil {
			return action.InputErrorf("plan", "%w", err)
		}
	}
	q, baseSHA, err := readPublishing(rt, jail)
	if err != nil {
		return err
	}
	baseRef := rt.Input("base-ref")
	if baseRef == "" {
		// The pull request's base commit (from event-file in a workflow_run reporter).
		baseRef = baseSHA
	}
	attempt, _ := strconv.Atoi(rt.Getenv("GITHUB_RUN_ATTEMPT"))
	q.Request = testreport.Request{
		Options: testreport.Options{Root: root, Jail: jail, Attempt: attempt, Plan: plan, MinTests: minTests, FailOnFlaky: failOnFlaky,
			GoTestJSON: gotestjson.Parse, CoverageThreshold: covMin, DiffCoverageThreshold: diffMin,
			SourceURL: testreport.SourceURL(rt.Getenv("GITHUB_SERVER_URL"), rt.Getenv("GITHUB_REPOSITORY"), rt.Getenv("GITHUB_SHA"), rt.Workspace(), root)},
		ResultGlobs: resultGlobs, CoverageGlobs: covGlobs, BaseRef: baseRef,
		OldTimings: rt.Input("timings"), TimingsFile: rt.Input("timings-file"), Logf: rt.Logf,
	}
	out, err := prreport.Run(ctx, q)
	for _, w := range out.Warnings {
		rt.Annotate(annotation(w))
	}
	r := out.Report
	if r == nil {
		return err // bad input is an *action.InputError naming the input
	}
	if err := errors.Join(setOutputs(rt, r), rt.SetOutput("timings", out.Timings)); err != nil {
		return err
	}
	if !out.Posting { // the timings or the failures file could not be written
		return err
	}
	for _, a := range r.Annotations() {
		rt.Annotate(annotation(a))
	}
	rt.SetSummary(func(d action.Detail) string { return r.Markdown(summaryDetail[d]) })
	if perr := setPublished(rt, out); perr != nil || err != nil {
		return errors.Join(err, perr)
	}
	c := r.Counts
	rt.Logf("%d tests: %d passed, %d failed, %d errors, %d skipped, %d flaky", c.Total, c.Passed, c.Failed, c.Errors, c.Skipped, c.Flaky)
	return r.Err()
}

// The report's renderings and levels are its own types: these maps say
// which of the runtime's each one is, rather than trusting both to number
// them alike (a test checks every value has its counterpart).
var (
	summaryDetail = map[action.Detail]testreport.Detail{
		action.DetailFull:    testreport.DetailAll,
		action.DetailReduced: testreport.DetailFailuresOnly,
		action.DetailMinimal: testreport.DetailCountsOnly,
	}
	annotationLevel = map[testreport.Level]action.Level{
		testreport.LevelNotice:  action.LevelNotice,
		testreport.LevelWarning: action.LevelWarning,
		testreport.LevelError:   action.LevelError,
	}
)

func annotation(a testreport.Annotation) action.Annotation {
	return action.Annotation{Level: annotationLevel[a.Level], Title: a.Title, Message: a.Message, File: a.File, Line: a.Line, Rank: a.Rank}
}

func setOutputs(rt *action.Runtime, r *testreport.Report) error {
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
