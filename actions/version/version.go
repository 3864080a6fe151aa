package versionaction

import (
	"context"
	"errors"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/version"
)

// dispatchVersionInput is the workflow_dispatch input (of the user's
// workflow, not of this action) that names the version to release.
const dispatchVersionInput = "version"

// options reads every input; each problem is an input error naming it.
func options(rt *action.Runtime, dir *action.Workspace) (version.Options, error) {
	var o version.Options
	var err error
	if o.Scheme, err = version.ParseScheme(rt.Input("scheme")); err != nil {
		return o, action.InputErrorf("scheme", "%w", err)
	}
	if o.Bump, err = version.ParseBump(rt.Input("bump")); err != nil {
		return o, action.InputErrorf("bump", "%w", err)
	}
	o.TagPrefix = rt.Input("tag-prefix")
	if err := version.CheckTagPrefix(o.TagPrefix); err != nil {
		return o, action.InputErrorf("tag-prefix", "%w", err)
	}
	if o.Images, o.ImagesGiven, err = version.ParseImages(rt.Lines("images")); err != nil {
		return o, action.InputErrorf("images", "%w", err)
	}
	for _, img := range o.Images {
		if _, err := registry.ParseRepository(img); err != nil {
			return o, action.InputErrorf("images", "%w", err)
		}
	}
	if lines := rt.Lines("tags"); len(lines) > 0 {
		if o.Rules, err = version.ParseRules(lines); err != nil {
			return o, action.InputErrorf("tags", "%w", err)
		}
	}
	if o.Flavor, err = version.ParseFlavor(rt.Lines("flavor")); err != nil {
		return o, action.InputErrorf("flavor", "%w", err)
	}
	if o.Prerelease, err = version.ParsePrereleaseRules(rt.Lines("prerelease")); err != nil {
		return o, action.InputErrorf("prerelease", "%w", err)
	}
	if f := rt.Input("version-file"); f != "" {
		data, err := dir.ReadFile("version-file", f, action.KindText)
		if err != nil {
			return o, err
		}
		if o.FileVersion, err = version.ParseVersionFile(f, data); err != nil {
			return o, action.InputErrorf("version-file", "%w", err)
		}
		o.VersionFile = f
	}
	o.Labels, o.Annotations = rt.Lines("labels"), rt.Lines("annotations")
	if err := o.ApplyMetadataEnv(rt.Getenv); err != nil {
		var ie *version.InputError
		if errors.As(err, &ie) {
			return o, action.InputErrorf(ie.Input, "%v", ie.Err)
		}
		return o, err
	}
	o.InitialVersion = rt.Input("initial-version")
	if _, ok := version.ParseVersion(o.InitialVersion, ""); !ok {
		return o, action.InputErrorf("initial-version", "%q is not a semantic version (e.g. 0.1.0)", o.InitialVersion)
	}
	return o, nil
}

func run(ctx context.Context, rt *action.Runtime) error {
	ws, err := rt.Jail()
	if err != nil {
		return err
	}
	// The repository is a folder inside the workspace; version-file is
	// read relative to it, and neither leaves the workspace.
	sub, err := ws.Sub("path", orDot(rt.Input("path")))
	if err != nil {
		return err
	}
	defer sub.Close()
	dir := sub.Dir()
	opts, err := options(rt, sub)
	if err != nil {
		return err
	}
	ghev, err := rt.Event()
	if err != nil {
		return err
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return err
	}
	defer repo.Close()
	ev, err := event(ctx, rt, ghev, repo)
	if err != nil {
		return err
	}
	hist, err := history(ctx, rt, ghev, repo, ev)
	if err != nil {
		return err
	}
	res, err := version.Resolve(ctx, ev, hist, opts)
	var ie *version.InputError
	if errors.As(err, &ie) {
		return action.InputErrorf(ie.Input, "%w", ie.Err)
	}
	if err != nil {
		return err
	}
	for _, n := range res.Notices {
		rt.Annotate(action.Annotation{Level: action.LevelNotice, Title: "Version", Message: n})
	}
	rt.Logf("version %s (%s): %s", res.Version, res.Kind, res.Reason)
	if err := setOutputs(rt, res); err != nil {
		return err
	}
	rt.SetSummary(func(d action.Detail) string { return summary(res, d) })
	return nil
}

