package testreportaction

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/prreport"
)

// readPublishing reads what the pull-request inputs ask for, before any
// work; the second result is the pull request's base commit, if any.
func readPublishing(rt *action.Runtime, jail *action.Workspace) (prreport.Request, string, error) {
	q := prreport.Request{Workflow: rt.Input("report-name"), FailuresFile: rt.Input("failures-file"), BaselineFile: rt.Input("base-failures"),
		Workspace: rt.Workspace()}
	token := rt.Input("github-token")
	var err error
	if q.Comment, err = rt.Bool("pr-comment"); err != nil {
		return q, "", err
	}
	if q.CheckRun, err = rt.Bool("check-run"); err != nil {
		return q, "", err
	}
	if (q.Comment || q.CheckRun) && token == "" {
		return q, "", action.InputErrorf("github-token", "is empty but pr-comment or check-run is on: pass ${{ github.token }} with permissions pull-requests: write and checks: write")
	}
	rt.Mask(token)
	q.Client = func() (prreport.Target, error) {
		gh, err := rt.GitHub(token, action.GitHubOptions{})
		if err != nil {
			return prreport.Target{}, err
		}
		return prreport.Target{Issues: gh.Issues, Checks: gh.Checks, Owner: gh.Owner, Repo: gh.Repo}, nil
	}
	ev, err := rt.Event()
	if err != nil {
		ev = &action.Event{}
	}
	if q.Workflow == "" {
		q.Workflow = rt.Getenv("GITHUB_WORKFLOW")
	}
	q.Ref, q.SHA, q.ServerURL, q.Repository, q.RunID = ev.RefName, ev.SHA, ev.ServerURL, ev.Repository, ev.RunID
	var wr struct {
		WorkflowRun struct {
			ID int64 `json:"id"`
		} `json:"workflow_run"`
	}
	if json.Unmarshal(ev.Payload, &wr) == nil && wr.WorkflowRun.ID != 0 {
		q.RunID = wr.WorkflowRun.ID // the tested run, not this reporter
	}
	pr := ev.PullRequest
	if f := rt.Input("event-file"); f != "" {
		data, err := jail.ReadFile("event-file", f, action.KindEvent)
		if err != nil {
			return q, "", action.InputErrorf("event-file", "%w: download the event the tested workflow saved (see docs/test-tiers.md, pull requests from forks)", err)
		}
		var fromFile action.PullRequestEvent
		if err := json.Unmarshal(data, &fromFile); err != nil || fromFile.PullRequest.Head.SHA == "" {
			return q, "", action.InputErrorf("event-file", "%s is not a pull_request event payload (no pull_request.head.sha): save ${{ github.event_path }} in the tested workflow", f)
		}
		pr = &fromFile
	}
	if pr == nil {
		return q, "", nil
	}
	q.PullRequest = prreport.PullRequest{Number: firstNonZero(pr.PullRequest.Number, pr.Number), HeadSHA: pr.PullRequest.Head.SHA, BaseRef: pr.PullRequest.Base.Ref}
	return q, pr.PullRequest.Base.SHA, nil
}

// setPublished sets the outputs of the pull-request reporting and logs
// what was posted.
func setPublished(rt *action.Runtime, out *prreport.Outcome) error {
	res := out.Published
	for _, n := range res.Notes {
		rt.Logf("%s", n)
	}
	if res.Comment.URL != "" {
		rt.Logf("pull request comment: %s", res.Comment.URL)
	}
	if res.CheckRun.URL != "" {
		rt.Logf("check run: %s (%d requests)", res.CheckRun.URL, res.CheckRun.Requests)
	}
	return errors.Join(
		rt.SetOutput("new-failures", fmt.Sprint(res.NewFailures)),
		rt.SetOutput("comment-url", res.Comment.URL),
		rt.SetOutput("check-run-url", res.CheckRun.URL),
	)
}

func firstNonZero(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
