package versionaction_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	versionaction "github.com/org/timetracker-ci/actions/version"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

// payload is a minimal webhook payload for event with the repository the
// tests pretend to be.
func payload(event string, extra map[string]any) []byte {
	p := map[string]any{
		"repository": map[string]any{
			"name": "TimeTracker", "full_name": "DRYTRIX/TimeTracker", "default_branch": "main",
			"html_url": "https://github.com/DRYTRIX/TimeTracker", "description": "Time tracking for teams",
			"license": map[string]any{"spdx_id": "GPL-3.0"}, "owner": map[string]any{"login": "DRYTRIX"},
		},
	}
	for k, v := range extra {
		p[k] = v
	}
	data, _ := json.Marshal(p)
	return data
}

type run struct {
	event, ref, sha string
	inputs          map[string]string
	extra           map[string]any
	env             map[string]string
}

// resolve runs the action. Most tests here are of the built-in scheme, so
// a run that does not set tags gets type=timetracker; a test of
// metadata-action's default rules sets tags to "" (see
// TestEmptyTagsGiveMetadataActionDefaults).
func resolve(t *testing.T, g *gitrepotest.Repo, r run) actiontest.Result {
	t.Helper()
	if _, set := r.inputs["tags"]; !set {
		inputs := map[string]string{"tags": "type=timetracker"}
		for k, v := range r.inputs {
			inputs[k] = v
		}
		r.inputs = inputs
	}
	if r.event == "" {
		r.event = "push"
	}
	if r.sha == "" {
		r.sha = g.Head()
	}
	env := map[string]string{
		"GITHUB_EVENT_NAME": r.event, "GITHUB_REF": r.ref, "GITHUB_SHA": r.sha,
		"GITHUB_REPOSITORY": "DRYTRIX/TimeTracker", "GITHUB_SERVER_URL": "https://github.com",
	}
	for k, v := range r.env {
		env[k] = v
	}
	return actiontest.Run(t, versionaction.Action(), actiontest.Case{
		Inputs: r.inputs, Env: env, Event: payload(r.event, r.extra), Dir: g.Dir,
	})
}

func ok(t *testing.T, res actiontest.Result) map[string]string {
	t.Helper()
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	return res.Outputs
}

// ok2 is ok returning the whole result.
func ok2(t *testing.T, res actiontest.Result) actiontest.Result {
	t.Helper()
	ok(t, res)
	return res
}

func wantOutputs(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("output %s = %q, want %q", k, got[k], v)
		}
	}
}

// history builds main with releases v1.0.0 .. v1.2.3 and leaves HEAD one
// commit after v1.2.3.
func history(t *testing.T) *gitrepotest.Repo {
	g := gitrepotest.New(t)
	g.Commit("feat: start")
	g.AnnotatedTag("v1.0.0", "first")
	g.Commit("fix: a")
	g.Tag("v1.1.0")
	g.Commit("fix: b")
	g.AnnotatedTag("v1.2.2", "patch")
	g.Commit("fix: c")
	g.Tag("v1.2.3")
	return g
}

func TestTagPushRelease(t *testing.T) {
	g := history(t)
	out := ok(t, resolve(t, g, run{ref: "refs/tags/v1.2.3"}))
	wantOutputs(t, out, map[string]string{
		"version": "1.2.3", "tag": "v1.2.3", "tag-exists": "true", "previous-tag": "v1.2.2",
		"major": "1", "minor": "2", "patch": "3", "prerelease": "false", "kind": "release",
		"latest": "true", "stable": "true",
		"tag-names": "1.2.3\n1.2\n1\nlatest\nstable",
		// Mixed-case owner and name: the image is lower case.
		"tags": "ghcr.io/drytrix/timetracker:1.2.3\nghcr.io/drytrix/timetracker:1.2\nghcr.io/drytrix/timetracker:1\n" +
			"ghcr.io/drytrix/timetracker:latest\nghcr.io/drytrix/timetracker:stable",
		"commit-date": "2024-01-02T03:07:05Z",
	})
	for _, l := range []string{
		"org.opencontainers.image.title=TimeTracker", "org.opencontainers.image.version=1.2.3",
		"org.opencontainers.image.revision=" + g.Head(), "org.opencontainers.image.licenses=GPL-3.0",
		"org.opencontainers.image.source=https://github.com/DRYTRIX/TimeTracker",
		"org.opencontainers.image.created=2024-01-02T03:07:05.000Z",
	} {
		if !strings.Contains(out["labels"]+"\n", l+"\n") {
			t.Errorf("labels lack %q:\n%s", l, out["labels"])
		}
	}
	if !strings.Contains(out["annotations"], "manifest:org.opencontainers.image.version=1.2.3") {
		t.Errorf("annotations: %s", out["annotations"])
	}
	var js map[string]any
	if err := json.Unmarshal([]byte(out["json"]), &js); err != nil {
		t.Fatalf("json output: %v", err)
	}
	if js["version"] != "1.2.3" || js["kind"] != "release" || len(js["tag-names"].([]any)) != 5 {
		t.Errorf("json output: %s", out["json"])
	}
}

