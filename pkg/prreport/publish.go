package prreport

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/testreport"
)

// Issues is the part of go-github's IssuesService the comment needs.
type Issues interface {
	ListComments(ctx context.Context, owner, repo string, number int, opts *github.IssueListCommentsOptions) ([]*github.IssueComment, *github.Response, error)
	CreateComment(ctx context.Context, owner, repo string, number int, comment *github.IssueComment) (*github.IssueComment, *github.Response, error)
	EditComment(ctx context.Context, owner, repo string, commentID int64, comment *github.IssueComment) (*github.IssueComment, *github.Response, error)
	DeleteComment(ctx context.Context, owner, repo string, commentID int64) (*github.Response, error)
}

// Checks is the part of go-github's ChecksService the check run needs.
type Checks interface {
	CreateCheckRun(ctx context.Context, owner, repo string, opts github.CreateCheckRunOptions) (*github.CheckRun, *github.Response, error)
	UpdateCheckRun(ctx context.Context, owner, repo string, checkRunID int64, opts github.UpdateCheckRunOptions) (*github.CheckRun, *github.Response, error)
}

// Posted is what a publish did.
type Posted struct {
	ID       int64
	URL      string
	Created  bool // a new comment or check run (false: updated in place)
	Requests int  // write requests made
}

// UpsertComment puts body on pull request number: it edits the first
// comment holding marker, or creates one. A create whose answer was lost
// is retried by the transport and can leave two comments: they are found
// by the marker afterwards and the later ones deleted, so the pull request
// keeps one comment per workflow, and a re-run finishes the work.
func UpsertComment(ctx context.Context, api Issues, owner, repo string, number int, marker, body string) (Posted, error) {
	if !strings.Contains(body, marker) {
		return Posted{}, fmt.Errorf("pull request comment: the body does not hold its marker %q", marker)
	}
	mine, err := marked(ctx, api, owner, repo, number, marker)
	if err != nil {
		return Posted{}, err
	}
	var p Posted
	if len(mine) > 0 {
		c := mine[0]
		p = Posted{ID: c.GetID(), URL: c.GetHTMLURL()}
		if c.GetBody() != body {
			out, _, err := api.EditComment(ctx, owner, repo, c.GetID(), &github.IssueComment{Body: github.String(body)})
			if err != nil {
				return Posted{}, explain(fmt.Sprintf("update comment %d on pull request #%d", c.GetID(), number), "pull-requests: write", err)
			}
			p.URL, p.Requests = out.GetHTMLURL(), 1
		}
	} else {
		out, _, err := api.CreateComment(ctx, owner, repo, number, &github.IssueComment{Body: github.String(body)})
		if err != nil {
			return Posted{}, explain(fmt.Sprintf("comment on pull request #%d", number), "pull-requests: write", err)
		}
		p = Posted{ID: out.GetID(), URL: out.GetHTMLURL(), Created: true, Requests: 1}
		if mine, err = marked(ctx, api, owner, repo, number, marker); err != nil {
			return p, err
		}
	}
	for _, c := range mine {
		if c.GetID() == p.ID {
			continue
		}
		if _, err := api.DeleteComment(ctx, owner, repo, c.GetID()); err != nil && githubapi.StatusCode(err) != 404 {
			return p, explain(fmt.Sprintf("delete the duplicate comment %d on pull request #%d", c.GetID(), number), "pull-requests: write", err)
		}
		p.Requests++
	}
	return p, nil
}

