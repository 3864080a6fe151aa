package releaseaction

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/changelog"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/release"
	"github.com/org/timetracker-ci/pkg/version"
	jail "github.com/org/timetracker-ci/pkg/workspace"
)

type config struct {
	opts          release.Options
	userBody      string
	changelog     string
	previous      string
	token         string
	apiURL        string
	uploadURL     string
	serverURL     string
	workspace     string
	assetsMissing []string
}

// inputs reads and checks every input; problems are input errors naming it.
func inputs(rt *action.Runtime) (*config, error) {
	ev, err := rt.Event()
	if err != nil {
		return nil, err
	}
	c := &config{workspace: rt.Workspace(), token: rt.Input("github-token"), apiURL: ev.APIURL, serverURL: ev.ServerURL,
		uploadURL: rt.Input("upload-url")}
	o := &c.opts
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
	c.userBody = rt.Input("body")
	if f := rt.Input("body-file"); f != "" {
		if c.userBody != "" {
			return nil, action.InputErrorf("body-file", "body and body-file are both set: use one")
		}
		data, err := rt.ReadInputFile("body-file", action.KindText)
		if err != nil {
			return nil, err
		}
		c.userBody = strings.TrimRight(string(data), "\n")
	}
	if c.changelog, err = rt.Enum("changelog", "conventional", "github", "none"); err != nil {
		return nil, err
	}
	c.previous = rt.Input("previous-tag")
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

	notes, err := notes(ctx, rt, c, client)
	if err != nil {
		return err
	}
	c.opts.Body = joinBody(c.userBody, notes)
	if err := os.MkdirAll(c.opts.WorkDir, 0o755); err != nil {
		return fmt.Errorf("output-dir: %w", err)
	}
	bodyFile := filepath.Join(c.opts.WorkDir, "release.md")
	work, err := jail.Open(c.opts.WorkDir)
	if err != nil {
		return fmt.Errorf("output-dir: %w", err)
	}
	err = work.WriteFile("output-dir", "release.md", []byte(c.opts.Body), 0o644)
	work.Close()
	if err != nil {
		return err
	}

	var res *release.Result
	err = rt.Group("Publish "+c.opts.Tag, func() error {
		var err error
		res, err = release.Publish(ctx, client, c.opts)
		return err
	})
	if res != nil {
		if oerr := setOutputs(rt, res, bodyFile, c.opts.DryRun); oerr != nil {
			err = errors.Join(err, oerr)
		}
		rt.SetSummary(func(d action.Detail) string { return summary(c, res, err, d) })
	}
	return err
}

func joinBody(user, notes string) string {
	switch {
	case user == "":
		return notes
	case notes == "":
		return user
	}
	return user + "\n\n" + notes
}

// notes produces the changelog the changelog input asks for, sized to leave
// room for the user's text under GitHub's body limit.
func notes(ctx context.Context, rt *action.Runtime, c *config, client *github.Client) (string, error) {
	limit := release.MaxBodyLength - changelog.Length(c.userBody) - 2
	if limit < 200 {
		return "", action.InputErrorf("body", "is %d characters, leaving no room under GitHub's %d-character limit for the changelog: shorten it or set changelog: none", changelog.Length(c.userBody), release.MaxBodyLength)
	}
	switch c.changelog {
	case "none":
		return "", nil
	case "github":
		if client == nil {
			rt.Logf("changelog: github needs a token; the dry-run body has no generated notes")
			return "", nil
		}
		opt := &github.GenerateNotesOptions{TagName: c.opts.Tag, TargetCommitish: github.String(c.opts.Target)}
		prev := c.previous
		if prev == "" {
			prev = localPreviousTag(ctx, c)
		}
		if prev != "" {
			opt.PreviousTagName = github.String(prev)
		}
		n, _, err := client.Repositories.GenerateReleaseNotes(ctx, c.opts.Owner, c.opts.Repo, opt)
		if githubapi.NotAccessible(err) {
			return "", &release.PermissionError{Permission: "contents: write", Err: err}
		}
		if err != nil {
			return "", fmt.Errorf("changelog: GitHub's generated notes: %w", err)
		}
		body := n.Body
		if changelog.Length(body) > limit {
			body = string([]rune(body)[:limit-60]) + "\n\n…(cut to stay within GitHub's size limit)\n"
		}
		return body, nil
	}
	return conventional(ctx, c, limit)
}

