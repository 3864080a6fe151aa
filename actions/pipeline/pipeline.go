package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/coverage"
	"github.com/org/timetracker-ci/pkg/testreport"
	"github.com/org/timetracker-ci/pkg/tiers"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// Options are the command's flags.
type Options struct {
	Dir       string   // the application folder
	Out       string   // where manifests, release files and logs go
	Registry  string   // host[:port]; empty starts an in-process registry
	Image     string   // image name without registry; default local/<folder name>
	Platforms []string // platforms of the image
	Tiers     []string // tiers to run; empty runs every defined tier
	Python    string   // the interpreter with pytest; empty finds one
}

// ParseArgs reads the command line.
func ParseArgs(args []string, stderr io.Writer) (Options, error) {
	var o Options
	var platforms, tierList string
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Dir, "dir", "examples/timetracker", "the application folder (pytest.ini, tests/)")
	fs.StringVar(&o.Out, "out", "dist", "folder for the manifests, the release files and the logs")
	fs.StringVar(&o.Registry, "registry", "", "registry host[:port] reached over plain HTTP; empty: an in-process registry")
	fs.StringVar(&o.Image, "image", "", "image name without registry (default local/<folder name>)")
	fs.StringVar(&platforms, "platforms", "linux/amd64,linux/arm64", "platforms of the image, comma-separated")
	fs.StringVar(&tierList, "tier", "", "tiers to run, comma-separated (default: every tier)")
	fs.StringVar(&o.Python, "python", "", "python interpreter with pytest (default: the first of $PYTHON, python3, /usr/bin/python3 that has it)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: timetracker-ci-local pipeline [--dir examples/timetracker] [--out dist] [flags]\n\n"+
			"Runs version, the test tiers (pytest), the image (pushed to an in-process registry unless --registry),\n"+
			"the deployment manifests and the release in dry-run, and prints a summary.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := action.ParseFlags(fs, args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, action.UsageErrorf("pipeline takes only flags, not %q (see timetracker-ci-local pipeline --help)", fs.Arg(0))
	}
	o.Platforms = action.SplitList(platforms)
	o.Tiers = action.SplitList(tierList)
	if len(o.Platforms) == 0 {
		return o, action.UsageErrorf("pipeline: --platforms is empty: give at least one, e.g. linux/amd64")
	}
	return o, nil
}

// Run is the command; acts holds the actions it composes.
func Run(ctx context.Context, env action.Env, acts action.Actions, args []string) error {
	o, err := ParseArgs(args, env.Stderr)
	if err != nil {
		return err // flag.ErrHelp after --help: Program.Main exits 0
	}
	res, err := Execute(ctx, env, acts, o)
	if res != nil {
		fmt.Fprint(env.Stdout, res.Summary())
	}
	return err
}

// TierResult is one tier's outcome.
type TierResult struct {
	Name string
	testreport.Counts
	Coverage *float64
}

// Step is one stage with its wall time.
type Step struct {
	Name    string
	Seconds float64
	Err     error
}

// Result is everything the summary shows.
type Result struct {
	Dir, Out              string
	Version, Kind, GitTag string
	Tags                  []string
	Repository            string
	Tiers                 []TierResult
	Coverage              *float64
	TestConclusion        string
	Digest, Ref           string
	Platforms             []string
	Files                 []string
	Steps                 []Step
	Logs                  string
}

// pipeline carries one run's state.
type pipeline struct {
	o       Options
	env     action.Env     // the caller's, for progress lines
	acts    action.Actions // the actions it runs, by name
	inner   action.Env     // what the composed actions see
	ws      string         // the workspace: the working directory
	dir     string         // the application folder, absolute
	out     string         // the output folder, absolute
	logs    string
	res     *Result
	started time.Time
	closers []func() // run when Execute returns: nothing it started outlives it
}

