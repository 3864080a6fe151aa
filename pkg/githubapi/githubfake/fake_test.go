package githubfake_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

func client(t *testing.T, f *githubfake.Server, retry ...githubapi.TransportOption) *github.Client {
	t.Helper()
	retry = append([]githubapi.TransportOption{githubapi.WithClock(time.Now, func(context.Context, time.Duration) error { return nil })}, retry...)
	c, _, err := githubapi.New(githubapi.Options{APIURL: f.APIURL(), Token: "t0ken", Retry: retry})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGitEndpoints(t *testing.T) {
	ctx := context.Background()
	f := githubfake.Start(t, githubfake.Options{Token: "t0ken"})
	a := githubfake.Person{Name: "Ada", Email: "ada@example.com", Login: "ada"}
	first := f.Head()
	f.SetRef("refs/tags/v1.0.0", first)
	second := f.Commit("main", "feat: timers (#2)", a)
	third := f.Commit("main", "fix: rounding", a)
	c := client(t, f)

	repo, _, err := c.Repositories.Get(ctx, "org", "timetracker")
	if err != nil || repo.GetDefaultBranch() != "main" || repo.GetFullName() != "org/timetracker" {
		t.Fatalf("repository: %v %v", repo, err)
	}
	tags, _, err := c.Repositories.ListTags(ctx, "org", "timetracker", nil)
	if err != nil || len(tags) != 1 || tags[0].GetName() != "v1.0.0" || tags[0].GetCommit().GetSHA() != first {
		t.Fatalf("tags: %v %v", tags, err)
	}
	commits, _, err := c.Repositories.ListCommits(ctx, "org", "timetracker", &github.CommitsListOptions{SHA: "main"})
	if err != nil || len(commits) != 3 || commits[0].GetSHA() != third || commits[0].GetAuthor().GetLogin() != "ada" {
		t.Fatalf("commits: %d %v", len(commits), err)
	}
	cmp, _, err := c.Repositories.CompareCommits(ctx, "org", "timetracker", "v1.0.0", "main", nil)
	if err != nil || cmp.GetAheadBy() != 2 || cmp.GetStatus() != "ahead" || cmp.Commits[0].GetSHA() != second {
		t.Fatalf("compare: %+v %v", cmp, err)
	}

	// Refs: create, conflict, non-fast-forward refused, forced move, delete.
	ref, _, err := c.Git.CreateRef(ctx, "org", "timetracker", &github.Reference{Ref: github.String("refs/tags/v1"), Object: &github.GitObject{SHA: github.String(third)}})
	if err != nil || ref.GetObject().GetSHA() != third {
		t.Fatalf("create ref: %v", err)
	}
	_, _, err = c.Git.CreateRef(ctx, "org", "timetracker", &github.Reference{Ref: github.String("refs/tags/v1"), Object: &github.GitObject{SHA: github.String(third)}})
	if githubapi.StatusCode(err) != 422 || !strings.Contains(err.Error(), "Reference already exists") {
		t.Fatalf("duplicate ref: %v", err)
	}
	back := &github.Reference{Ref: github.String("refs/tags/v1"), Object: &github.GitObject{SHA: github.String(first)}}
	if _, _, err = c.Git.UpdateRef(ctx, "org", "timetracker", back, false); !strings.Contains(errString(err), "not a fast forward") {
		t.Fatalf("non-forced move: %v", err)
	}
	if _, _, err = c.Git.UpdateRef(ctx, "org", "timetracker", back, true); err != nil {
		t.Fatal(err)
	}
	if sha, _ := f.Ref("refs/tags/v1"); sha != first {
		t.Fatalf("forced move left v1 at %s", sha)
	}
	refs, _, err := c.Git.ListMatchingRefs(ctx, "org", "timetracker", &github.ReferenceListOptions{Ref: "tags/v1"})
	if err != nil || len(refs) != 2 {
		t.Fatalf("matching refs: %d %v", len(refs), err)
	}
	if _, err = c.Git.DeleteRef(ctx, "org", "timetracker", "tags/v1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err = c.Git.GetRef(ctx, "org", "timetracker", "tags/v1"); githubapi.StatusCode(err) != 404 {
		t.Fatalf("deleted ref: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestReleasesBehaveLikeGitHub(t *testing.T) {
	ctx := context.Background()
	f := githubfake.Start(t, githubfake.Options{})
	c := client(t, f)
	draft, _, err := c.Repositories.CreateRelease(ctx, "org", "timetracker", &github.RepositoryRelease{TagName: github.String("v1.0.0"), Draft: github.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	// The by-tag endpoint hides drafts.
	if _, _, err := c.Repositories.GetReleaseByTag(ctx, "org", "timetracker", "v1.0.0"); githubapi.StatusCode(err) != 404 {
		t.Fatalf("draft visible by tag: %v", err)
	}
	// A second draft for the same tag is allowed: that is how duplicates happen.
	if _, _, err := c.Repositories.CreateRelease(ctx, "org", "timetracker", &github.RepositoryRelease{TagName: github.String("v1.0.0"), Draft: github.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	os.WriteFile(p, []byte("hello"), 0o644)
	as, err := githubapi.UploadAsset(ctx, c, "org", "timetracker", draft.GetID(), "a.txt", "", "text/plain", func() (*os.File, error) { return os.Open(p) })
	if err != nil || as.GetSize() != 5 || as.GetState() != "uploaded" {
		t.Fatalf("upload: %v %v", as, err)
	}
	_, err = githubapi.UploadAsset(ctx, c, "org", "timetracker", draft.GetID(), "a.txt", "", "text/plain", func() (*os.File, error) { return os.Open(p) })
	if !githubapi.HasErrorCode(err, "ReleaseAsset", "already_exists") {
		t.Fatalf("duplicate asset: %v", err)
	}
	if _, _, err := c.Repositories.EditRelease(ctx, "org", "timetracker", draft.GetID(), &github.RepositoryRelease{Draft: github.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if sha, ok := f.Ref("refs/tags/v1.0.0"); !ok || sha != f.Head() {
		t.Fatalf("publishing did not create the tag at the default branch: %q", sha)
	}
	got, _, err := c.Repositories.GetReleaseByTag(ctx, "org", "timetracker", "v1.0.0")
	if err != nil || got.GetID() != draft.GetID() || len(got.Assets) != 1 {
		t.Fatalf("by tag after publish: %v %v", got, err)
	}
	_, _, err = c.Repositories.CreateRelease(ctx, "org", "timetracker", &github.RepositoryRelease{TagName: github.String("v1.0.0")})
	if !githubapi.HasErrorCode(err, "Release", "already_exists") {
		t.Fatalf("create over a published release: %v", err)
	}
	latest, _, err := c.Repositories.GetLatestRelease(ctx, "org", "timetracker")
	if err != nil || latest.GetID() != draft.GetID() {
		t.Fatalf("latest: %v", err)
	}
	// Pagination: 3 releases at 2 a page.
	c.Repositories.CreateRelease(ctx, "org", "timetracker", &github.RepositoryRelease{TagName: github.String("v1.1.0"), Draft: github.Bool(true)})
	rels, resp, err := c.Repositories.ListReleases(ctx, "org", "timetracker", &github.ListOptions{PerPage: 2})
	if err != nil || len(rels) != 2 || resp.NextPage != 2 || resp.LastPage != 2 {
		t.Fatalf("page 1: %d next=%d %v", len(rels), resp.NextPage, err)
	}
	rels, resp, _ = c.Repositories.ListReleases(ctx, "org", "timetracker", &github.ListOptions{PerPage: 2, Page: 2})
	if len(rels) != 1 || resp.NextPage != 0 {
		t.Fatalf("page 2: %d next=%d", len(rels), resp.NextPage)
	}
	if resp.Rate.Limit != 1000 || resp.Rate.Remaining <= 0 {
		t.Errorf("rate headers: %+v", resp.Rate)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	f := githubfake.Start(t, githubfake.Options{})
	c := client(t, f)
	f.Inject(
		githubfake.Fault{Kind: githubfake.ServerError, Path: "/releases"},
		githubfake.Fault{Kind: githubfake.SecondaryLimit, Status: 429, Path: "/releases"},
		githubfake.Fault{Kind: githubfake.SecondaryLimit, Status: 403, RetryAfter: 3, Path: "/releases"},
		githubfake.Fault{Kind: githubfake.PrimaryLimit, Path: "/releases"},
		githubfake.Fault{Kind: githubfake.ConnectionReset, Path: "/releases"},
	)
	if _, _, err := c.Repositories.ListReleases(ctx, "org", "timetracker", nil); err != nil {
		t.Fatalf("transport did not ride out the faults: %v", err)
	}
	if f.PendingFaults() != 0 || f.Count("GET", "/releases") != 6 {
		t.Fatalf("pending %d, requests %d", f.PendingFaults(), f.Count("GET", "/releases"))
	}
	// Lost response: the create is applied, the client sees an error and
	// its retry meets 422 already_exists for a published release.
	f.Inject(githubfake.Fault{Kind: githubfake.LostResponse, Method: "POST", Path: "/releases"})
	_, _, err := c.Repositories.CreateRelease(ctx, "org", "timetracker", &github.RepositoryRelease{TagName: github.String("v2.0.0")})
	if !githubapi.HasErrorCode(err, "Release", "already_exists") || len(f.Releases()) != 1 {
		t.Fatalf("lost response: %v, %d releases", err, len(f.Releases()))
	}
}

func TestReadOnlyToken(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{ReadOnly: true})
	_, _, err := client(t, f).Repositories.CreateRelease(context.Background(), "org", "timetracker", &github.RepositoryRelease{TagName: github.String("v1.0.0")})
	if !githubapi.NotAccessible(err) {
		t.Fatalf("want 403 Resource not accessible by integration, got %v", err)
	}
}

func TestBadToken(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{Token: "right"})
	resp, err := http.Get(f.APIURL() + "/repos/org/timetracker")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
}

func TestValidationBodyShape(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{})
	post := func(body string) (int, string) {
		resp, err := http.Post(f.APIURL()+"/repos/org/timetracker/releases", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	if code, _ := post(`{"tag_name":"v1.0.0"}`); code != 201 {
		t.Fatalf("create: %d", code)
	}
	code, body := post(`{"tag_name":"v1.0.0"}`)
	want := `{"message":"Validation Failed","errors":[{"resource":"Release","code":"already_exists","field":"tag_name"}],"documentation_url":"https://docs.github.com/rest/releases/releases#create-a-release","status":"422"}`
	if code != 422 || body != want {
		t.Errorf("got %d %s\nwant 422 %s", code, body, want)
	}
}

func TestCommitsPaginateAndCompareCaps(t *testing.T) {
	ctx := context.Background()
	f := githubfake.Start(t, githubfake.Options{})
	base := f.Head()
	f.SetRef("refs/tags/v0.1.0", base)
	for i := 0; i < 260; i++ {
		f.Commit("main", fmt.Sprintf("chore: step %d", i), githubfake.Person{Name: "Bot", Email: "bot@example.com"})
	}
	c := client(t, f)
	var all []*github.RepositoryCommit
	opt := &github.CommitsListOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.Repositories.ListCommits(ctx, "org", "timetracker", opt)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if len(all) != 261 || all[len(all)-1].GetSHA() != base {
		t.Errorf("paged %d commits, want 261 ending at the root", len(all))
	}
	cmp, _, err := c.Repositories.CompareCommits(ctx, "org", "timetracker", "v0.1.0", "main", nil)
	if err != nil || cmp.GetTotalCommits() != 260 || len(cmp.Commits) != 250 {
		t.Errorf("compare: total %d, listed %d (%v); want 260 and GitHub's cap of 250", cmp.GetTotalCommits(), len(cmp.Commits), err)
	}
	notes, _, err := c.Repositories.GenerateReleaseNotes(ctx, "org", "timetracker", &github.GenerateNotesOptions{TagName: "v0.2.0", PreviousTagName: github.String("v0.1.0")})
	if err != nil || !strings.Contains(notes.Body, "chore: step 259") || strings.Contains(notes.Body, "Initial commit") || notes.Name != "v0.2.0" {
		t.Errorf("notes: %v %v", notes, err)
	}
}

func TestImportGit(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := repo.Worktree()
	when := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	var last plumbing.Hash
	for i, msg := range []string{"feat: one", "fix: two", "feat: three"} {
		sig := &object.Signature{Name: "Ada", Email: "7+ada@users.noreply.github.com", When: when.Add(time.Duration(i) * time.Hour)}
		if last, err = wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := repo.CreateTag("v1.0.0", last, &git.CreateTagOptions{Tagger: sig, Message: "annotated"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	f := githubfake.Start(t, githubfake.Options{})
	if err := f.ImportGit(dir); err != nil {
		t.Fatal(err)
	}
	if f.Head() != last.String() {
		t.Fatalf("default branch at %s, want the checkout's HEAD %s", f.Head(), last)
	}
	c := client(t, f)
	cmp, _, err := c.Repositories.CompareCommits(context.Background(), "org", "timetracker", "v1.0.0", last.String(), nil)
	if err != nil || cmp.GetAheadBy() != 2 || cmp.Commits[0].GetCommit().GetMessage() != "fix: two" || cmp.Commits[1].GetAuthor().GetLogin() != "ada" {
		t.Fatalf("compare over imported history: %+v %v", cmp, err)
	}
}
