package releaseaction

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

// workspace is a real checkout: history with v1.0.0 and v1.2.3 tags, and
// the files a release attaches.
func workspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := repo.Worktree()
	when := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	commit := func(msg, name, email string) {
		when = when.Add(time.Hour)
		sig := &object.Signature{Name: name, Email: email, When: when}
		h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(msg, "release") {
			if _, err := repo.CreateTag(strings.TrimPrefix(msg, "release "), h, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	commit("feat: first version", "Ada", "ada@users.noreply.github.com")
	commit("release v1.0.0", "Ada", "ada@users.noreply.github.com")
	commit("feat(timer): pause and resume (#12)", "Ada", "ada@users.noreply.github.com")
	commit("fix: rounding (#13)", "Bob", "bob@example.com")
	commit("release v1.2.3", "Ada", "ada@users.noreply.github.com")
	os.MkdirAll(filepath.Join(dir, "dist", "deploy"), 0o755)
	for name, content := range map[string]string{
		"dist/timetracker-1.2.3.tar.gz":  "tarball",
		"dist/deploy/docker-compose.yml": "services: {}\n",
		"dist/deploy/k8s-manifests.yaml": "kind: List\n",
		"notes/intro.md":                 "Highlights: pause and resume.\n",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func caseFor(f *githubfake.Server, dir string, inputs map[string]string) actiontest.Case {
	in := map[string]string{"github-token": "t0ken", "assets": "dist/*.tar.gz\ndist/**/*.y*ml", "body-file": "notes/intro.md"}
	for k, v := range inputs {
		in[k] = v
	}
	return actiontest.Case{Dir: dir, Inputs: in, Env: map[string]string{
		"GITHUB_REPOSITORY": "org/timetracker", "GITHUB_API_URL": f.APIURL(), "GITHUB_SERVER_URL": "https://github.com",
		"GITHUB_SHA": f.Head(), "GITHUB_REF": "refs/tags/v1.2.3", "GITHUB_REF_NAME": "v1.2.3", "GITHUB_REF_TYPE": "tag", "GITHUB_EVENT_NAME": "push",
	}}
}

func TestPublishAndRerun(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{Token: "t0ken"})
	dir := workspace(t)
	res := actiontest.Run(t, Action(), caseFor(f, dir, nil))
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res.Outputs["created"] != "true" || res.Outputs["id"] == "" || !strings.Contains(res.Outputs["url"], "/releases/tag/v1.2.3") {
		t.Errorf("outputs %v", res.Outputs)
	}
	var assets map[string]struct{ URL, SHA256 string }
	if err := json.Unmarshal([]byte(res.Outputs["assets"]), &assets); err != nil || len(assets) != 4 || assets["SHA256SUMS"].SHA256 == "" {
		t.Errorf("assets output %s (%v)", res.Outputs["assets"], err)
	}
	for name, a := range assets {
		if !strings.HasSuffix(a.URL, "/releases/download/v1.2.3/"+name) {
			t.Errorf("asset %s: URL %s is not the published release's", name, a.URL)
		}
	}
	rels := f.Releases()
	if len(rels) != 1 || rels[0].Draft || rels[0].Prerelease || !rels[0].Latest || len(rels[0].Assets) != 4 {
		t.Fatalf("releases %+v", rels)
	}
	body := rels[0].Body
	for _, want := range []string{"Highlights: pause and resume.", "### Features", "**timer:** pause and resume ([#12](https://github.com/org/timetracker/pull/12))", "### Bug fixes", "compare/v1.0.0...v1.2.3", "Bob made their first contribution"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if data, err := os.ReadFile(res.Outputs["body-file"]); err != nil || string(data) != body {
		t.Errorf("body-file %s does not hold the body (%v)", res.Outputs["body-file"], err)
	}
	if !strings.Contains(res.Summary, "Created the release") || !strings.Contains(res.Summary, "4 uploaded") {
		t.Errorf("summary:\n%s", res.Summary)
	}

	f.ResetLog()
	again := actiontest.Run(t, Action(), caseFor(f, dir, nil))
	if again.ExitCode != 0 || again.Outputs["created"] != "false" || again.Outputs["id"] != res.Outputs["id"] {
		t.Fatalf("re-run: exit %d outputs %v\n%s", again.ExitCode, again.Outputs, again.Stdout)
	}
	for _, r := range f.Requests() {
		if r.Method != "GET" {
			t.Errorf("unchanged re-run wrote: %s %s", r.Method, r.Path)
		}
	}
}

func TestBadInputs(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{})
	dir := workspace(t)
	tests := []struct {
		name   string
		inputs map[string]string
		want   string
	}{
		{"glob matching nothing", map[string]string{"assets": "dist/*.zip"}, `"dist/*.zip" matched no files`},
		{"tag not semver", map[string]string{"tag": "release-2026"}, `tag "release-2026" is not a semantic version`},
		{"name GitHub rewrites", map[string]string{"assets": "dist/*.tar.gz\nweird*"}, `as "weird.name.txt"`},
		{"bad move-tags", map[string]string{"move-tags": "patch"}, "use major, minor"},
		{"bad changelog", map[string]string{"changelog": "keepachangelog"}, "conventional, github, none"},
	}
	os.WriteFile(filepath.Join(dir, "weird name.txt"), []byte("x"), 0o644)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := actiontest.Run(t, Action(), caseFor(f, dir, tc.inputs))
			if res.ExitCode != 2 || !strings.Contains(strings.Join(res.Annotations, "\n"), tc.want) {
				t.Errorf("exit %d, annotations %v; want exit 2 and %q", res.ExitCode, res.Annotations, tc.want)
			}
			if len(res.Outputs) != 0 {
				t.Errorf("bad input wrote outputs %v", res.Outputs)
			}
		})
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("bad input reached GitHub %d times", n)
	}
}