// marked lists the comments of the pull request that hold marker, oldest first.
func marked(ctx context.Context, api Issues, owner, repo string, number int, marker string) ([]*github.IssueComment, error) {
	var out []*github.IssueComment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		cs, resp, err := api.ListComments(ctx, owner, repo, number, opts)
		if err != nil {
			return nil, explain(fmt.Sprintf("list the comments of pull request #%d", number), "pull-requests: read", err)
		}
		for _, c := range cs {
			if strings.Contains(c.GetBody(), marker) {
				out = append(out, c)
			}
		}
		if resp == nil || resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// AnnotationsPerRequest is the Checks API's limit.
const AnnotationsPerRequest = 50

// CheckRunOptions describe a check run.
type CheckRunOptions struct {
	Name       string // the check's name, e.g. "Test results (CI)"
	HeadSHA    string
	DetailsURL string
	Title      string // e.g. "12 failed, 340 passed"
	Summary    string // Markdown
	Conclusion string // success or failure
	// PathPrefix is put before every annotation's file: the report's paths
	// are relative to the working directory, the Checks API's to the
	// repository root ("app/" when the project lives in app/).
	PathPrefix  string
	Annotations []testreport.Annotation
	Now         func() time.Time
}

// PublishCheckRun creates a check run carrying every annotation: the first
// 50 with the create, 50 more with each update (GitHub appends them). It is
// created completed: a create retried after a lost answer leaves a second
// completed run with the same verdict, never one stuck "in progress".
func PublishCheckRun(ctx context.Context, api Checks, owner, repo string, o CheckRunOptions) (Posted, error) {
	if o.Name == "" || o.HeadSHA == "" {
		return Posted{}, fmt.Errorf("check run: a name and a head commit are needed")
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	all := make([]*github.CheckRunAnnotation, 0, len(o.Annotations))
	for _, a := range o.Annotations {
		all = append(all, checkAnnotation(o.PathPrefix, a))
	}
	batches := [][]*github.CheckRunAnnotation{nil}
	for i := 0; i < len(all); i += AnnotationsPerRequest {
		if i == 0 {
			batches[0] = all[:min(len(all), AnnotationsPerRequest)]
			continue
		}
		batches = append(batches, all[i:min(len(all), i+AnnotationsPerRequest)])
	}
	output := func(batch []*github.CheckRunAnnotation) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.String(o.Title), Summary: github.String(o.Summary), Annotations: batch}
	}
	create := github.CreateCheckRunOptions{Name: o.Name, HeadSHA: o.HeadSHA, Output: output(batches[0]),
		Conclusion: github.String(o.Conclusion), CompletedAt: &github.Timestamp{Time: now()}}
	if o.DetailsURL != "" {
		create.DetailsURL = github.String(o.DetailsURL)
	}
	run, _, err := api.CreateCheckRun(ctx, owner, repo, create)
	if err != nil {
		return Posted{}, explain(fmt.Sprintf("create check run %q on %s", o.Name, o.HeadSHA), "checks: write", err)
	}
	p := Posted{ID: run.GetID(), URL: run.GetHTMLURL(), Created: true, Requests: 1}
	for i, batch := range batches[1:] {
		// UpdateCheckRunOptions always sends name: an empty one would be refused.
		up := github.UpdateCheckRunOptions{Name: o.Name, Output: output(batch)}
		if _, _, err := api.UpdateCheckRun(ctx, owner, repo, p.ID, up); err != nil {
			return p, explain(fmt.Sprintf("add annotations %d–%d to check run %d", (i+1)*AnnotationsPerRequest+1, (i+1)*AnnotationsPerRequest+len(batch), p.ID), "checks: write", err)
		}
		p.Requests++
	}
	return p, nil
}

// noFilePath is where failures without a file are annotated: the Checks
// API requires a path; these show on the check run's page, not on a diff.
const noFilePath = ".github"

func checkAnnotation(prefix string, a testreport.Annotation) *github.CheckRunAnnotation {
	path := noFilePath
	if a.File != "" {
		path = strings.TrimPrefix(prefix+a.File, "./")
	}
	line := max(a.Line, 1)
	level := "notice"
	switch a.Level {
	case testreport.LevelError:
		level = "failure"
	case testreport.LevelWarning:
		level = "warning"
	}
	msg := a.Message
	if msg == "" {
		msg = a.Title
	}
	return &github.CheckRunAnnotation{Path: github.String(path), StartLine: github.Int(line), EndLine: github.Int(line),
		AnnotationLevel: github.String(level), Title: github.String(cut(a.Title, 255)), Message: github.String(cut(msg, 60<<10))}
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// explain says what to grant when GitHub refused for want of a permission.
func explain(what, permission string, err error) error {
	if githubapi.NotAccessible(err) {
		return fmt.Errorf("%s: the token lacks %s (grant it in the job's permissions; on a pull request from a fork the token is read-only: use the two-workflow pattern, see docs/test-tiers.md): %w", what, permission, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
