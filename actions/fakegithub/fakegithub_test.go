package fakegithub

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

func TestServeAnnouncesURLAndServesAPI(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urlFile := filepath.Join(t.TempDir(), "url")
	var stdout bytes.Buffer
	env := action.Env{Getenv: func(string) string { return "" }, Stdout: &stdout, Stderr: io.Discard}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, env, []string{"--listen", "127.0.0.1:0", "--repo", "app", "--url-file", urlFile})
	}()

	var apiURL string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(urlFile); err == nil && len(b) > 0 {
			apiURL = strings.TrimSpace(string(b))
			break
		}
	}
	if !strings.HasPrefix(apiURL, "http://127.0.0.1:") || !strings.HasSuffix(apiURL, "/api/v3") {
		t.Fatalf("API URL %q, want http://127.0.0.1:<port>/api/v3", apiURL)
	}

	var repo struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
	}
	getJSON(t, apiURL+"/repos/org/app", &repo)
	if repo.FullName != "org/app" || repo.DefaultBranch != "main" {
		t.Errorf("repository %+v, want org/app on main", repo)
	}

	body := strings.NewReader(`{"tag_name":"v1.0.0","name":"1.0.0"}`)
	resp, err := http.Post(apiURL+"/repos/org/app/releases", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating a release: status %d, want 201", resp.StatusCode)
	}
	root := strings.TrimSuffix(apiURL, "/api/v3")
	var rels []githubfake.Release
	getJSON(t, root+"/_fake/releases", &rels)
	if len(rels) != 1 || rels[0].Tag != "v1.0.0" {
		t.Errorf("/_fake/releases = %+v, want one release v1.0.0", rels)
	}
	var reqs []githubfake.Request
	getJSON(t, root+"/_fake/requests", &reqs)
	posts := 0
	for _, r := range reqs {
		if r.Method == http.MethodPost {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("request log has %d POSTs, want 1: %+v", posts, reqs)
	}

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fake-github did not stop when its context ended")
	}
	// stdout is read only once run has returned: the URL file being there
	// is no synchronisation with the goroutine that wrote stdout.
	if got := strings.TrimSpace(stdout.String()); got != apiURL {
		t.Errorf("stdout %q, want the API URL %q", got, apiURL)
	}
}

func TestBadUsage(t *testing.T) {
	env := action.Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard}
	for _, args := range [][]string{{"--nope"}, {"extra"}} {
		err := run(context.Background(), env, args)
		if !action.IsInputError(err) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
	if err := run(context.Background(), env, []string{"--listen", "256.0.0.1:1"}); err == nil || action.IsInputError(err) {
		t.Errorf("an address that cannot be listened on = %v, want an ordinary error", err)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func TestMirrorsRefsOfARepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (apt-get install -y git)")
	}
	dir := t.TempDir()
	gitRun := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.invalid"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitRun("init", "-q", "-b", "main")
	gitRun("commit", "-q", "--allow-empty", "-m", "one")
	gitRun("tag", "-a", "v1.0.0", "-m", "annotated")
	gitRun("commit", "-q", "--allow-empty", "-m", "two")
	gitRun("tag", "v1.1.0")
	one, two := gitRun("rev-parse", "HEAD~1"), gitRun("rev-parse", "HEAD")

	// What a git server holds: a bare repository.
	bare := filepath.Join(t.TempDir(), "app.git")
	gitRun("clone", "-q", "--bare", dir, bare)
	src, cleanup, err := openableDir(bare)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	s := githubfake.New(githubfake.Options{})
	if err := mirrorRefs(s, src); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(withMirror(s, src, Handler(s)))
	defer srv.Close()
	s.URL = srv.URL
	for ref, want := range map[string]string{"tags/v1.0.0": one, "tags/v1.1.0": two, "heads/main": two} {
		var got struct {
			Object struct {
				SHA string `json:"sha"`
			} `json:"object"`
		}
		getJSON(t, s.APIURL()+"/repos/org/timetracker/git/ref/"+ref, &got)
		if got.Object.SHA != want {
			t.Errorf("%s = %s, want %s (annotated tags peeled)", ref, got.Object.SHA, want)
		}
	}
	// A tag pushed later is seen on the next request.
	gitRun("tag", "v1.2.0", one)
	gitRun("push", "-q", bare, "v1.2.0")
	var got struct {
		Object struct {
			SHA string `json:"sha"`
		} `json:"object"`
	}
	getJSON(t, s.APIURL()+"/repos/org/timetracker/git/ref/tags/v1.2.0", &got)
	if got.Object.SHA != one {
		t.Errorf("tag pushed after start = %s, want %s", got.Object.SHA, one)
	}
	var c struct {
		SHA    string `json:"sha"`
		Commit struct {
			Message string `json:"message"`
		} `json:"commit"`
	}
	getJSON(t, s.APIURL()+"/repos/org/timetracker/commits/"+one, &c)
	if c.SHA != one || strings.TrimSpace(c.Commit.Message) != "one" {
		t.Errorf("commit %s = %+v, want the mirrored commit", one, c)
	}
	if err := mirrorRefs(s, t.TempDir()); err == nil {
		t.Error("mirroring a folder that is not a repository gave no error")
	}
}

// Scripts open pull requests and read what was posted on them.
func TestPullRequestInspection(t *testing.T) {
	s := githubfake.New(githubfake.Options{})
	srv := httptest.NewServer(Handler(s))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/_fake/pulls?number=7&head=feature&base=main&sha="+s.Head(), "", nil)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("open: %v %v", resp, err)
	}
	resp.Body.Close()
	if resp, _ := http.Post(srv.URL+"/_fake/pulls?number=x", "", nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad number: %d", resp.StatusCode)
	}
	resp, err = http.Post(srv.URL+"/api/v3/repos/org/timetracker/issues/7/comments", "application/json", strings.NewReader(`{"body":"hi"}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("comment: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(srv.URL + "/_fake/comments")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cs []githubfake.Comment
	if err := json.NewDecoder(resp.Body).Decode(&cs); err != nil || len(cs) != 1 || cs[0].Issue != 7 || cs[0].Body != "hi" {
		t.Fatalf("comments: %+v %v", cs, err)
	}
}
