package githubfake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

// GitHub's documented rules for comments and check runs, as the fake keeps them.
func TestReviewEndpointsFollowGitHubsRules(t *testing.T) {
	ctx := context.Background()
	f := githubfake.Start(t, githubfake.Options{Token: "t0ken"})
	f.OpenPullRequest(5, "feature", "main", f.Head(), false)
	c := client(t, f)
	status := func(err error) int { return githubapi.StatusCode(err) }

	if _, _, err := c.Issues.CreateComment(ctx, "org", "timetracker", 6, &github.IssueComment{Body: github.String("x")}); status(err) != 404 {
		t.Errorf("comment on a pull request that does not exist: %v", err)
	}
	if _, _, err := c.Issues.CreateComment(ctx, "org", "timetracker", 5, &github.IssueComment{Body: github.String(strings.Repeat("é", 65537))}); status(err) != 422 {
		t.Errorf("a body over 65,536 characters: %v", err)
	}
	if _, _, err := c.Issues.CreateComment(ctx, "org", "timetracker", 5, &github.IssueComment{Body: github.String(strings.Repeat("é", 65536))}); err != nil {
		t.Errorf("a body of exactly 65,536 characters: %v", err)
	}
	cm, _, err := c.Issues.CreateComment(ctx, "org", "timetracker", 5, &github.IssueComment{Body: github.String("hello")})
	if err != nil || cm.GetUser().GetType() != "Bot" {
		t.Fatalf("create: %v %v", cm, err)
	}
	if _, _, err := c.Issues.EditComment(ctx, "org", "timetracker", cm.GetID(), &github.IssueComment{Body: github.String("")}); status(err) != 422 {
		t.Errorf("an empty body: %v", err)
	}
	if _, err := c.Issues.DeleteComment(ctx, "org", "timetracker", cm.GetID()); err != nil {
		t.Errorf("delete: %v", err)
	}
	if _, _, err := c.Issues.GetComment(ctx, "org", "timetracker", cm.GetID()); status(err) != 404 {
		t.Errorf("a deleted comment: %v", err)
	}

	ann := func(n int) []*github.CheckRunAnnotation {
		var out []*github.CheckRunAnnotation
		for range n {
			out = append(out, &github.CheckRunAnnotation{Path: github.String("a.py"), StartLine: github.Int(1), EndLine: github.Int(1), AnnotationLevel: github.String("failure"), Message: github.String("m")})
		}
		return out
	}
	out := func(n int) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Annotations: ann(n)}
	}
	for name, opts := range map[string]github.CreateCheckRunOptions{
		"51 annotations":           {Name: "n", HeadSHA: f.Head(), Output: out(51)},
		"completed, no conclusion": {Name: "n", HeadSHA: f.Head(), Status: github.String("completed")},
		"unknown commit":           {Name: "n", HeadSHA: strings.Repeat("a", 40)},
		"no name":                  {HeadSHA: f.Head()},
		"output without title":     {Name: "n", HeadSHA: f.Head(), Output: &github.CheckRunOutput{Summary: github.String("s")}},
		"bad level": {Name: "n", HeadSHA: f.Head(), Output: &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"),
			Annotations: []*github.CheckRunAnnotation{{Path: github.String("a"), StartLine: github.Int(1), EndLine: github.Int(1), AnnotationLevel: github.String("error"), Message: github.String("m")}}}},
	} {
		if _, _, err := c.Checks.CreateCheckRun(ctx, "org", "timetracker", opts); status(err) != 422 {
			t.Errorf("%s: %v, want 422", name, err)
		}
	}
	run, _, err := c.Checks.CreateCheckRun(ctx, "org", "timetracker", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.Head(), Output: out(50), Status: github.String("in_progress")})
	if err != nil || run.GetStatus() != "in_progress" {
		t.Fatalf("create: %v %v", run, err)
	}
	// A conclusion completes the run; annotations of an update are appended.
	run, _, err = c.Checks.UpdateCheckRun(ctx, "org", "timetracker", run.GetID(), github.UpdateCheckRunOptions{Name: "n", Output: out(50), Conclusion: github.String("failure")})
	if err != nil || run.GetStatus() != "completed" || run.GetOutput().GetAnnotationsCount() != 100 {
		t.Fatalf("update: %+v %v", run, err)
	}
	if _, _, err := c.Checks.UpdateCheckRun(ctx, "org", "timetracker", run.GetID(), github.UpdateCheckRunOptions{}); status(err) != 422 {
		t.Errorf("an update with an empty name (go-github always sends it): %v", err)
	}
	got, _, err := c.Checks.ListCheckRunAnnotations(ctx, "org", "timetracker", run.GetID(), &github.ListOptions{PerPage: 100, Page: 1})
	if err != nil || len(got) != 100 {
		t.Fatalf("annotations: %d %v", len(got), err)
	}
}

func TestReviewEndpointsFaults(t *testing.T) {
	ctx := context.Background()
	f := githubfake.Start(t, githubfake.Options{})
	c := client(t, f)
	f.Inject(githubfake.Fault{Kind: githubfake.ServerError, Status: 502, Method: "POST", Path: "/check-runs$"})
	if _, _, err := c.Checks.CreateCheckRun(ctx, "org", "timetracker", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.Head(), Conclusion: github.String("success")}); err != nil {
		t.Fatal(err)
	}
	if runs := f.CheckRuns(); len(runs) != 1 || f.Count("POST", "/check-runs") != 2 {
		t.Fatalf("a 502 is retried and applied once: %d runs, %d posts", len(runs), f.Count("POST", "/check-runs"))
	}
}