// Execute runs the pipeline and returns what it did, also on failure. The
// actions it composes are found in acts by name.
func Execute(ctx context.Context, env action.Env, acts action.Actions, o Options) (*Result, error) {
	ws := env.Dir
	if ws == "" {
		var err error
		if ws, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("working directory: %w", err)
		}
	}
	p := &pipeline{o: o, env: env, acts: acts, ws: ws, started: time.Now()}
	defer func() {
		for i := len(p.closers) - 1; i >= 0; i-- {
			p.closers[i]()
		}
	}()
	p.dir = absUnder(ws, o.Dir)
	p.out = absUnder(ws, o.Out)
	if !isDir(p.dir) {
		return nil, action.UsageErrorf("pipeline: --dir %s is not a folder: give the application folder (the one with pytest.ini and tests/)", o.Dir)
	}
	p.logs = filepath.Join(p.out, "logs")
	if err := os.MkdirAll(filepath.Join(p.out, "tmp"), 0o755); err != nil {
		return nil, fmt.Errorf("creating the output folder: %w", err)
	}
	if err := os.MkdirAll(p.logs, 0o755); err != nil {
		return nil, fmt.Errorf("creating the output folder: %w", err)
	}
	p.res = &Result{Dir: o.Dir, Out: o.Out, Platforms: o.Platforms, Logs: p.show(p.logs)}
	p.inner = p.innerEnv()

	// Later steps need earlier outputs: stop at the first failure.
	var v map[string]string
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"version", func(ctx context.Context) (err error) { v, err = p.version(ctx); return err }},
		{"tests", func(ctx context.Context) error { return p.tests(ctx) }},
		{"image", func(ctx context.Context) error { return p.image(ctx, v) }},
		{"manifest", func(ctx context.Context) error { return p.manifest(ctx, v) }},
		{"release", func(ctx context.Context) error { return p.release(ctx, v) }},
	}
	for i, s := range steps {
		fmt.Fprintf(env.Stderr, "[%d/%d] %s\n", i+1, len(steps), s.name)
		start := time.Now()
		err := s.fn(ctx)
		p.res.Steps = append(p.res.Steps, Step{Name: s.name, Seconds: time.Since(start).Seconds(), Err: err})
		if err != nil {
			return p.res, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return p.res, nil
}

func absUnder(ws, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(ws, p)
}

// rel is p relative to the workspace, as the actions' path inputs want it.
func (p *pipeline) rel(abs string) string {
	r, err := filepath.Rel(p.ws, abs)
	if err != nil {
		return abs
	}
	return filepath.ToSlash(r)
}

// show is how a path is printed: relative to the working directory when
// it is inside it, absolute otherwise.
func (p *pipeline) show(abs string) string {
	if r := p.rel(abs); !strings.HasPrefix(r, "..") {
		return r
	}
	return abs
}

// innerEnv is the environment of the composed actions: local mode whatever
// the caller's environment says about GitHub, the workspace and a temp
// folder under the output folder, and their logs in a file per step.
func (p *pipeline) innerEnv() action.Env {
	set := map[string]string{"GITHUB_EVENT_NAME": "", "GITHUB_REF": "", "GITHUB_SHA": "",
		"GITHUB_WORKSPACE": p.ws, "RUNNER_TEMP": filepath.Join(p.out, "tmp")}
	if p.env.Getenv("GITHUB_REPOSITORY") == "" {
		set["GITHUB_REPOSITORY"] = p.imageRepo() // the release's repository in the dry run
	}
	inner := p.env.Local(set)
	inner.Dir = p.ws
	return inner
}

// invoke runs the named action with its log in logs/<name>.log.
func (p *pipeline) invoke(ctx context.Context, name string, inputs map[string]string) (map[string]string, error) {
	f, err := os.OpenFile(filepath.Join(p.logs, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	defer f.Close()
	env := p.inner
	env.Stdout, env.Stderr = f, f
	out, err := p.acts.Invoke(ctx, name, env, inputs)
	if err != nil {
		return out, fmt.Errorf("%w (log: %s)", err, p.show(f.Name()))
	}
	return out, nil
}

// progress prints a line every few seconds while fn runs, so a long step
// never looks stuck. The ticker goroutine writes to the caller's stderr,
// which the next step writes to as well: it is stopped and waited for
// before progress returns.
func (p *pipeline) progress(label string, fn func() error) error {
	return progressEvery(p.env.Stderr, 5*time.Second, label, fn)
}

func progressEvery(w io.Writer, every time.Duration, label string, fn func() error) error {
	done := make(chan struct{})
	exited := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(exited)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(w, "      %s … %ds\n", label, int(time.Since(start).Seconds()))
			}
		}
	}()
	defer func() { close(done); <-exited }()
	return fn()
}

