package doctoraction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/doctor"
	"github.com/org/timetracker-ci/pkg/tiers"
)

func run(ctx context.Context, rt *action.Runtime) error {
	// The repository is audited through a jail at path (pkg/doctor reads
	// every file through it), itself inside the workspace after symlinks.
	jail, prefix, err := rt.PathInput("path")
	if err != nil {
		return err
	}
	st, err := jail.Stat("path", prefix)
	var refused *action.PathError
	if errors.As(err, &refused) && !errors.Is(err, fs.ErrNotExist) {
		return err // outside the workspace, through a symlink
	}
	if err != nil || !st.IsDir() {
		return action.InputErrorf("path", "%s is not a folder in the workspace: give the application repository, relative to the workspace", rt.Input("path"))
	}
	repo, err := jail.Sub("path", prefix)
	if err != nil {
		return err
	}
	root := repo.Dir()
	repo.Close()
	format := rt.Input("format")
	if format != "text" && format != "json" {
		return action.InputErrorf("format", "format %q is neither text nor json", format)
	}
	var o doctor.Options
	if def := rt.Input("tiers"); def != "" {
		ts, err := tiers.Load(ctx, root, def)
		if errors.As(err, &refused) {
			return refused // the jail's refusal names the input and the path
		}
		if err != nil {
			return action.InputErrorf("tiers", "%v", err)
		}
		o.Tiers = ts
	}
	findings, err := doctor.Run(ctx, root, o)
	if err != nil {
		return err
	}
	if findings == nil {
		findings = []doctor.Finding{}
	}
	for _, f := range findings {
		if rt.Local() {
			break // the lines below say it all on a terminal
		}
		level := action.LevelWarning
		if f.Severity == doctor.Error {
			level = action.LevelError
		}
		rt.Annotate(action.Annotation{Level: level, Title: "doctor: " + f.Rule, File: path.Join(prefix, f.File), Line: f.Line,
			Message: f.Message + "\nWhy: " + f.Why + "\nFix: " + f.Fix})
	}
	errs, warns := doctor.Count(findings)
	js, err := json.MarshalIndent(findings, "", "  ")
	if err != nil {
		return err
	}
	if format == "json" {
		fmt.Fprintln(rt.Stdout(), string(js))
	} else {
		for _, f := range findings {
			fmt.Fprintln(rt.Stdout(), f.String())
		}
		fmt.Fprintf(rt.Stdout(), "doctor: %d error(s), %d warning(s)\n", errs, warns)
	}
	for _, set := range []error{
		rt.SetOutput("errors", fmt.Sprint(errs)),
		rt.SetOutput("warnings", fmt.Sprint(warns)),
		rt.SetOutput("json", string(js)),
	} {
		if set != nil {
			return set
		}
	}
	if errs > 0 {
		return fmt.Errorf("doctor found %d error(s) and %d warning(s): fix the errors (each finding says how; docs/troubleshooting.md lists them)", errs, warns)
	}
	return nil
}
