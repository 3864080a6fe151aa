package releaseaction

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/release"
)

type config struct {
	req           release.Request
	token         string
	apiURL        string
	uploadURL     string
	assetsMissing []string
}

// inputs reads and checks every input; problems are input errors naming it.
func inputs(rt *action.Runtime) (*config, error) {
	ev, err := rt.Event()
	if err != nil {
		return nil, err
	}
	c := &config{token: rt.Input("github-token"), apiURL: ev.APIURL, uploadURL: rt.Input("upload-url")}
	c.req.RepoDir, c.req.ServerURL = rt.Workspace(), ev.ServerURL
	o := &c.req.Options
	o.Owner, o.Repo = ev.Owner(), ev.RepoName()
	if o.Owner == "" || o.Repo == "" {
		return nil, action.UsageErrorf("GITHUB_REPOSITORY is not set: run under GitHub Actions, or set it to owner/name")
	}
	o.Tag = rt.Input("tag")
	if o.Tag == "" && ev.RefType == "tag" {
		o.Tag = ev.RefName
	}
	if o.Tag == "" {
		return nil, action.InputErrorf("tag", "is empty and the workflow was not started by a tag push: set tag (e.g. the version action's version output)")
	}
	if _, err := release.ParseTag(o.Tag); err != nil {
		return nil, action.InputErrorf("tag", "%w", err)
	}
	o.Name = rt.Input("name")
	o.Target = rt.Input("target")
	if o.Target == "" {
		o.Target = ev.SHA
	}
	switch p := strings.ToLower(rt.Input("prerelease")); p {
	case "auto", "":
		v, _ := release.ParseTag(o.Tag)
		o.Prerelease = v.Prerelease() != ""
	default:
		if o.Prerelease, err = rt.Bool("prerelease"); err != nil {
			return nil, err
		}
	}
	if o.Draft, err = rt.Bool("draft"); err != nil {
		return nil, err
	}
	if o.MakeLatest, err = rt.Enum("make-latest", "auto", "true", "false", "legacy"); err != nil {
		return nil, err
	}
	c.req.UserBody = rt.Input("body")
	if f := rt.Input("body-file"); f != "" {
		if c.req.UserBody != "" {
			return nil, action.InputErrorf("body-file", "body and body-file are both set: use one")
		}
		data, err := rt.ReadInputFile("body-file", action.KindText)
		if err != nil {
			return nil, err
		}
		c.req.UserBody = strings.TrimRight(string(data), "\n")
	}
	if c.req.Changelog, err = rt.Enum("changelog", release.ChangelogConventional, release.ChangelogGitHub, release.ChangelogNone); err != nil {
		return nil, err
	}
	c.req.PreviousTag = rt.Input("previous-tag")
	globs := rt.List("assets")
	failMissing, err := rt.Bool("fail-on-missing-assets")
	if err != nil {
		return nil, err
	}
	ws, err := rt.Jail()
	if err != nil {
		return nil, err
	}
	if o.Assets, err = release.FindAssets(ws, globs, !failMissing); err != nil {
		if action.IsInputError(err) {
			return nil, err
		}
		return nil, action.InputErrorf("assets", "%v", err)
	}
	if !failMissing {
		for _, g := range globs {
			if a, _ := release.FindAssets(ws, []string{g}, true); len(a) == 0 {
				c.assetsMissing = append(c.assetsMissing, g)
			}
		}
	}
	if err := release.CheckAssets(o.Assets); err != nil {
		return nil, action.InputErrorf("assets", "%w", err)
	}
	if o.Checksums, err = rt.Bool("checksums"); err != nil {
		return nil, err
	}
	o.MoveTags = rt.List("move-tags")
	if _, err := release.MovingTags(o.Tag, o.MoveTags); err != nil {
		return nil, action.InputErrorf("move-tags", "%w", err)
	}
	if o.Rolling, err = rt.Int("rolling"); err != nil {
		return nil, err
	}
	if o.Rolling < 0 {
		return nil, action.InputErrorf("rolling", "must be 0 (keep all) or more, not %d", o.Rolling)
	}
	if o.Concurrency, err = rt.Int("concurrency"); err != nil {
		return nil, err
	}
	if o.Concurrency < 1 || o.Concurrency > 16 {
		return nil, action.InputErrorf("concurrency", "must be between 1 and 16, not %d", o.Concurrency)
	}
	if o.DryRun, err = rt.Bool("dry-run"); err != nil {
		return nil, err
	}
	if c.token == "" {
		if !rt.Local() && !o.DryRun {
			return nil, action.InputErrorf("github-token", "is empty: pass ${{ github.token }} (with permissions: contents: write) or a token that can write releases")
		}
		o.DryRun = true // locally without a token: show the plan
	}
	if rt.Input("output-dir") == "" {
		o.WorkDir = filepath.Join(rt.TempDir(), "release-"+o.Tag)
	} else {
		// A folder the user names is inside the workspace; the files in it
		// are written through a jail rooted there (pkg/release).
		rel, err := ws.MkdirAll("output-dir", rt.Input("output-dir"))
		if err != nil {
			return nil, err
		}
		o.WorkDir = ws.Abs(rel)
	}
	o.Logf = rt.Logf
	return c, nil
}