func (p *pipeline) imageRepo() string {
	if p.o.Image != "" {
		return strings.ToLower(p.o.Image)
	}
	return "local/" + strings.ToLower(filepath.Base(p.dir))
}

func (p *pipeline) version(ctx context.Context) (map[string]string, error) {
	out, err := p.invoke(ctx, "version", map[string]string{
		"path":   p.rel(p.dir),
		"images": "registry.invalid/" + p.imageRepo(), // the real registry is known only later
		"tags":   "type=timetracker",                  // our scheme, as the reusable workflows
	})
	if err != nil {
		return nil, err
	}
	p.res.Version, p.res.Kind, p.res.GitTag = out["version"], out["kind"], out["tag"]
	p.res.Tags = action.SplitList(out["tag-names"])
	fmt.Fprintf(p.env.Stderr, "      %s (%s), tags %s\n", p.res.Version, p.res.Kind, strings.Join(p.res.Tags, ", "))
	return out, nil
}

// python finds an interpreter that has pytest.
func (p *pipeline) python(ctx context.Context) (string, error) {
	cands := []string{p.o.Python}
	if p.o.Python == "" {
		cands = []string{p.env.Getenv("PYTHON"), "python3", "/usr/bin/python3"}
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if exec.CommandContext(ctx, c, "-c", "import pytest, pytest_cov").Run() == nil {
			return c, nil
		}
	}
	return "", errors.New("no python3 with pytest and pytest-cov found: install them (Debian: apt-get install -y python3-pytest python3-pytest-cov python3-pytest-xdist, plus the app's own packages, e.g. python3-flask python3-flask-sqlalchemy python3-flask-migrate; or pip install pytest pytest-cov pytest-xdist), or point --python at an interpreter that has them")
}

func (p *pipeline) tests(ctx context.Context) error {
	py, err := p.python(ctx)
	if err != nil {
		return err
	}
	planOut, err := p.invoke(ctx, "test-plan", map[string]string{
		"select": strings.Join(p.o.Tiers, ","), "shards": "1", "working-directory": p.rel(p.dir),
	})
	if err != nil {
		return err
	}
	plan, err := tiers.DecodePlan(planOut["plan"])
	if err != nil {
		return err
	}
	if err := plan.ClearResults(p.dir); err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(p.logs, "pytest.log"))
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	defer logf.Close()
	for _, tp := range plan.Tiers {
		args, err := plan.Args(tp.Name, 1, 1)
		if err != nil {
			return err
		}
		argv := append([]string{py, "-m", "pytest", "-p", "no:cacheprovider", "-q"}, args...)
		fmt.Fprintf(logf, "== tier %s: %s\n", tp.Name, tiers.ShellQuote(argv))
		start := time.Now()
		var code int
		err = p.progress("pytest "+tp.Name, func() error {
			cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
			cmd.Dir = p.dir
			cmd.Stdout, cmd.Stderr = logf, logf
			runErr := cmd.Run()
			var exit *exec.ExitError
			if errors.As(runErr, &exit) {
				code = exit.ExitCode()
				return nil
			}
			return runErr
		})
		if err != nil {
			return fmt.Errorf("running pytest for tier %s: %w", tp.Name, err)
		}
		// pytest exits 1 on failures and 5 when nothing was selected: the
		// report decides what that means.
		fmt.Fprintf(p.env.Stderr, "      %-12s pytest exit %d in %.1fs\n", tp.Name, code, time.Since(start).Seconds())
	}
	planJSON, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	junitGlobs, covGlobs := plan.ResultGlobs()
	out, runErr := p.invoke(ctx, "test-report", map[string]string{
		"files": strings.Join(junitGlobs, "\n"), "coverage": strings.Join(covGlobs, "\n"),
		"plan": string(planJSON), "working-directory": p.rel(p.dir),
		"timings-file": filepath.ToSlash(filepath.Join(plan.ResultsDir, "timings.json")),
	})
	if out["json"] != "" {
		var r testreport.Report
		if err := json.Unmarshal([]byte(out["json"]), &r); err == nil {
			p.res.Coverage, p.res.TestConclusion = r.Coverage, r.Conclusion
			for _, t := range r.Tiers {
				tr := TierResult{Name: t.Name, Counts: t.Counts}
				tr.Coverage = p.tierCoverage(ctx, plan.ResultsDir, t.Name)
				p.res.Tiers = append(p.res.Tiers, tr)
			}
			for _, f := range r.Failures {
				fmt.Fprintf(p.env.Stderr, "      FAILED %s %s: %s\n", f.Tier, f.ID, firstLine(f.Message))
			}
		}
	}
	if runErr != nil {
		return fmt.Errorf("the tests failed; pytest's output is in %s: %w", p.show(logf.Name()), runErr)
	}
	return nil
}

