package githubfake_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

func TestArtifacts(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	var later atomic.Int64 // the fake's clock runs ahead by this
	f := githubfake.Start(t, githubfake.Options{Token: "t0ken", Now: func() time.Time { return now.Add(time.Duration(later.Load())) }})
	f.AddWorkflowRuns(githubfake.WorkflowRun{ID: 7, Name: "CI", Branch: "main", Status: "completed", Conclusion: "success", Created: now})
	f.AddWorkflowRuns(githubfake.WorkflowRun{ID: 8, Name: "CI", Branch: "main", Status: "completed", Conclusion: "success", Created: now})
	for i := 0; i < 5; i++ {
		f.AddArtifact(7, fmt.Sprintf("results-%d", i), map[string][]byte{"a.xml": []byte("<testsuite/>")}, now.Add(time.Duration(i)*time.Minute), false)
	}
	report := f.AddArtifact(7, "test-report-1", map[string][]byte{"test-report.json": []byte(`{"counts":{"total":3}}`)}, now.Add(time.Hour), false)
	old := f.AddArtifact(8, "test-report-1", map[string][]byte{"test-report.json": []byte(`{}`)}, now.Add(-100*24*time.Hour), true)
	c := client(t, f)
	ctx := context.Background()

	// Run-level listing: newest first, paginated, the name filter exact.
	page, resp, err := c.Actions.ListWorkflowRunArtifacts(ctx, "org", "timetracker", 7, &github.ListOptions{PerPage: 4})
	if err != nil {
		t.Fatal(err)
	}
	if page.GetTotalCount() != 6 || len(page.Artifacts) != 4 || resp.NextPage != 2 || page.Artifacts[0].GetID() != report {
		t.Fatalf("total %d, %d on the page, next %d, first %d", page.GetTotalCount(), len(page.Artifacts), resp.NextPage, page.Artifacts[0].GetID())
	}
	a := page.Artifacts[0]
	if a.GetName() != "test-report-1" || a.GetWorkflowRun().GetID() != 7 || a.GetWorkflowRun().GetHeadBranch() != "main" || a.GetExpired() ||
		a.GetSizeInBytes() == 0 || a.GetArchiveDownloadURL() == "" || !a.GetCreatedAt().Time.Equal(now.Add(time.Hour)) {
		t.Errorf("artifact %+v", a)
	}
	req, _ := c.NewRequest(http.MethodGet, "repos/org/timetracker/actions/artifacts?name=test-report-1&per_page=100", nil)
	var named github.ArtifactList
	if _, err := c.Do(ctx, req, &named); err != nil || named.GetTotalCount() != 2 || !named.Artifacts[1].GetExpired() {
		t.Fatalf("repository listing by name: %v %+v", err, named)
	}
	if _, _, err := c.Actions.ListWorkflowRunArtifacts(ctx, "org", "timetracker", 99, nil); githubapi.StatusCode(err) != http.StatusNotFound {
		t.Errorf("unknown run: %v", err)
	}

	// The zip: a redirect the token does not follow.
	body, err := githubapi.OpenArtifact(ctx, c, nil, "org", "timetracker", report)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(body)
	body.Close()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "test-report.json" {
		t.Fatalf("zip: %v", err)
	}
	if _, err := githubapi.OpenArtifact(ctx, c, nil, "org", "timetracker", old); !githubapi.Gone(err) {
		t.Errorf("expired artifact: %v, want 410", err)
	}

	// Raw: 302 with a signed Location; the storage URL refuses a token.
	loc, _, err := c.Actions.DownloadArtifact(ctx, "org", "timetracker", report, 0)
	if err != nil {
		t.Fatal(err)
	}
	withToken, _ := http.NewRequest(http.MethodGet, loc.String(), nil)
	withToken.Header.Set("Authorization", "Bearer t0ken")
	if got := status(t, withToken); got != http.StatusBadRequest {
		t.Errorf("storage with the token: %d, want 400", got)
	}
	forged := *loc
	q := forged.Query()
	q.Set("sig", "x"+q.Get("sig")) // not hex: never the real one
	forged.RawQuery = q.Encode()
	if got := status(t, get(forged.String())); got != http.StatusForbidden {
		t.Errorf("forged signature: %d, want 403", got)
	}
	if got := status(t, get(loc.String())); got != http.StatusOK {
		t.Errorf("signed URL: %d, want 200", got)
	}
	later.Store(int64(2 * time.Minute))
	if got := status(t, get(loc.String())); got != http.StatusForbidden {
		t.Errorf("URL after a minute: %d, want 403", got)
	}
}

func get(u string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, u, nil)
	return r
}

func status(t *testing.T, r *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
