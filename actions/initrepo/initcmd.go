package initcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"io"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/initrepo"
	workflowstemplates "github.com/org/timetracker-ci/workflows-templates"
)

// Name is the subcommand.
const Name = "init"

var releaseRe = lazyre.New(`^v?\d+\.\d+\.\d+$`)

// Command returns `timetracker-ci init`; version is the binary's, the
// release the written workflows are pinned to by default.
func Command(version string) *action.Command {
	return &action.Command{
		Name:    Name,
		Summary: "set an application repository up: caller workflows pinned to this release and a dependabot file (--dry-run shows the diff)",
		Run: func(ctx context.Context, env action.Env, args []string) error {
			return run(ctx, env, version, args)
		},
	}
}

type options struct {
	dir, ref      string
	dryRun, force bool
}

func parse(args []string, version string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	defRef := "main"
	if releaseRe.MatchString(version) {
		defRef = "v" + strings.TrimPrefix(version, "v")
	}
	fs.StringVar(&o.dir, "dir", ".", "the application repository")
	fs.StringVar(&o.ref, "ref", defRef, "the timetracker-ci release the workflows call (default: this binary's release)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the diff, write nothing")
	fs.BoolVar(&o.force, "force", false, "also replace files you changed since init wrote them")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: timetracker-ci init [--dir .] [--ref %s] [--dry-run] [--force]\n\n"+
			"Detects the Python version, requirements, pytest markers, Dockerfile and health endpoint,\n"+
			"migrations, default branch and image name, and writes .github/workflows/*.yml and\n"+
			".github/dependabot.yml. Running it again changes nothing; a file you changed is kept.\n\nFlags:\n", defRef)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, action.UsageErrorf("init: %v (see timetracker-ci init --help)", err)
	}
	if fs.NArg() > 0 {
		return o, action.UsageErrorf("init takes only flags, not %q (see timetracker-ci init --help)", fs.Arg(0))
	}
	return o, nil
}

func run(ctx context.Context, env action.Env, version string, args []string) error {
	o, err := parse(args, version, env.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	root := o.dir
	if !strings.HasPrefix(root, "/") && env.Dir != "" {
		root = env.Dir + "/" + root
	}
	facts, err := initrepo.Detect(ctx, root)
	if err != nil {
		return action.UsageErrorf("init: --dir %v", err)
	}
	w := env.Stdout
	fmt.Fprintf(w, "python %s (%s), requirements %s, test requirements %s\n", facts.PythonVersion, facts.PythonFrom, or(facts.Requirements, "none"), or(facts.TestRequirements, "none"))
	fmt.Fprintf(w, "markers %s (%s)\n", or(strings.Join(facts.Markers, ", "), "none"), or(facts.MarkersFrom, "not registered"))
	fmt.Fprintf(w, "Dockerfile %v, health %s (%s), migrations %v, default branch %s, image %s (%s)\n",
		facts.Dockerfile, or(facts.HealthPath, "none"), or(facts.HealthFrom, "not found"), facts.Migrations, facts.DefaultBranch,
		or(facts.Image, "the workflow's default"), or(facts.ImageFrom, "no github.com remote"))
	if o.ref == "main" {
		fmt.Fprintln(w, "this binary is a development build: the workflows call @main; pass --ref v<release> to pin a release")
	}
	files, err := initrepo.Render(facts, workflowstemplates.FS, o.ref)
	if err != nil {
		return action.UsageErrorf("init: --ref: %v", err)
	}
	changes, err := initrepo.Apply(ctx, root, files, initrepo.ApplyOptions{DryRun: o.dryRun, Force: o.force})
	if err != nil {
		return err
	}
	kept := 0
	for _, c := range changes {
		verb := c.Action
		if o.dryRun && c.Action != initrepo.Unchanged && c.Action != initrepo.Kept {
			verb = "would " + verb
		}
		if c.Action == initrepo.Kept {
			kept++
			verb = "kept (" + c.Why + "; --force replaces it)"
		}
		fmt.Fprintf(w, "%s %s\n", verb, c.Path)
		if o.dryRun && c.Diff != "" {
			fmt.Fprint(w, c.Diff)
		}
	}
	if kept > 0 && !o.dryRun {
		fmt.Fprintf(w, "%d file(s) kept: see the changes init would make with --dry-run\n", kept)
	}
	return nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