// event turns the run's context into the resolver's event, filling what a
// local run lacks from the clone.
func event(ctx context.Context, rt *action.Runtime, gh *action.Event, repo *gitrepo.Repo) (version.Event, error) {
	ev := version.Event{
		Name: gh.Name, Ref: gh.Ref, SHA: gh.SHA, DefaultBranch: gh.DefaultBranch,
		BaseRef: gh.BaseRef, Repository: gh.Repository,
		// Only a ref inferred from the clone may turn into a tag build:
		// GITHUB_REF, when set, says what is built.
		Local: rt.Local() && gh.Ref == "",
	}
	if gh.PullRequest != nil {
		ev.PullRequest = gh.PullRequest.Number
		if ev.PullRequest == 0 {
			ev.PullRequest = gh.PullRequest.PullRequest.Number
		}
		ev.PRHeadSHA = gh.PullRequest.PullRequest.Head.SHA
		if ev.BaseRef == "" {
			ev.BaseRef = gh.PullRequest.PullRequest.Base.Ref
		}
	}
	if gh.Push != nil && ev.BaseRef == "" {
		ev.BaseRef = gh.Push.BaseRef // the branch of a pushed tag, for {{base_ref}}
	}
	if gh.Release != nil {
		ev.MarkedPrerelease = gh.Release.Release.Prerelease
	}
	if gh.WorkflowDispatch != nil {
		ev.DispatchVersion = strings.TrimSpace(gh.WorkflowDispatch.Input(dispatchVersionInput))
	}
	r := gh.Repo()
	ev.Title, ev.Description, ev.URL, ev.License = r.Name, r.Description, r.HTMLURL, r.License
	if ev.SHA == "" || ev.Ref == "" {
		head, err := repo.Head(ctx)
		if err != nil {
			return ev, err
		}
		if ev.SHA == "" {
			ev.SHA = head.Hash
		}
		if ev.Ref == "" && head.Branch != "" {
			ev.Ref = "refs/heads/" + head.Branch
		}
	}
	if ev.DefaultBranch == "" {
		ev.DefaultBranch = repo.DefaultBranch(ctx)
	}
	if ev.Repository == "" {
		// A local run: owner/name from the origin remote, as GitHub names it.
		ev.Repository = version.RepositoryFromRemote(repo.RemoteURL("origin"))
	}
	if ev.Title == "" {
		_, ev.Title, _ = strings.Cut(ev.Repository, "/")
	}
	if ev.URL == "" && ev.Repository != "" {
		server := gh.ServerURL
		if server == "" {
			server = "https://github.com"
		}
		ev.URL = server + "/" + ev.Repository
	}
	return ev, nil
}

// history picks where history comes from: the clone, or the GitHub API when
// the clone is shallow (or has no tag) and a token was given.
func history(ctx context.Context, rt *action.Runtime, gh *action.Event, repo *gitrepo.Repo, ev version.Event) (version.History, error) {
	local := version.GitHistory(repo)
	token := rt.Input("github-token")
	noTags := false
	if !repo.Shallow() {
		if token == "" {
			return local, nil
		}
		tags, err := local.Tags(ctx)
		if err != nil {
			return nil, err
		}
		if noTags = len(tags) == 0; !noTags {
			return local, nil
		}
	}
	if token == "" {
		return nil, errors.New("the checkout is shallow, so tags and history are missing: " +
			"set `fetch-depth: 0` on actions/checkout, or pass `github-token` to read them from the GitHub API")
	}
	owner, name, ok := strings.Cut(ev.Repository, "/")
	if !ok {
		return nil, action.InputErrorf("github-token", "cannot tell which repository to read: GITHUB_REPOSITORY is not set")
	}
	client, _, err := githubapi.New(githubapi.Options{APIURL: gh.APIURL, Token: token, UserAgent: "timetracker-ci/version"})
	if err != nil {
		return nil, err
	}
	why := "the checkout is shallow"
	if noTags {
		why = "the checkout has no tags"
	}
	rt.Logf("%s: reading tags and commits of %s from the GitHub API", why, ev.Repository)
	return version.APIHistory(client, owner, name), nil
}

func orDot(p string) string {
	if p == "" {
		return "."
	}
	return p
}
