package prreport

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/org/timetracker-ci/pkg/inputerror"
	"github.com/org/timetracker-ci/pkg/testreport"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// Request is one run of the test-report action: the report, and what the
// pull-request inputs ask for.
type Request struct {
	testreport.Request
	// Workflow names the report (its comment marker and check run).
	Workflow string
	// Ref and SHA are the run's ref name and commit, recorded in the failures file.
	Ref, SHA string
	// PullRequest is the pull request reported on; zero outside one.
	PullRequest PullRequest
	// ServerURL, Repository and RunID link the report to the tested run.
	ServerURL, Repository string
	RunID                 int64
	// Workspace is the repository root (links and check-run paths are
	// relative to it); Request.Root is the working directory inside it.
	Workspace string
	// FailuresFile receives this run's failures, a baseline for later runs;
	// BaselineFile holds the base branch's. Both are read and written
	// through Request.Jail, relative to it.
	FailuresFile, BaselineFile string
	// Comment and CheckRun say what to post; Client makes the API clients
	// when one of them is asked for.
	Comment, CheckRun bool
	Client            func() (Target, error)
}

// PullRequest is what the report needs of a pull request event.
type PullRequest struct {
	Number           int
	HeadSHA, BaseRef string
}

// Outcome is what Run did; Report is nil when the inputs were refused.
type Outcome struct {
	Report   *testreport.Report
	Warnings []testreport.Annotation
	// Timings is the timings file written, empty when none was.
	Timings   string
	Published Published
	// Posting says whether posting was attempted: the outputs it sets
	// (new-failures, comment and check-run URLs) are then known.
	Posting bool
}

// Run builds the report (testreport.Run), writes the failures file, and
// posts the pull-request comment and check run asked for. An input that
// cannot be used is an *inputerror.Error and nothing is written; when only
// writing the timings fails the report comes back with the error, and
// nothing is posted.
func Run(ctx context.Context, q Request) (*Outcome, error) {
	logf := q.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	base, err := readBaseline(q.Jail, q.BaselineFile, logf)
	if err != nil {
		return &Outcome{}, err
	}
	r, warnings, err := testreport.Run(ctx, q.Request)
	out := &Outcome{Report: r, Warnings: warnings}
	if r == nil || err != nil {
		return out, err
	}
	out.Timings = q.TimingsFile
	if q.FailuresFile != "" {
		data, err := NewBaseline(q.Ref, q.SHA, r).Marshal()
		if err != nil {
			return out, err
		}
		if err := q.Jail.WriteFile("failures-file", q.FailuresFile, data, 0o644); err != nil {
			return out, err
		}
	}
	t := target(q, base)
	out.Posting = true
	if q.Comment || q.CheckRun {
		api, err := q.Client()
		if err != nil {
			out.Published, _ = Publish(ctx, r, t) // no API: counts the new failures, posts nothing
			return out, fmt.Errorf("pull request report: %w", err)
		}
		t.Owner, t.Repo = api.Owner, api.Repo
		if q.Comment {
			t.Issues = api.Issues
		}
		if q.CheckRun {
			t.Checks = api.Checks
		}
	}
	out.Published, err = Publish(ctx, r, t)
	return out, err
}

// target is where the report goes and how its links read.
func target(q Request, base *Baseline) Target {
	pr := q.PullRequest
	headSHA := q.SHA
	// Locations link to the tested commit: in a workflow_run reporter the
	// run's commit is the default branch's, not the pull request's.
	if pr.HeadSHA != "" {
		headSHA = pr.HeadSHA
	}
	opts := CommentOptions{Workflow: q.Workflow, Base: pr.BaseRef, Baseline: base, SHA: headSHA,
		SourceURL: testreport.SourceURL(q.ServerURL, q.Repository, headSHA, q.Workspace, q.Root)}
	if q.ServerURL != "" && q.Repository != "" && q.RunID != 0 {
		opts.RunURL = fmt.Sprintf("%s/%s/actions/runs/%d", strings.TrimSuffix(q.ServerURL, "/"), q.Repository, q.RunID)
	}
	t := Target{PullRequest: pr.Number, HeadSHA: headSHA, DetailsURL: opts.RunURL, Comment: opts}
	if rel, err := filepath.Rel(q.Workspace, q.Root); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		t.PathPrefix = filepath.ToSlash(rel) + "/"
	}
	return t
}

// readBaseline reads the base branch's failures; a missing file means
// every failure counts as new.
func readBaseline(jail *workspace.Workspace, name string, logf func(string, ...any)) (*Baseline, error) {
	if name == "" {
		return nil, nil
	}
	data, err := jail.ReadFile("base-failures", name, workspace.KindReport)
	var b *Baseline
	if err == nil {
		b, err = ParseBaseline(name, data)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		logf("no base results at %s: every failure counts as new", name)
		return nil, nil
	case err != nil:
		return nil, inputerror.Errorf("base-failures", "%v", err)
	}
	return b, nil
}
