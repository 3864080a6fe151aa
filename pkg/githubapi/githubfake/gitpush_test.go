package githubfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitCmd(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitCmd(t, dir, args...)
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return out
}

// pushFixture: a bare repository served by the fake (pushes over HTTP, as
// GitHub), and a clone of it to commit in.
func pushFixture(t *testing.T, opts Options) (s *Server, srv *httptest.Server, bare, work string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is missing")
		}
		t.Skip("needs git")
	}
	root := t.TempDir()
	bare, work = filepath.Join(root, "timetracker.git"), filepath.Join(root, "work")
	mustGit(t, root, "init", "-q", "--bare", "-b", "main", bare)
	mustGit(t, root, "clone", "-q", bare, work)
	if err := os.MkdirAll(filepath.Join(work, ".github", "workflows"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Large enough that git sends the next change as a delta against it
	// (a thin pack: the base is on the server only).
	if err := os.WriteFile(filepath.Join(work, ".github", "workflows", "ci.yml"), []byte(bigWorkflow), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, work, "add", "-A")
	mustGit(t, work, "commit", "-qm", "initial")
	mustGit(t, work, "push", "-q", "origin", "main")
	s = New(opts)
	mux := http.NewServeMux()
	mux.Handle("/org/timetracker.git/", s.GitPushHandler(bare, "ghp_workflow_scope"))
	mux.Handle("/", s.Handler())
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return s, srv, bare, work
}

var bigWorkflow = "on: push\njobs:\n" + strings.Repeat("  # a long workflow, so that git sends its changes as deltas\n", 400)

func pushURL(srv *httptest.Server, token string) string {
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("x-access-token", token)
	u.Path = "/org/timetracker.git"
	return u.String()
}

func releaseCommit(t *testing.T, work, tag string, touchWorkflow bool) {
	t.Helper()
	f := filepath.Join(work, "action.yml")
	if touchWorkflow {
		f = filepath.Join(work, ".github", "workflows", "ci.yml")
	}
	if err := os.WriteFile(f, []byte("# "+tag+"\n"+bigWorkflow), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, work, "add", "-A")
	mustGit(t, work, "commit", "-qm", "Release "+tag)
	mustGit(t, work, "tag", "-a", tag, "-m", tag)
}

func TestPushRefusesWorkflowChangesWithoutWorkflowsPermission(t *testing.T) {
	_, srv, bare, work := pushFixture(t, Options{Token: "ghs_github_token"})
	releaseCommit(t, work, "v1.0.0", true)
	out, err := gitCmd(t, work, "push", pushURL(srv, "ghs_github_token"), "refs/tags/v1.0.0")
	if err == nil {
		t.Fatalf("the push of a workflow change with the GITHUB_TOKEN was accepted:\n%s", out)
	}
	want := "! [remote rejected] v1.0.0 -> v1.0.0 (refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)"
	if !strings.Contains(out, want) {
		t.Errorf("git push said:\n%s\nwant the line %q", out, want)
	}
	if out, _ := gitCmd(t, bare, "tag", "-l"); strings.TrimSpace(out) != "" {
		t.Errorf("the refused tag exists: %q", out)
	}
	// The same token may push what does not touch .github/workflows/.
	mustGit(t, work, "tag", "-d", "v1.0.0")
	mustGit(t, work, "reset", "-q", "--hard", "origin/main")
	releaseCommit(t, work, "v1.0.2", false)
	if out, err := gitCmd(t, work, "push", pushURL(srv, "ghs_github_token"), "refs/tags/v1.0.2"); err != nil {
		t.Errorf("a push without workflow changes was refused: %v\n%s", err, out)
	}
	// A personal access token with the workflow scope may.
	releaseCommit(t, work, "v1.1.0", true)
	if out, err := gitCmd(t, work, "push", pushURL(srv, "ghp_workflow_scope"), "refs/tags/v1.1.0"); err != nil {
		t.Errorf("a push with the workflow scope was refused: %v\n%s", err, out)
	}
	// A wrong token is refused before anything.
	if out, err := gitCmd(t, work, "push", pushURL(srv, "wrong"), "main"); err == nil || !strings.Contains(out, "Authentication failed") && !strings.Contains(out, "401") && !strings.Contains(out, "Invalid username or token") {
		t.Errorf("a wrong token: %v\n%s", err, out)
	}
}

func jwtFor(iss string) string {
	enc := base64.RawURLEncoding
	claims, _ := json.Marshal(map[string]any{"iss": iss, "iat": 1, "exp": 2})
	return enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) + ".c2ln"
}

func mintToken(t *testing.T, srv *httptest.Server, iss string, perms map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v3/repos/org/timetracker/installation", nil)
	req.Header.Set("Authorization", "Bearer "+jwtFor(iss))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var inst struct{ ID int64 }
	_ = json.NewDecoder(resp.Body).Decode(&inst)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	body, _ := json.Marshal(map[string]any{"permissions": perms})
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/api/v3/app/installations/"+jsonNumber(inst.ID)+"/access_tokens", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+jwtFor(iss))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestAppTokenMayPushWorkflowChanges(t *testing.T) {
	app := &App{ClientID: "Iv23release", Permissions: map[string]string{"contents": "write", "workflows": "write"}}
	_, srv, bare, work := pushFixture(t, Options{Token: "ghs_github_token", App: app})
	if code, _ := mintToken(t, srv, "someone-else", map[string]string{"contents": "write"}); code != http.StatusUnauthorized {
		t.Errorf("a JWT of another app: %d, want 401", code)
	}
	code, out := mintToken(t, srv, "Iv23release", map[string]string{"contents": "write", "workflows": "write"})
	if code != http.StatusCreated {
		t.Fatalf("minting: %d %v", code, out)
	}
	tok, _ := out["token"].(string)
	releaseCommit(t, work, "v2.0.0", true)
	if out, err := gitCmd(t, work, "push", pushURL(srv, tok), "refs/tags/v2.0.0"); err != nil {
		t.Fatalf("the app token with workflows: write was refused: %v\n%s", err, out)
	}
	if out := mustGit(t, bare, "tag", "-l"); !strings.Contains(out, "v2.0.0") {
		t.Errorf("tag not in the repository: %q", out)
	}
	// A token minted without workflows is refused like the GITHUB_TOKEN.
	_, out2 := mintToken(t, srv, "Iv23release", map[string]string{"contents": "write"})
	tok2, _ := out2["token"].(string)
	releaseCommit(t, work, "v2.0.1", true)
	if out, err := gitCmd(t, work, "push", pushURL(srv, tok2), "refs/tags/v2.0.1"); err == nil || !strings.Contains(out, "without `workflows` permission") {
		t.Errorf("a token without workflows: %v\n%s", err, out)
	}
}

func TestAppWithoutWorkflowsPermissionCannotMint(t *testing.T) {
	app := &App{ClientID: "Iv23release", Permissions: map[string]string{"contents": "write"}}
	_, srv, _, _ := pushFixture(t, Options{App: app})
	code, out := mintToken(t, srv, "Iv23release", map[string]string{"contents": "write", "workflows": "write"})
	if code != http.StatusUnprocessableEntity || out["message"] != "The permissions requested are not granted to this installation." {
		t.Errorf("minting beyond the installation: %d %v", code, out)
	}
}
