package testreportaction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/prreport"
	"github.com/org/timetracker-ci/pkg/testreport"
)

// publishing is what the pull-request inputs ask for, read before any work.
type publishing struct {
	token                  string
	comment, checkRun      bool
	name                   string
	failuresFile, baseFile string
	pr                     *action.PullRequestEvent // the pull request reported on, nil outside one
	base                   *prreport.Baseline       // nil when there are no base results
	ev                     *action.Event
}

func readPublishing(rt *action.Runtime, jail *action.Workspace) (*publishing, error) {
	p := &publishing{token: rt.Input("github-token"), name: rt.Input("report-name"),
		failuresFile: rt.Input("failures-file"), baseFile: rt.Input("base-failures")}
	var err error
	if p.comment, err = rt.Bool("pr-comment"); err != nil {
		return nil, err
	}
	if p.checkRun, err = rt.Bool("check-run"); err != nil {
		return nil, err
	}
	if (p.comment || p.checkRun) && p.token == "" {
		return nil, action.InputErrorf("github-token", "is empty but pr-comment or check-run is on: pass ${{ github.token }} with permissions pull-requests: write and checks: write")
	}
	if p.token != "" {
		rt.Mask(p.token)
	}
	if p.ev, err = rt.Event(); err != nil {
		p.ev = &action.Event{}
	}
	if p.name == "" {
		p.name = rt.Getenv("GITHUB_WORKFLOW")
	}
	p.pr = p.ev.PullRequest
	if f := rt.Input("event-file"); f != "" {
		data, err := jail.ReadFile("event-file", f, action.KindEvent)
		if err != nil {
			return nil, action.InputErrorf("event-file", "%w: download the event the tested workflow saved (see docs/test-tiers.md, pull requests from forks)", err)
		}
		var pr action.PullRequestEvent
		if err := json.Unmarshal(data, &pr); err != nil || pr.PullRequest.Head.SHA == "" {
			return nil, action.InputErrorf("event-file", "%s is not a pull_request event payload (no pull_request.head.sha): save ${{ github.event_path }} in the tested workflow", f)
		}
		p.pr = &pr
	}
	if p.baseFile != "" {
		var b *prreport.Baseline
		data, err := jail.ReadFile("base-failures", p.baseFile, action.KindReport)
		if err == nil {
			b, err = prreport.ParseBaseline(p.baseFile, data)
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rt.Logf("no base results at %s: every failure counts as new", p.baseFile)
		case err != nil:
			return nil, action.InputErrorf("base-failures", "%v", err)
		default:
			p.base = b
		}
	}
	return p, nil
}

// publish writes the failures file and posts what was asked for.
func (p *publishing) publish(ctx context.Context, rt *action.Runtime, jail *action.Workspace, r *testreport.Report) error {
	root := jail.Dir()
	if p.failuresFile != "" {
		data, err := prreport.NewBaseline(p.ev.RefName, p.ev.SHA, r).Marshal()
		if err != nil {
			return err
		}
		if err := jail.WriteFile("failures-file", p.failuresFile, data, 0o644); err != nil {
			return err
		}
	}
	base := p.base
	headSHA, baseRef, number := p.ev.SHA, "", 0
	if p.pr != nil {
		headSHA, baseRef, number = p.pr.PullRequest.Head.SHA, p.pr.PullRequest.Base.Ref, firstNonZero(p.pr.PullRequest.Number, p.pr.Number)
	}
	// Locations link to the tested commit: in a workflow_run reporter
	// GITHUB_SHA is the default branch's, not the pull request's.
	linkSHA := rt.Getenv("GITHUB_SHA")
	if p.pr != nil {
		linkSHA = headSHA
	}
	opts := prreport.CommentOptions{Workflow: p.name, Base: baseRef, Baseline: base, SHA: headSHA,
		SourceURL: testreport.SourceURL(rt.Getenv("GITHUB_SERVER_URL"), rt.Getenv("GITHUB_REPOSITORY"), linkSHA, rt.Workspace(), root)}
	runID := p.ev.RunID
	var wr struct {
		WorkflowRun struct {
			ID int64 `json:"id"`
		} `json:"workflow_run"`
	}
	if json.Unmarshal(p.ev.Payload, &wr) == nil && wr.WorkflowRun.ID != 0 {
		runID = wr.WorkflowRun.ID // the tested run, not this reporter
	}
	if p.ev.ServerURL != "" && p.ev.Repository != "" && runID != 0 {
		opts.RunURL = fmt.Sprintf("%s/%s/actions/runs/%d", strings.TrimSuffix(p.ev.ServerURL, "/"), p.ev.Repository, runID)
	}
	fresh, _ := prreport.Classify(r.Failures, base)
	for name, v := range map[string]string{"new-failures": fmt.Sprint(len(fresh) + r.Unlisted), "comment-url": "", "check-run-url": ""} {
		if err := rt.SetOutput(name, v); err != nil {
			return err
		}
	}
	if !p.comment && !p.checkRun {
		return nil
	}
	gh, err := rt.GitHub(p.token, action.GitHubOptions{})
	if err != nil {
		return fmt.Errorf("pull request report: %w", err)
	}
	client := gh.Client
	t := prreport.Target{Owner: gh.Owner, Repo: gh.Repo, PullRequest: number, HeadSHA: headSHA, DetailsURL: opts.RunURL, Comment: opts}
	if rel, err := filepath.Rel(rt.Workspace(), root); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		t.PathPrefix = filepath.ToSlash(rel) + "/"
	}
	if p.comment {
		t.Issues = client.Issues
	}
	if p.checkRun {
		t.Checks = client.Checks
	}
	res, err := prreport.Publish(ctx, r, t)
	for _, n := range res.Notes {
		rt.Logf("%s", n)
	}
	if res.Comment.URL != "" {
		rt.Logf("pull request comment: %s", res.Comment.URL)
		if err := rt.SetOutput("comment-url", res.Comment.URL); err != nil {
			return err
		}
	}
	if res.CheckRun.URL != "" {
		rt.Logf("check run: %s (%d requests)", res.CheckRun.URL, res.CheckRun.Requests)
		if err := rt.SetOutput("check-run-url", res.CheckRun.URL); err != nil {
			return err
		}
	}
	return err
}

func firstNonZero(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