func TestPrereleaseTagGetsOnlyItsVersion(t *testing.T) {
	g := history(t)
	g.Commit("feat: next")
	g.Tag("v1.3.0-rc.1")
	out := ok(t, resolve(t, g, run{ref: "refs/tags/v1.3.0-rc.1"}))
	wantOutputs(t, out, map[string]string{
		"version": "1.3.0-rc.1", "kind": "prerelease", "prerelease": "true", "latest": "false", "stable": "false",
		"tag-names": "1.3.0-rc.1", "previous-tag": "v1.2.3",
	})
}

func TestPatchToOlderMajorDoesNotTakeLatest(t *testing.T) {
	g := history(t)
	g.Commit("feat!: new major")
	g.Tag("v2.0.0")
	g.Git("checkout", "-q", "-b", "support/1.x", "v1.2.3")
	g.Commit("fix: backport")
	g.Tag("v1.2.4")
	out := ok(t, resolve(t, g, run{ref: "refs/tags/v1.2.4"}))
	wantOutputs(t, out, map[string]string{
		"version": "1.2.4", "kind": "release", "latest": "false", "stable": "false",
		"tag-names": "1.2.4\n1.2\n1", "previous-tag": "v1.2.3",
	})
	// An older minor in an older major takes neither 1.1 nor 1 from 1.2.4.
	g.Git("checkout", "-q", "-b", "support/1.1", "v1.1.0")
	g.Commit("fix: older")
	g.Tag("v1.1.1")
	out = ok(t, resolve(t, g, run{ref: "refs/tags/v1.1.1"}))
	wantOutputs(t, out, map[string]string{"tag-names": "1.1.1\n1.1", "latest": "false"})
}

func TestDefaultBranchReleasesNextVersion(t *testing.T) {
	for _, c := range []struct {
		name, message, bump, want string
	}{
		{"feat", "feat(ui): timer widget", "", "1.3.0"},
		{"fix", "fix: rounding", "", "1.2.4"},
		{"perf", "perf: faster report", "", "1.2.4"},
		{"other", "Update README", "", "1.2.4"},
		{"bang", "refactor!: drop python 3.8", "", "2.0.0"},
		{"footer", "feat: api v2\n\nBREAKING CHANGE: the v1 API is gone", "", "2.0.0"},
		{"bump major", "fix: x", "major", "2.0.0"},
		{"bump minor", "fix: x", "minor", "1.3.0"},
		{"bump patch", "feat: x", "patch", "1.2.4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := history(t)
			g.Commit("fix: small")
			g.Commit(c.message)
			out := ok(t, resolve(t, g, run{ref: "refs/heads/main", inputs: map[string]string{"bump": c.bump}}))
			wantOutputs(t, out, map[string]string{
				"version": c.want, "tag": "v" + c.want, "tag-exists": "false", "kind": "release", "previous-tag": "v1.2.3",
			})
		})
	}
}

func TestBreakingChangeBelowOneBumpsMinor(t *testing.T) {
	g := gitrepotest.New(t)
	g.Commit("feat: start")
	g.Tag("v0.3.1")
	g.Commit("feat!: rework")
	out := ok(t, resolve(t, g, run{ref: "refs/heads/main"}))
	wantOutputs(t, out, map[string]string{"version": "0.4.0", "tag-names": "0.4.0\n0.4\nlatest\nstable"})
}

func TestFirstReleaseUsesInitialVersion(t *testing.T) {
	g := gitrepotest.New(t)
	g.Commit("feat: start")
	g.Tag("nightly")
	res := resolve(t, g, run{ref: "refs/heads/main"})
	wantOutputs(t, ok(t, res), map[string]string{"version": "0.1.0", "tag": "v0.1.0", "previous-tag": ""})
	if !strings.Contains(strings.Join(res.Annotations, "\n"), "1 tag is not v<semver>") {
		t.Errorf("no notice about the ignored tag: %q", res.Annotations)
	}
}

