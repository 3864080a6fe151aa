package rollbackaction

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/rollback"
)

func run(ctx context.Context, rt *action.Runtime) error {
	ctx, cancel, _, err := rt.Timeout(ctx, "timeout")
	if err != nil {
		return err
	}
	defer cancel()
	o, reg, err := inputs(rt)
	if err != nil {
		return err
	}
	var res *rollback.Result
	err = rt.Group("Roll back "+strings.Join(o.Images, ", "), func() error {
		var err error
		res, err = rollback.Run(ctx, reg, o)
		return err
	})
	var ie *rollback.InputError
	if errors.As(err, &ie) {
		err = action.InputErrorf(ie.Input, "%v", ie.Err)
	}
	if res != nil {
		if oerr := setOutputs(rt, res); oerr != nil {
			return errors.Join(err, oerr)
		}
		rt.SetSummary(func(d action.Detail) string { return summary(res, err, d) })
	}
	return err
}

// inputs reads and checks every input; problems are input errors naming it.
func inputs(rt *action.Runtime) (rollback.Options, *registry.Client, error) {
	var o rollback.Options
	var err error
	o.Images = rt.List("images")
	if len(o.Images) == 0 {
		return o, nil, action.InputErrorf("images", "lists no repository: give the repositories to roll back, e.g. ghcr.io/org/app")
	}
	for i, s := range o.Images {
		r, err := registry.ParseRepository(s)
		if err != nil {
			return o, nil, action.InputErrorf("images", "%v", err)
		}
		o.Images[i] = r.Name()
	}
	o.To = rt.Input("to")
	o.Tags = rt.List("tags")
	o.Platforms = rt.List("platforms")
	for _, p := range o.Platforms {
		if _, err := registry.ParsePlatform(p); err != nil {
			return o, nil, action.InputErrorf("platforms", "%v", err)
		}
	}
	o.ReleaseTagPrefix = rt.Input("release-tag-prefix")
	if strings.ContainsAny(o.ReleaseTagPrefix, "/\\ \t\r\n.~^:?*[") {
		return o, nil, action.InputErrorf("release-tag-prefix", "%q cannot start a git tag name: use letters, digits, - or _ (v for v1.2.3)", o.ReleaseTagPrefix)
	}
	if o.DryRun, err = rt.Bool("dry-run"); err != nil {
		return o, nil, err
	}
	if dir := rt.Input("deploy-dir"); dir != "" {
		// Created through the jail: inside the workspace after symlinks.
		if o.DeployDir, err = jailedDir(rt, "deploy-dir", dir); err != nil {
			return o, nil, err
		}
	}

	creds := registry.Credentials{Username: rt.Input("username"), Password: rt.Input("password"), Lines: rt.Input("registry-auth")}
	for _, a := range creds.Secrets() {
		rt.MaskCredential(a.Username, a.Password)
	}
	opts, err := creds.Options(o.Images[0])
	var ce *registry.CredentialError
	if errors.As(err, &ce) {
		return o, nil, action.InputErrorf(ce.Input, "%v", ce.Err)
	}
	insecure := rt.List("insecure-registries")
	opts = append(opts, registry.WithInsecure(insecure...), registry.WithRetry(5, 500*time.Millisecond),
		registry.WithTempDir(rt.TempDir()), registry.WithLogf(rt.Logf), registry.WithUserAgent("timetracker-ci/rollback"))

	if token := rt.Input("github-token"); token != "" {
		gh, err := rt.GitHub(token, action.GitHubOptions{})
		if err != nil {
			return o, nil, err
		}
		o.GitHub.Client, o.GitHub.Owner, o.GitHub.Repo = gh.Client, gh.Owner, gh.Repo
	}
	o.Logf = rt.Logf
	return o, registry.New(opts...), nil
}

// jailedDir creates a folder an input names through the workspace jail
// and returns its path: inside the workspace after symlinks, else refused
// naming the input.
func jailedDir(rt *action.Runtime, input, dir string) (string, error) {
	jail, err := rt.Jail()
	if err != nil {
		return "", err
	}
	rel, err := jail.MkdirAll(input, dir)
	if err != nil {
		return "", err
	}
	sub, err := jail.Sub(input, rel)
	if err != nil {
		return "", err
	}
	defer sub.Close()
	return sub.Dir(), nil
}

func setOutputs(rt *action.Runtime, res *rollback.Result) error {
	return errors.Join(
		rt.SetOutput("version", res.Version),
		rt.SetOutput("digest", res.Digest),
		rt.SetOutput("moved", strings.Join(res.Moved, "\n")),
		rt.SetOutput("files", strings.Join(res.Files, "\n")),
		rt.SetOutputJSON("json", res),
	)
}

// summary renders the step summary; below full detail the table of moved tags becomes a count.
func summary(res *rollback.Result, runErr error, d action.Detail) string {
	var b strings.Builder
	b.WriteString("## Rollback\n\n")
	b.WriteString(action.SummaryFailure(runErr))
	verb := "Rolled back to"
	switch {
	case res.DryRun:
		verb = "Would roll back to"
	case res.NoChange:
		verb = "Already on"
	}
	fmt.Fprintf(&b, "%s **%s** (`%s`)", verb, res.Version, res.Digest)
	if len(res.From) > 0 {
		fmt.Fprintf(&b, ", past %s", strings.Join(res.From, ", "))
	}
	b.WriteString(".\n\n")
	if res.Release != "" {
		fmt.Fprintf(&b, "GitHub release %s is latest", res.Release)
		if len(res.Marked) > 0 {
			fmt.Fprintf(&b, "; marked as rolled back: %s", strings.Join(res.Marked, ", "))
		}
		b.WriteString(".\n\n")
	}
	if d == action.DetailFull && len(res.Tags) > 0 {
		b.WriteString("| image | tag | change | from | to |\n|---|---|---|---|---|\n")
		for _, m := range res.Tags {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", m.Image, m.Tag, m.Change, short(m.Old), short(m.New))
		}
		b.WriteString("\n")
	} else {
		fmt.Fprintf(&b, "%d tag(s) moved.\n\n", len(res.Moved))
	}
	if len(res.Files) > 0 {
		fmt.Fprintf(&b, "Deployment files: %s.\n", strings.Join(res.Files, ", "))
	}
	return b.String()
}

func short(d string) string {
	if len(d) > 19 {
		return "`" + d[:19] + "…`"
	}
	if d == "" {
		return "—"
	}
	return "`" + d + "`"
}