func run(ctx context.Context, rt *action.Runtime) error {
	ctx, cancel, timeout, err := rt.Timeout(ctx, "timeout")
	if err != nil {
		return err
	}
	defer cancel()
	c, err := inputs(rt)
	if err != nil {
		return err
	}
	for _, g := range c.assetsMissing {
		rt.Annotate(action.Annotation{Level: action.LevelWarning, Title: "No files for an asset glob",
			Message: fmt.Sprintf("%q matched no files; released without them (fail-on-missing-assets: false)", g), Rank: 5})
	}

	var client *github.Client
	if c.token != "" && c.uploadURL == "" && c.apiURL != "" {
		// Release uploads: an uploads URL that cannot be derived is bad input now, not a failed upload later.
		if _, err := githubapi.UploadsURL(c.apiURL); err != nil {
			return action.InputErrorf("upload-url", "%v", err)
		}
	}
	if c.token != "" {
		gh, err := rt.GitHub(c.token, action.GitHubOptions{UploadURL: c.uploadURL, Retry: []githubapi.TransportOption{githubapi.WithTimeout(timeout)}})
		if err != nil {
			return err
		}
		client = gh.Client
	}

	var res *release.Result
	var bodyFile string
	err = rt.Group("Publish "+c.req.Tag, func() error {
		var err error
		res, bodyFile, err = release.Run(ctx, client, c.req)
		return err
	})
	if res != nil {
		if oerr := setOutputs(rt, res, bodyFile, c.req.DryRun); oerr != nil {
			err = errors.Join(err, oerr)
		}
		rt.SetSummary(func(d action.Detail) string { return summary(c, res, err, d) })
	}
	return err
}

func setOutputs(rt *action.Runtime, res *release.Result, bodyFile string, dry bool) error {
	errs := []error{rt.SetOutputJSON("assets", res.Assets), rt.SetOutput("body-file", bodyFile)}
	if !dry {
		errs = append(errs, rt.SetOutput("id", fmt.Sprint(res.ID)), rt.SetOutput("url", res.URL), rt.SetOutput("created", fmt.Sprint(res.Created)))
	}
	return errors.Join(errs...)
}

// summary renders the step summary; less detail drops the step list.
func summary(c *config, res *release.Result, runErr error, d action.Detail) string {
	var b strings.Builder
	title := c.req.Tag
	if res.URL != "" {
		title = fmt.Sprintf("[%s](%s)", c.req.Tag, res.URL)
	}
	fmt.Fprintf(&b, "## Release %s\n\n", title)
	if c.req.DryRun {
		fmt.Fprintf(&b, "**Dry run:** nothing was changed. The plan, body and checksums are in `%s`.\n\n", c.req.WorkDir)
	}
	b.WriteString(action.SummaryFailure(runErr))
	verb, assets := "Adopted the existing release", "Assets: %d uploaded, %d replaced, %d already there.\n\n"
	if res.Created {
		verb = "Created the release"
	}
	if c.req.DryRun {
		verb, assets = "Would create the release", "Assets: %d to upload, %d to replace, %d already there.\n\n"
		if !res.Created {
			verb = "Would update the existing release"
		}
	}
	fmt.Fprintf(&b, "%s. "+assets, verb, res.Counts["upload"], res.Counts["replace"], res.Counts["keep"])
	if len(res.Assets) > 0 && d != action.DetailMinimal {
		b.WriteString("| Asset | SHA-256 |\n|---|---|\n")
		for _, a := range c.req.Assets {
			if r, ok := res.Assets[a.Name]; ok {
				fmt.Fprintf(&b, "| %s | `%s` |\n", link(a.Name, r.URL), r.SHA256)
			}
		}
		if r, ok := res.Assets[release.ChecksumsName]; ok {
			fmt.Fprintf(&b, "| %s | `%s` |\n", link(release.ChecksumsName, r.URL), r.SHA256)
		}
		b.WriteString("\n")
	}
	if d == action.DetailFull && len(res.Steps) > 0 {
		b.WriteString("<details><summary>Steps</summary>\n\n")
		for _, s := range res.Steps {
			fmt.Fprintf(&b, "- %s\n", s)
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

func link(name, url string) string {
	if url == "" {
		return "`" + name + "`"
	}
	return fmt.Sprintf("[`%s`](%s)", name, url)
}