func TestRerunAndExistingTag(t *testing.T) {
	g := history(t)
	g.Commit("feat: x")
	g.Tag("v1.3.0")
	// A re-run of the push that made v1.3.0: the same release.
	out := ok(t, resolve(t, g, run{ref: "refs/heads/main"}))
	wantOutputs(t, out, map[string]string{"version": "1.3.0", "tag-exists": "true", "kind": "release"})

	// v1.4.0 exists elsewhere: the next feat release cannot take it.
	g.Git("checkout", "-q", "-b", "elsewhere")
	g.Commit("feat: elsewhere")
	g.Tag("v1.4.0-rc.1")
	g.Tag("v1.4.0")
	g.Git("checkout", "-q", "main")
	g.Commit("feat: y")
	res := resolve(t, g, run{ref: "refs/heads/main"})
	if res.ExitCode != 1 || !strings.Contains(res.Stderr+res.Stdout, "tag v1.4.0 names commit") {
		t.Errorf("exit %d, want 1 with an error naming the existing tag:\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
}

func TestDevelopmentBranch(t *testing.T) {
	g := history(t)
	g.Git("checkout", "-q", "-b", "develop")
	g.Commit("feat: a")
	g.Commit("fix: b")
	head := g.Head()
	out := ok(t, resolve(t, g, run{ref: "refs/heads/develop"}))
	wantOutputs(t, out, map[string]string{
		"version": "1.3.0-dev.2", "kind": "development", "tag": "", "latest": "false", "stable": "false",
		"tag-names": "develop\ndev-20240102-030905\ndev-" + head[:7], "previous-tag": "v1.2.3",
	})
	// Re-running gives the same tags: the date is the commit's, not the clock's.
	again := ok(t, resolve(t, g, run{ref: "refs/heads/develop"}))
	if again["tag-names"] != out["tag-names"] {
		t.Errorf("re-run tags %q differ from %q", again["tag-names"], out["tag-names"])
	}
	// Branch names are sanitised.
	g.Git("checkout", "-q", "-b", "feature/Time_zones+DST")
	out = ok(t, resolve(t, g, run{ref: "refs/heads/feature/Time_zones+DST"}))
	if first := strings.Split(out["tag-names"], "\n")[0]; first != "feature-Time_zones-DST" {
		t.Errorf("sanitised branch tag = %q", first)
	}
}

func TestPullRequest(t *testing.T) {
	g := history(t)
	g.Commit("feat: proposal")
	out := ok(t, resolve(t, g, run{event: "pull_request", ref: "refs/pull/42/merge",
		extra: map[string]any{"number": 42, "pull_request": map[string]any{"number": 42}}}))
	wantOutputs(t, out, map[string]string{"version": "1.3.0-pr.42", "kind": "pull-request", "tag-names": "pr-42", "tag": ""})
}

func TestWorkflowDispatchVersion(t *testing.T) {
	g := history(t)
	g.Commit("chore: prepare")
	out := ok(t, resolve(t, g, run{event: "workflow_dispatch", ref: "refs/heads/main",
		extra: map[string]any{"inputs": map[string]any{"version": "v2.0.0-beta.1"}}}))
	wantOutputs(t, out, map[string]string{"version": "2.0.0-beta.1", "kind": "prerelease", "tag": "v2.0.0-beta.1", "tag-exists": "false"})
	res := resolve(t, g, run{event: "workflow_dispatch", ref: "refs/heads/main",
		extra: map[string]any{"inputs": map[string]any{"version": "two"}}})
	if res.ExitCode != 2 || !strings.Contains(res.Stdout+res.Stderr, "is not a semantic version") {
		t.Errorf("bad dispatch version: exit %d\n%s", res.ExitCode, res.Stdout+res.Stderr)
	}
}

func TestTagsWithAndWithoutPrefix(t *testing.T) {
	g := gitrepotest.New(t)
	g.Commit("feat: a")
	g.Tag("1.0.0")
	g.Commit("feat: b")
	g.Tag("v1.1.0")
	g.Commit("fix: c")
	out := ok(t, resolve(t, g, run{ref: "refs/heads/main"}))
	wantOutputs(t, out, map[string]string{"version": "1.1.1", "previous-tag": "v1.1.0"})

	// A custom prefix: only prefixed tags are releases, image tags drop it.
	g.Tag("release-2.0.0")
	out = ok(t, resolve(t, g, run{ref: "refs/tags/release-2.0.0", inputs: map[string]string{"tag-prefix": "release-"}}))
	wantOutputs(t, out, map[string]string{"version": "2.0.0", "tag": "release-2.0.0", "tag-names": "2.0.0\n2.0\n2\nlatest\nstable"})
}

func TestPrereleaseBranchNumbering(t *testing.T) {
	g := history(t)
	g.Git("checkout", "-q", "-b", "rc/1.3")
	g.Commit("feat: candidate")
	g.Tag("v1.3.0-rc.2")
	g.Tag("v1.3.0-rc.10")
	g.Commit("fix: candidate fix")
	out := ok(t, resolve(t, g, run{ref: "refs/heads/rc/1.3", inputs: map[string]string{"prerelease": "rc/**=rc\nbeta/*=beta"}}))
	// rc.10 sorts above rc.2 numerically: the next free number is 11.
	wantOutputs(t, out, map[string]string{
		"version": "1.3.0-rc.11", "tag": "v1.3.0-rc.11", "kind": "prerelease", "tag-names": "1.3.0-rc.11", "previous-tag": "v1.3.0-rc.10",
	})
	// The final release's previous tag skips the candidates.
	g.Tag("v1.3.0")
	out = ok(t, resolve(t, g, run{ref: "refs/tags/v1.3.0"}))
	wantOutputs(t, out, map[string]string{"previous-tag": "v1.2.3", "latest": "true"})
}

func TestVersionFile(t *testing.T) {
	g := history(t)
	g.Write("pyproject.toml", "[build-system]\nrequires = [\"setuptools\"]\n\n[project]\nname = \"timetracker\"\nversion = \"1.5.0\"\n")
	g.Commit("chore: version 1.5.0")
	out := ok(t, resolve(t, g, run{ref: "refs/heads/main", inputs: map[string]string{"version-file": "pyproject.toml"}}))
	wantOutputs(t, out, map[string]string{"version": "1.5.0", "tag": "v1.5.0"})

	g.Tag("v1.4.0")
	res := resolve(t, g, run{ref: "refs/tags/v1.4.0", inputs: map[string]string{"version-file": "pyproject.toml"}})
	msg := res.Stdout + res.Stderr
	if res.ExitCode != 1 || !strings.Contains(msg, "1.4.0") || !strings.Contains(msg, "1.5.0") || !strings.Contains(msg, "pyproject.toml") {
		t.Errorf("mismatch: exit %d, want 1 naming both versions and the file:\n%s", res.ExitCode, msg)
	}
}

func TestFlavorPrefixSuffix(t *testing.T) {
	g := history(t)
	out := ok(t, resolve(t, g, run{ref: "refs/tags/v1.2.3", inputs: map[string]string{
		"flavor": "prefix=app-\nsuffix=-alpine,onlatest=true",
	}}))
	wantOutputs(t, out, map[string]string{"tag-names": "app-1.2.3-alpine\napp-1.2-alpine\napp-1-alpine\nlatest-alpine\nstable-alpine"})
	out = ok(t, resolve(t, g, run{ref: "refs/tags/v1.2.3", inputs: map[string]string{"flavor": "latest=false"}}))
	wantOutputs(t, out, map[string]string{"tag-names": "1.2.3\n1.2\n1", "latest": "false", "stable": "false"})
}

func TestMetadataActionRules(t *testing.T) {
	g := history(t)
	rules := strings.Join([]string{
		"type=ref,event=branch",
		"type=semver,pattern={{major}}.{{minor}}",
		"type=semver,pattern={{version}}",
		"type=sha,priority=50",
		"type=raw,value=edge-{{branch}},enable={{is_default_branch}}",
		"type=raw,value=never,enable=false",
		"type=raw,value=first,priority=2000",
	}, "\n")
	out := ok(t, resolve(t, g, run{ref: "refs/tags/v1.2.3", inputs: map[string]string{"tags": rules}}))
	// priority order: raw first (2000), semver (900, in line order), ref
	// (nothing on a tag), raw edge (disabled off the default branch), sha (50).
	wantOutputs(t, out, map[string]string{
		"tag-names": "first\n1.2\n1.2.3\nsha-" + g.Head()[:7], "latest": "false",
	})
	out = ok(t, resolve(t, g, run{ref: "refs/tags/v1.2.3", inputs: map[string]string{"tags": "type=semver,pattern={{version}}\ntype=ref,event=tag"}}))
	wantOutputs(t, out, map[string]string{"tag-names": "1.2.3\nv1.2.3\nlatest", "latest": "true"})

	// On the default branch the rules see the version this run releases.
	g.Commit("feat: more")
	out = ok(t, resolve(t, g, run{ref: "refs/heads/main", inputs: map[string]string{"tags": rules}}))
	wantOutputs(t, out, map[string]string{
		"tag-names": "first\n1.3\n1.3.0\nmain\nedge-main\nsha-" + g.Head()[:7], "version": "1.3.0",
	})
}

func TestRulesNeverMoveLatestBack(t *testing.T) {
	g := history(t)
	g.Commit("feat: three")
	g.Tag("v1.3.0")
	g.Commit("feat!: two")
	g.Tag("v2.0.0")
	g.Git("checkout", "-q", "-b", "support", "v1.2.3")
	g.Commit("fix: backport")
	g.Tag("v1.2.4")
	res := resolve(t, g, run{ref: "refs/tags/v1.2.4", inputs: map[string]string{
		"tags": "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}\ntype=semver,pattern=v{{major}}.{{minor}}",
	}})
	// 1 belongs to 1.3.0 and latest to 2.0.0; v1.2 is still 1.2.4's.
	wantOutputs(t, ok(t, res), map[string]string{"tag-names": "1.2.4\nv1.2", "latest": "false"})
	if !strings.Contains(strings.Join(res.Annotations, "\n"), "a release higher than 1.2.4 owns that tag") {
		t.Errorf("no notice for the skipped rule: %q", res.Annotations)
	}
}

func TestBadInputs(t *testing.T) {
	g := history(t)
	for _, c := range []struct {
		input, value string
	}{
		{"tags", `type=raw,value="unterminated`},
		{"tags", "type=nightly"},
		{"tags", "type=semver"},
		{"tags", "type=ref,event=branch,colour=blue"},
		{"tags", "type=raw,value={{unknown}}"},
		{"flavor", "latest=sometimes"},
		{"version-file", "missing/pyproject.toml"},
		{"bump", "huge"},
		{"scheme", "nightly"},
		{"prerelease", "rc/**"},
		{"images", "ghcr.io/bad image"},
	} {
		t.Run(c.input+"="+c.value, func(t *testing.T) {
			res := resolve(t, g, run{ref: "refs/heads/main", inputs: map[string]string{c.input: c.value}})
			if res.ExitCode != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
			}
			if len(res.Outputs) != 0 {
				t.Errorf("outputs written on bad input: %v", res.Outputs)
			}
			ann := strings.Join(res.Annotations, "\n")
			if !strings.Contains(ann, c.input) {
				t.Errorf("annotation does not name input %s: %s", c.input, ann)
			}
		})
	}
	// enable= that evaluates to something else is caught while resolving.
	res := resolve(t, g, run{ref: "refs/heads/main", inputs: map[string]string{"tags": "type=raw,value=x,enable={{branch}}"}})
	if res.ExitCode != 2 || len(res.Outputs) != 0 {
		t.Errorf("enable={{branch}}: exit %d, outputs %v", res.ExitCode, res.Outputs)
	}
}

func TestShallowCloneWithoutToken(t *testing.T) {
	g := history(t)
	g.Commit("feat: x")
	c := g.Clone(1)
	res := resolve(t, c, run{ref: "refs/heads/main"})
	if res.ExitCode != 1 || !strings.Contains(res.Stdout+res.Stderr, "fetch-depth: 0") {
		t.Errorf("shallow clone: exit %d, want 1 with fetch-depth advice:\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res.Outputs["version"] != "" {
		t.Errorf("version output on failure: %q", res.Outputs["version"])
	}
}

func TestAnnotatedTagOnMergeCommit(t *testing.T) {
	g := history(t)
	g.Git("checkout", "-q", "-b", "topic")
	g.Commit("feat: topic")
	g.Git("checkout", "-q", "main")
	g.Commit("fix: main side")
	g.Git("merge", "-q", "--no-ff", "-m", "Merge topic", "topic")
	g.AnnotatedTag("v1.3.0", "release on a merge")
	g.Git("pack-refs", "--all")
	out := ok(t, resolve(t, g, run{ref: "refs/heads/main"}))
	wantOutputs(t, out, map[string]string{"version": "1.3.0", "tag-exists": "true"})
	g.Commit("fix: after")
	out = ok(t, resolve(t, g, run{ref: "refs/heads/main"}))
	wantOutputs(t, out, map[string]string{"version": "1.3.1", "previous-tag": "v1.3.0"})
}

func TestLocalRunInfersEvent(t *testing.T) {
	g := history(t)
	run := func() map[string]string {
		res := actiontest.Run(t, versionaction.Action(), actiontest.Case{Dir: g.Dir, Local: true, Inputs: map[string]string{"tags": "type=timetracker"}})
		if res.ExitCode != 0 {
			t.Fatalf("local run: exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
		}
		out := map[string]string{}
		for _, line := range strings.Split(res.Stdout, "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				out[k] = v
			}
		}
		return out
	}
	// HEAD carries v1.2.3: a build of that tag.
	out := run()
	if out["version"] != "1.2.3" || out["kind"] != "release" || out["tag-exists"] != "true" {
		t.Errorf("local run on a tag: %v", out)
	}
	// GITHUB_REF, when set, says what is built, even on a tagged commit.
	res := actiontest.Run(t, versionaction.Action(), actiontest.Case{Dir: g.Dir, Local: true, Env: map[string]string{"GITHUB_REF": "refs/heads/develop"}})
	if !strings.Contains(res.Stdout, "version=1.2.4-dev.0") || !strings.Contains(res.Stdout, "kind=development") {
		t.Errorf("local run with GITHUB_REF=refs/heads/develop:\n%s%s", res.Stdout, res.Stderr)
	}
	// On a branch past it: main is the default branch, so the next release.
	g.Commit("feat: local")
	if out = run(); out["version"] != "1.3.0" || out["kind"] != "release" {
		t.Errorf("local run on main: %v", out)
	}
	g.Git("checkout", "-q", "-b", "topic")
	if out = run(); out["version"] != "1.3.0-dev.1" || out["kind"] != "development" {
		t.Errorf("local run on a topic branch: %v", out)
	}
}

func TestVersionFileKinds(t *testing.T) {
	for name, content := range map[string]string{
		"setup.py":     "from setuptools import setup\nsetup(name='tt', version='2.1.0')\n",
		"package.json": `{"name": "tt", "version": "2.1.0"}`,
		"VERSION":      "v2.1.0\n",
	} {
		t.Run(name, func(t *testing.T) {
			g := history(t)
			g.Write(name, content)
			g.Commit("chore: version")
			out := ok(t, resolve(t, g, run{ref: "refs/heads/main", inputs: map[string]string{"version-file": name}}))
			wantOutputs(t, out, map[string]string{"version": "2.1.0"})
		})
	}
}

func TestSummary(t *testing.T) {
	g := history(t)
	res := resolve(t, g, run{ref: "refs/tags/v1.2.3"})
	ok(t, res)
	for _, want := range []string{"### Version 1.2.3 (release)", "`v1.2.3` (exists)", "ghcr.io/drytrix/timetracker:1.2.3"} {
		if !strings.Contains(res.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, res.Summary)
		}
	}
}

func TestMain(m *testing.M) {
	// The runner's environment must not leak into the cases.
	for _, k := range []string{"GITHUB_ACTIONS", "GITHUB_REF", "GITHUB_SHA", "GITHUB_EVENT_NAME", "GITHUB_REPOSITORY"} {
		os.Unsetenv(k)
	}
	os.Exit(m.Run())
}

func TestScheduleMatchEdgePEP440Rules(t *testing.T) {
	g := history(t)
	head := g.Head()
	rules := "type=schedule,pattern=nightly-{{commit_date 'YYYYMMDD'}}\ntype=edge\ntype=match,pattern=v(\\d+)\\.(\\d+),group=2,prefix=minor-\ntype=pep440,pattern={{major}}.{{minor}}"
	// A scheduled run on the default branch: a development build.
	out := ok(t, resolve(t, g, run{event: "schedule", ref: "refs/heads/main", inputs: map[string]string{"tags": rules}}))
	wantOutputs(t, out, map[string]string{"tag-names": "nightly-20240102\nedge", "kind": "development", "latest": "false"})
	// Without rules a schedule builds nightly plus the development tags.
	out = ok(t, resolve(t, g, run{event: "schedule", ref: "refs/heads/main"}))
	wantOutputs(t, out, map[string]string{"tag-names": "nightly\nmain\ndev-20240102-030705\ndev-" + head[:7]})
	// On the tag: match (priority 800) then pep440 (900 first).
	out = ok(t, resolve(t, g, run{ref: "refs/tags/v1.2.3", inputs: map[string]string{"tags": rules, "flavor": "suffix=-py"}}))
	wantOutputs(t, out, map[string]string{"tag-names": "1.2-py\nminor-2-py\nlatest", "latest": "true"})
	// An explicit value feeds semver rules off a tag too, and latest=false wins.
	out = ok(t, resolve(t, g, run{ref: "refs/heads/develop", inputs: map[string]string{
		"tags": "type=semver,pattern={{major}}.{{minor}},value=v3.4.5", "flavor": "latest=false",
	}}))
	wantOutputs(t, out, map[string]string{"tag-names": "3.4", "latest": "false"})
	// Pre-release values only ever give the full version.
	out = ok(t, resolve(t, g, run{ref: "refs/heads/develop", inputs: map[string]string{
		"tags": "type=semver,pattern={{major}}.{{minor}},value=v3.4.5-rc.1\ntype=pep440,pattern={{major}},value=3.4.5rc1",
	}}))
	wantOutputs(t, out, map[string]string{"tag-names": "3.4.5-rc.1\n3.4.5rc1", "latest": "false"})
}

func TestReleaseMarkedPrerelease(t *testing.T) {
	g := history(t)
	for _, c := range []struct {
		prerelease bool
		kind, tags string
	}{{false, "release", "1.2.3\n1.2\n1\nlatest\nstable"}, {true, "prerelease", "1.2.3"}} {
		out := ok(t, resolve(t, g, run{event: "release", ref: "refs/tags/v1.2.3", extra: map[string]any{
			"action": "published", "release": map[string]any{"tag_name": "v1.2.3", "prerelease": c.prerelease},
		}}))
		wantOutputs(t, out, map[string]string{"version": "1.2.3", "kind": c.kind, "tag-names": c.tags})
		if c.prerelease && out["prerelease"] != "true" {
			t.Errorf("prerelease output = %q for a release marked as pre-release", out["prerelease"])
		}
	}
	// Rule lines behave as in metadata-action, which does not read the
	// mark: the version alone decides (the prerelease output still says so).
	out := ok(t, resolve(t, g, run{event: "release", ref: "refs/tags/v1.2.3", inputs: map[string]string{
		"tags": "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}",
	}, extra: map[string]any{"release": map[string]any{"tag_name": "v1.2.3", "prerelease": true}}}))
	wantOutputs(t, out, map[string]string{"tag-names": "1.2.3\n1.2\nlatest", "latest": "true", "prerelease": "true"})
}

// An empty tags input gives docker/metadata-action's four default rules
// (type=schedule, type=ref,event=branch, type=ref,event=tag,
// type=ref,event=pr), as that action does.
func TestEmptyTagsGiveMetadataActionDefaults(t *testing.T) {
	g := history(t)
	for _, c := range []struct {
		event, ref string
		extra      map[string]any
		want       map[string]string
	}{
		{"push", "refs/tags/v1.2.3", nil, map[string]string{"tag-names": "v1.2.3\nlatest", "latest": "true", "stable": "false", "version": "1.2.3"}},
		{"push", "refs/heads/develop", nil, map[string]string{"tag-names": "develop", "latest": "false"}},
		{"schedule", "refs/heads/main", nil, map[string]string{"tag-names": "nightly\nmain", "latest": "false"}},
		{"pull_request", "refs/pull/7/merge", map[string]any{"number": 7, "pull_request": map[string]any{"number": 7}}, map[string]string{"tag-names": "pr-7", "kind": "pull-request"}},
	} {
		out := ok(t, resolve(t, g, run{event: c.event, ref: c.ref, extra: c.extra, inputs: map[string]string{"tags": ""}}))
		wantOutputs(t, out, c.want)
		if !strings.Contains(out["labels"]+"\n", "org.opencontainers.image.version="+strings.Split(c.want["tag-names"], "\n")[0]+"\n") {
			t.Errorf("%s %s: the version label is not the first tag:\n%s", c.event, c.ref, out["labels"])
		}
	}
}