func localPreviousTag(ctx context.Context, c *config) string {
	repo, err := gitrepo.Open(c.workspace)
	if err != nil {
		return ""
	}
	defer repo.Close()
	tags, err := repo.Tags(ctx, gitrepo.PeelOnly())
	if err != nil {
		return ""
	}
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Name
	}
	return previousTag(c.opts.Tag, names)
}

// previousTag is the version resolver's choice: the highest release below
// tag, skipping prereleases for a final release.
func previousTag(tag string, names []string) string {
	prefix := ""
	if strings.HasPrefix(tag, "v") {
		prefix = "v"
	}
	prev, _ := version.PreviousTag(names, prefix, tag)
	return prev
}

func conventional(ctx context.Context, c *config, limit int) (string, error) {
	repo, err := gitrepo.Open(c.workspace)
	if err != nil {
		return "", fmt.Errorf("changelog: the workspace is not a git checkout (%v): run actions/checkout with fetch-depth: 0 first, or set changelog: github or none", err)
	}
	defer repo.Close()
	if repo.Shallow() {
		return "", errors.New("changelog: the checkout is shallow, so the commits since the previous tag are not all there: set fetch-depth: 0 on actions/checkout, or set changelog: github")
	}
	tags, err := repo.Tags(ctx, gitrepo.PeelOnly())
	if err != nil {
		return "", fmt.Errorf("changelog: reading tags: %w", err)
	}
	names := make([]string, len(tags))
	head := ""
	for i, t := range tags {
		names[i] = t.Name
		if t.Name == c.opts.Tag {
			head = t.Commit
		}
	}
	if head == "" { // the tag is created through the API: read up to the target
		rev := c.opts.Target
		if rev == "" {
			rev = "HEAD"
		}
		if head, err = repo.Resolve(ctx, rev); err != nil {
			return "", fmt.Errorf("changelog: the target %s: %w", rev, err)
		}
	}
	prev := c.previous
	if prev == "" {
		prev = previousTag(c.opts.Tag, names)
	} else if _, err := repo.Resolve(ctx, prev); err != nil {
		// Checked before anything is published: a named tag that is not there is bad input.
		return "", action.InputErrorf("previous-tag", "%w", err)
	}
	commits, err := repo.CommitsBetween(ctx, prev, head)
	if err != nil {
		return "", fmt.Errorf("changelog: commits %s..%s: %w", prev, c.opts.Tag, err)
	}
	var known map[string]bool
	if prev != "" {
		before, err := repo.CommitsBetween(ctx, "", prev)
		if err != nil {
			return "", fmt.Errorf("changelog: commits before %s: %w", prev, err)
		}
		known = map[string]bool{}
		for _, b := range before {
			known[changelog.Identity(changelog.Person{Name: b.Author.Name, Email: b.Author.Email})] = true
		}
	}
	values := make([]changelog.Commit, len(commits))
	for i, x := range commits {
		values[i] = changelog.Commit{SHA: x.Hash, Parents: x.Parents, Message: x.Message, Time: x.Time,
			Author: changelog.Person{Name: x.Author.Name, Email: x.Author.Email}}
	}
	return changelog.Build(values, changelog.Options{Repository: c.opts.Owner + "/" + c.opts.Repo, ServerURL: c.serverURL,
		Tag: c.opts.Tag, PreviousTag: prev, KnownAuthors: known, Limit: limit}).Markdown(), nil
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
	title := c.opts.Tag
	if res.URL != "" {
		title = fmt.Sprintf("[%s](%s)", c.opts.Tag, res.URL)
	}
	fmt.Fprintf(&b, "## Release %s\n\n", title)
	if c.opts.DryRun {
		fmt.Fprintf(&b, "**Dry run:** nothing was changed. The plan, body and checksums are in `%s`.\n\n", c.opts.WorkDir)
	}
	if runErr != nil {
		fmt.Fprintf(&b, "**Failed:** %s\n\n", strings.ReplaceAll(runErr.Error(), "\n", " "))
	}
	verb, assets := "Adopted the existing release", "Assets: %d uploaded, %d replaced, %d already there.\n\n"
	if res.Created {
		verb = "Created the release"
	}
	if c.opts.DryRun {
		verb, assets = "Would create the release", "Assets: %d to upload, %d to replace, %d already there.\n\n"
		if !res.Created {
			verb = "Would update the existing release"
		}
	}
	fmt.Fprintf(&b, "%s. "+assets, verb, res.Counts["upload"], res.Counts["replace"], res.Counts["keep"])
	if len(res.Assets) > 0 && d != action.DetailMinimal {
		b.WriteString("| Asset | SHA-256 |\n|---|---|\n")
		for _, a := range c.opts.Assets {
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