// tierCoverage reads the tier's own Cobertura report, if it wrote one.
func (p *pipeline) tierCoverage(ctx context.Context, resultsDir, tier string) *float64 {
	// Through a jail at the application folder: a coverage file named like
	// the tier's but symlinked out of it, or a FIFO, is not read.
	w, err := workspace.Open(p.dir)
	if err != nil {
		return nil
	}
	defer w.Close()
	matches, _ := w.Glob("results-dir", path.Join(filepath.ToSlash(resultsDir), "coverage-"+tier+"-*.xml"))
	var reps []*coverage.Report
	for _, m := range matches {
		f, err := w.Open("results-dir", m, workspace.KindReport)
		if err != nil {
			continue
		}
		r, err := coverage.ParseCobertura(ctx, f.Reader(workspace.KindReport))
		f.Close()
		if err == nil {
			reps = append(reps, r)
		}
	}
	if len(reps) == 0 {
		return nil
	}
	pc := coverage.Merge(reps...).Percent()
	return &pc
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (p *pipeline) image(ctx context.Context, v map[string]string) error {
	host := p.o.Registry
	if host == "" {
		// The in-process registry lives as long as the command: it shows the
		// publishing path, nothing is kept.
		srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
		p.closers = append(p.closers, srv.Close)
		host = strings.TrimPrefix(srv.URL, "http://")
	}
	repo := host + "/" + p.imageRepo()
	p.res.Repository = repo
	created, err := time.Parse(time.RFC3339, v["commit-date"])
	if err != nil {
		created = time.Unix(0, 0).UTC() // reproducible even without a commit date
	}
	labels := map[string]string{}
	for _, l := range action.SplitLines(v["labels"]) {
		if k, val, ok := strings.Cut(l, "="); ok {
			labels[k] = val
		}
	}
	layer, n, err := appLayer(p.dir, created)
	if err != nil {
		return err
	}
	var sources []string
	err = p.progress("pushing", func() error {
		var err error
		sources, err = pushPlatforms(ctx, repo, layer, p.o.Platforms, labels, created, true)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(p.env.Stderr, "      %d files, %d platform images pushed to %s by digest\n", n, len(sources), repo)
	out, err := p.invoke(ctx, "image", map[string]string{
		"sources": strings.Join(sources, "\n"), "images": repo, "tags": strings.Join(p.res.Tags, "\n"),
		"platforms": strings.Join(p.o.Platforms, ","), "insecure-registries": host,
	})
	if err != nil {
		return err
	}
	p.res.Digest = out["digest"]
	p.res.Ref = repo + "@" + out["digest"]
	return nil
}

func (p *pipeline) manifest(ctx context.Context, v map[string]string) error {
	tag := ""
	if len(p.res.Tags) > 0 {
		tag = p.res.Tags[0]
	}
	host, _, _ := strings.Cut(p.res.Repository, "/")
	revision := v["revision"]
	for _, l := range action.SplitLines(v["labels"]) {
		if k, val, ok := strings.Cut(l, "="); ok && k == "org.opencontainers.image.revision" {
			revision = val
		}
	}
	out, err := p.invoke(ctx, "manifest", map[string]string{
		"image": p.res.Ref, "tag": tag, "version": p.res.Version, "revision": revision,
		"build-time": v["commit-date"], "output-dir": p.rel(filepath.Join(p.out, "deploy")),
		"platforms": strings.Join(p.o.Platforms, ","), "insecure-registries": host,
	})
	if err != nil {
		return err
	}
	var files []string
	if err := json.Unmarshal([]byte(out["files"]), &files); err != nil {
		return fmt.Errorf("manifest files output %q: %w", out["files"], err)
	}
	for _, f := range files {
		p.res.Files = append(p.res.Files, p.show(absUnder(p.ws, f)))
	}
	return nil
}

func (p *pipeline) release(ctx context.Context, v map[string]string) error {
	tag := p.res.GitTag
	if tag == "" {
		tag = "v" + p.res.Version // development builds have no git tag; the dry run shows the release they would make
	}
	dir := filepath.Join(p.out, "release")
	// The release writes its own SHA256SUMS over every asset.
	var assets []string
	for _, f := range p.res.Files {
		if filepath.Base(f) != "SHA256SUMS" {
			assets = append(assets, f)
		}
	}
	_, err := p.invoke(ctx, "release", map[string]string{
		"tag": tag, "dry-run": "true", "output-dir": p.rel(dir),
		"assets": strings.Join(assets, "\n"), "github-token": "",
		"previous-tag": v["previous-tag"],
	})
	if err != nil {
		return err
	}
	entries, err := readDir(dir)
	if err != nil {
		return fmt.Errorf("reading the dry-run folder: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			p.res.Files = append(p.res.Files, p.show(filepath.Join(dir, e.Name())))
		}
	}
	return nil
}

// Summary is the one-screen testreport.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString("\ntimetracker-ci-local pipeline: " + r.Dir + "\n\n")
	if r.Version != "" {
		fmt.Fprintf(&b, "version   %s (%s)", r.Version, r.Kind)
		if r.GitTag != "" {
			fmt.Fprintf(&b, ", git tag %s", r.GitTag)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "tags      %s\n", strings.Join(r.Tags, ", "))
	}
	if len(r.Tiers) > 0 {
		b.WriteString("\ntests     tier          tests  passed  failed  errors  skipped  coverage    time\n")
		var tot testreport.Counts
		for _, t := range r.Tiers {
			fmt.Fprintf(&b, "          %-12s %6d  %6d  %6d  %6d  %7d  %8s  %5.1fs\n", t.Name, t.Total, t.Passed, t.Failed, t.Errors, t.Skipped, pct(t.Coverage), t.Seconds)
			tot.Add(t.Counts)
		}
		fmt.Fprintf(&b, "          %-12s %6d  %6d  %6d  %6d  %7d  %8s  %5.1fs\n", "all", tot.Total, tot.Passed, tot.Failed, tot.Errors, tot.Skipped, pct(r.Coverage), tot.Seconds)
	}
	if r.Digest != "" {
		fmt.Fprintf(&b, "\nimage     %s\ndigest    %s (%s)\n", r.Repository, r.Digest, strings.Join(r.Platforms, ", "))
	}
	if len(r.Files) > 0 {
		b.WriteString("\nfiles\n")
		for _, f := range r.Files {
			fmt.Fprintf(&b, "          %s\n", f)
		}
	}
	b.WriteString("\nsteps    ")
	var total float64
	for _, s := range r.Steps {
		mark := ""
		if s.Err != nil {
			mark = " FAILED"
		}
		fmt.Fprintf(&b, " %s %s%s,", s.Name, secs(s.Seconds), mark)
		total += s.Seconds
	}
	fmt.Fprintf(&b, " total %s (logs in %s)\n", secs(total), r.Logs)
	return b.String()
}

// secs keeps short steps from all reading 0.0s.
func secs(s float64) string {
	if s < 1 {
		return strconv.FormatFloat(s, 'f', 2, 64) + "s"
	}
	return strconv.FormatFloat(s, 'f', 1, 64) + "s"
}

func pct(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'f', 1, 64) + "%"
}

// isDir reports whether dir is a folder, through a jail opened at it.
func isDir(dir string) bool {
	w, err := workspace.Open(dir)
	if err != nil {
		return false
	}
	defer w.Close()
	st, err := w.Stat("dir", ".")
	return err == nil && st.IsDir()
}

// readDir lists a folder the pipeline wrote, through a jail opened at it.
func readDir(dir string) ([]fs.DirEntry, error) {
	w, err := workspace.Open(dir)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	return w.ReadDir("output", ".")
}
