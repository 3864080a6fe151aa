package localtest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/testreport"
	"github.com/org/timetracker-ci/pkg/tiers"
)

// Options are the command's flags.
type Options struct {
	Tiers             []string // tier names; empty: every defined tier
	Definitions       string   // tiers YAML or path
	Paths             []string
	ResultsDir        string
	Timings           string
	MinTests          int
	CoverageThreshold string
	FailOnFlaky       bool
	Command           []string
}

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, action.SplitList(v)...)
	return nil
}

// ParseArgs reads the command line.
func ParseArgs(args []string, stderr io.Writer) (Options, error) {
	o := Options{}
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tierList, paths listFlag
	fs.Var(&tierList, "tier", "tier to run (repeat, or comma-separate); default every tier")
	fs.StringVar(&o.Definitions, "tiers", "", "tier definitions: YAML inline or a file; default the five TimeTracker tiers")
	fs.Var(&paths, "paths", "test file globs (repeat); default tests/**/test_*.py, tests/**/*_test.py")
	fs.StringVar(&o.ResultsDir, "results-dir", tiers.DefaultResultsDir, "where JUnit XML and coverage are written")
	fs.StringVar(&o.Timings, "timings-file", "", "where to write the timings for the next plan; default <results-dir>/timings.json")
	fs.IntVar(&o.MinTests, "min-tests", 1, "tests that must run per tier (0 disables)")
	fs.StringVar(&o.CoverageThreshold, "coverage-threshold", "0", "minimum total coverage in percent")
	fs.BoolVar(&o.FailOnFlaky, "fail-on-flaky", false, "fail when a test passed only after failing")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: timetracker-ci-local test [flags] [-- command...]\n\nPlans the tiers, runs the command once per tier with the tier's pytest\narguments appended, and reports like test-report. The command defaults to pytest.\n\n")
		fs.PrintDefaults()
	}
	var rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	if err := action.ParseFlags(fs, args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, action.UsageErrorf("unexpected %q: put the test command after --, e.g. timetracker-ci-local test --tier unit -- pytest -x", fs.Arg(0))
	}
	o.Tiers, o.Paths, o.Command = tierList, paths, rest
	if len(o.Command) == 0 {
		o.Command = []string{"pytest"}
	}
	if o.Timings == "" {
		o.Timings = filepath.Join(o.ResultsDir, "timings.json")
	}
	return o, nil
}

// Run is the command; acts holds the test-plan and test-report actions.
func Run(ctx context.Context, env action.Env, acts action.Actions, args []string) error {
	o, err := ParseArgs(args, env.Stderr)
	if err != nil {
		return err // flag.ErrHelp after --help: Program.Main exits 0
	}
	dir := env.Dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return fmt.Errorf("working directory: %w", err)
		}
	}
	// The composed actions run as they would locally, in dir.
	inner := env.Local(map[string]string{"GITHUB_WORKSPACE": ""})
	inner.Dir = dir
	planOut, err := acts.Invoke(ctx, "test-plan", inner, map[string]string{
		"tiers": o.Definitions, "select": strings.Join(o.Tiers, ","), "shards": "1",
		"paths": strings.Join(o.Paths, "\n"), "timings": o.Timings, "results-dir": o.ResultsDir, "working-directory": dir,
	})
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	plan, err := tiers.DecodePlan(planOut["plan"])
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if err := plan.ClearResults(dir); err != nil {
		return err
	}
	for _, tp := range plan.Tiers {
		args, err := plan.Args(tp.Name, 1, 1)
		if err != nil {
			return err
		}
		argv := append(append([]string(nil), o.Command...), args...)
		fmt.Fprintf(env.Stdout, "== tier %s: %s\n", tp.Name, tiers.ShellQuote(argv))
		code, err := runCommand(ctx, env, dir, argv)
		if err != nil {
			return err
		}
		// pytest exits 1 for failures and 5 when no test was selected: the
		// report decides what that means, not the exit code.
		if code != 0 {
			fmt.Fprintf(env.Stdout, "== tier %s: the command exited with %d\n", tp.Name, code)
		}
	}
	planJSON, _ := json.Marshal(plan)
	junitGlobs, covGlobs := plan.ResultGlobs()
	out, runErr := acts.Invoke(ctx, "test-report", inner, map[string]string{
		"files": strings.Join(junitGlobs, "\n"), "coverage": strings.Join(covGlobs, "\n"),
		"plan": string(planJSON), "min-tests": strconv.Itoa(o.MinTests), "fail-on-flaky": strconv.FormatBool(o.FailOnFlaky),
		"coverage-threshold": o.CoverageThreshold, "timings": o.Timings, "timings-file": o.Timings, "working-directory": dir,
	})
	if out["json"] != "" {
		var r testreport.Report
		if err := json.Unmarshal([]byte(out["json"]), &r); err == nil {
			fmt.Fprint(env.Stdout, Text(&r))
		}
	}
	if runErr != nil {
		if action.IsInputError(runErr) {
			return runErr
		}
		return errors.New("tests failed (see above)")
	}
	return nil
}

func runCommand(ctx context.Context, env action.Env, dir string, argv []string) (int, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = env.Stdout, env.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 0, fmt.Errorf("run %s: %w (install it, or give the test command after --)", argv[0], err)
	}
	return 0, nil
}

// Text is the report for a terminal.
func Text(r *testreport.Report) string {
	var b strings.Builder
	b.WriteString("\n")
	for _, t := range r.Tiers {
		c := t.Counts
		name := t.Name
		if name == "" {
			name = "tests"
		}
		fmt.Fprintf(&b, "%-12s %5d tests: %d passed, %d failed, %d errors, %d skipped, %d flaky\n", name, c.Total, c.Passed, c.Failed, c.Errors, c.Skipped, c.Flaky)
	}
	for _, f := range r.Failures {
		loc := f.File
		if f.Line > 0 {
			loc += ":" + strconv.Itoa(f.Line)
		}
		fmt.Fprintf(&b, "FAILED %s %s %s: %s\n", f.Tier, f.ID, loc, firstLine(f.Message))
	}
	if r.Coverage != nil {
		fmt.Fprintf(&b, "coverage %.2f%%\n", *r.Coverage)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "problem: %s\n", p)
	}
	fmt.Fprintf(&b, "%s\n", r.Conclusion)
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
