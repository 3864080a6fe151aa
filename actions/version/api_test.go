package versionaction_test

import (
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

// A shallow clone with github-token reads tags and history from the API (the
// project's fake GitHub): the result is the one a full clone would give.
func TestShallowCloneWithToken(t *testing.T) {
	fake := githubfake.Start(t, githubfake.Options{Owner: "DRYTRIX", Repo: "TimeTracker", Token: "t0ken"})
	dev := githubfake.Person{Name: "Dev", Email: "dev@example.com"}
	c1 := fake.Commit("main", "feat: start", dev)
	fake.SetRef("refs/tags/v1.0.0", c1)
	c2 := fake.Commit("main", "fix: a", dev)
	fake.SetRef("refs/tags/v1.1.0", c2)
	fake.SetRef("refs/tags/nightly", c2)
	fake.Commit("main", "fix: b", dev)
	head := fake.Commit("main", "feat: timer", dev)

	g := history(t)
	shallow := g.Clone(1)
	env := map[string]string{"GITHUB_API_URL": fake.APIURL()}
	res := resolve(t, shallow, run{ref: "refs/heads/main", sha: head, env: env, inputs: map[string]string{"github-token": "t0ken"}})
	out := ok(t, res)
	wantOutputs(t, out, map[string]string{
		"version": "1.2.0", "tag": "v1.2.0", "previous-tag": "v1.1.0", "kind": "release", "latest": "true",
		"commit-date": "2026-01-01T00:05:00Z",
	})
	if !strings.Contains(res.Stdout, "reading tags and commits of DRYTRIX/TimeTracker from the GitHub API") {
		t.Errorf("no log line about the API:\n%s", res.Stdout)
	}
	if !strings.Contains(strings.Join(res.Annotations, "\n"), "1 tag is not v<semver>") {
		t.Errorf("nightly not reported as ignored: %q", res.Annotations)
	}
	if n := fake.Count("GET", "/compare/"); n == 0 {
		t.Errorf("the history was not read through compare")
	}

	// A development build counts commits since the release through the API.
	out = ok(t, resolve(t, shallow, run{ref: "refs/heads/develop", sha: head, env: env, inputs: map[string]string{"github-token": "t0ken"}}))
	wantOutputs(t, out, map[string]string{"version": "1.2.0-dev.2", "kind": "development"})

	// A wrong token is an error from the API, not a silent "no tags".
	res = resolve(t, shallow, run{ref: "refs/heads/main", sha: head, env: env, inputs: map[string]string{"github-token": "wrong"}})
	if res.ExitCode != 1 || !strings.Contains(res.Stdout+res.Stderr, "GitHub API") {
		t.Errorf("wrong token: exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
}
