package prreport

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/org/timetracker-ci/pkg/testreport"
)

// Target is where and what Publish posts.
type Target struct {
	Issues      Issues // nil when no comment is wanted
	Checks      Checks // nil when no check run is wanted
	Owner, Repo string
	PullRequest int    // the pull request to comment on; 0 outside pull requests (no comment)
	HeadSHA     string // the commit the check run belongs to (a pull request's head)
	CheckName   string // default "Test results (<workflow>)"
	DetailsURL  string // the workflow run
	PathPrefix  string // the working directory, relative to the repository root, with a trailing slash
	Comment     CommentOptions
}

// Published says what Publish did.
type Published struct {
	Comment, CheckRun Posted
	NewFailures       int
	Notes             []string // what was not posted, and why
}

// Publish posts the comment and the check run the target asks for. Both
// are attempted; the errors of both are returned together.
func Publish(ctx context.Context, r *testreport.Report, t Target) (Published, error) {
	var out Published
	fresh, _ := Classify(r.Failures, t.Comment.Baseline)
	out.NewFailures = len(fresh) + r.Unlisted
	var errs []error
	if t.Issues != nil {
		if t.PullRequest == 0 {
			out.Notes = append(out.Notes, "no pull request comment: this run is not on a pull request (give event-file in a workflow_run workflow)")
		} else {
			p, err := UpsertComment(ctx, t.Issues, t.Owner, t.Repo, t.PullRequest, Marker(t.Comment.Workflow), Comment(r, t.Comment))
			out.Comment = p
			errs = append(errs, err)
		}
	}
	if t.Checks != nil {
		name := t.CheckName
		if name == "" {
			name = "Test results (" + firstOr(t.Comment.Workflow, "tests") + ")"
		}
		p, err := PublishCheckRun(ctx, t.Checks, t.Owner, t.Repo, CheckRunOptions{
			Name: name, HeadSHA: t.HeadSHA, DetailsURL: t.DetailsURL, Title: Title(r, t.Comment.Baseline),
			Summary: Summary(r, t.Comment), Conclusion: r.Conclusion, PathPrefix: t.PathPrefix, Annotations: r.Annotations(),
		})
		out.CheckRun = p
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// Title is a check run's one-line title: the counts that matter first.
func Title(r *testreport.Report, base *Baseline) string {
	c := r.Counts
	var parts []string
	if n := c.Failed + c.Errors; n > 0 {
		fresh, _ := Classify(r.Failures, base)
		parts = append(parts, fmt.Sprintf("%d failed (%d new)", n, len(fresh)+r.Unlisted))
	}
	parts = append(parts, fmt.Sprintf("%d passed", c.Passed))
	if c.Flaky > 0 {
		parts = append(parts, fmt.Sprintf("%d flaky", c.Flaky))
	}
	if c.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", c.Skipped))
	}
	if r.Coverage != nil {
		parts = append(parts, fmt.Sprintf("coverage %.1f%%", *r.Coverage))
	}
	return strings.Join(parts, ", ")
}

func firstOr(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