func TestMissingAssetsAllowed(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{})
	res := actiontest.Run(t, Action(), caseFor(f, workspace(t), map[string]string{"assets": "dist/*.tar.gz\ndist/*.zip", "fail-on-missing-assets": "false"}))
	if res.ExitCode != 0 || !strings.Contains(strings.Join(res.Annotations, "\n"), `"dist/*.zip" matched no files`) {
		t.Fatalf("exit %d annotations %v", res.ExitCode, res.Annotations)
	}
	if rels := f.Releases(); len(rels) != 1 || len(rels[0].Assets) != 2 {
		t.Errorf("releases %+v", rels)
	}
}

func TestTokenWithoutContentsWrite(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{ReadOnly: true})
	res := actiontest.Run(t, Action(), caseFor(f, workspace(t), nil))
	all := strings.Join(res.Annotations, "\n")
	if res.ExitCode != 1 || !strings.Contains(all, "contents: write") || !strings.Contains(all, "permissions:") {
		t.Fatalf("exit %d annotations %v", res.ExitCode, res.Annotations)
	}
}

func TestLocalDryRunWithoutToken(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{})
	dir := workspace(t)
	out := filepath.Join(dir, "plan") // output-dir is inside the workspace
	c := caseFor(f, dir, map[string]string{"github-token": "", "output-dir": "plan"})
	c.Local = true
	res := actiontest.Run(t, Action(), c)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	for _, name := range []string{"release.md", "assets.txt", "SHA256SUMS", "plan.txt"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("dry-run did not write %s", name)
		}
	}
	plan, _ := os.ReadFile(filepath.Join(out, "plan.txt"))
	if !strings.Contains(string(plan), "upload asset timetracker-1.2.3.tar.gz") || !strings.Contains(res.Stdout, "would publish release v1.2.3") {
		t.Errorf("plan:\n%s\nstdout:\n%s", plan, res.Stdout)
	}
	if len(f.Requests()) != 0 || len(f.Releases()) != 0 {
		t.Error("a dry run without a token talked to GitHub")
	}
}

func TestGitHubNotes(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{})
	f.SetRef("refs/tags/v1.0.0", f.Head()) // the previous tag the local history names
	f.Commit("main", "feat: from the API side", githubfake.Person{Name: "Cy", Email: "cy@example.com", Login: "cyn"})
	res := actiontest.Run(t, Action(), caseFor(f, workspace(t), map[string]string{"changelog": "github", "previous-tag": ""}))
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s", res.ExitCode, res.Stdout)
	}
	if body := f.Releases()[0].Body; !strings.Contains(body, "## What's Changed") || !strings.Contains(body, "by @cyn") || !strings.Contains(body, "compare/v1.0.0...v1.2.3") || strings.Contains(body, "Initial commit") {
		t.Errorf("body:\n%s", body)
	}
}

func TestMoveTagsAndRollingInputs(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{Token: "t0ken"})
	dir := workspace(t)
	res := actiontest.Run(t, Action(), caseFor(f, dir, map[string]string{"move-tags": "major, minor", "changelog": "none", "assets": ""}))
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s", res.ExitCode, res.Stdout)
	}
	for _, tag := range []string{"refs/tags/v1", "refs/tags/v1.2"} {
		if sha, _ := f.Ref(tag); sha != f.Head() {
			t.Errorf("%s at %q, want %s", tag, sha, f.Head())
		}
	}
	// Development prereleases: prerelease: auto marks them, rolling keeps two.
	for i := 1; i <= 3; i++ {
		tag := fmt.Sprintf("v1.3.0-dev.%d", i)
		res := actiontest.Run(t, Action(), caseFor(f, dir, map[string]string{"tag": tag, "rolling": "2", "changelog": "none", "assets": ""}))
		if res.ExitCode != 0 {
			t.Fatalf("%s: exit %d\n%s", tag, res.ExitCode, res.Stdout)
		}
	}
	var dev []string
	for _, r := range f.Releases() {
		if len(r.Assets) != 0 {
			t.Errorf("%s: %d assets, want none (no files, so no SHA256SUMS either)", r.Tag, len(r.Assets))
		}
		if strings.Contains(r.Tag, "-dev.") {
			dev = append(dev, r.Tag)
			if !r.Prerelease || r.Latest {
				t.Errorf("%s: prerelease=%v latest=%v", r.Tag, r.Prerelease, r.Latest)
			}
		}
	}
	if strings.Join(dev, ",") != "v1.3.0-dev.2,v1.3.0-dev.3" {
		t.Errorf("development releases kept: %v", dev)
	}
}
