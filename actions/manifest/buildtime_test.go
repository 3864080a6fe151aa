package manifestaction

import (
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

// Without build-time, the build time is the commit time of revision in the
// checked-out workspace, so re-running on the same commit gives the same files.
func TestBuildTimeFromCommit(t *testing.T) {
	repo := gitrepotest.New(t)
	repo.Write("app.py", "print(1)\n")
	first := repo.Commit("first")
	repo.Write("app.py", "print(2)\n")
	repo.Commit("second") // one minute after the first
	digest := "@sha256:" + strings.Repeat("cd", 32)
	in := map[string]string{"image": "ghcr.io/org/timetracker" + digest, "platforms": "", "revision": first}
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: repo.Dir, Inputs: in})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	want := `"build_time": "` + gitrepotest.Epoch.Format("2006-01-02T15:04:05Z") + `"`
	if !strings.Contains(res.Outputs["json"], want) {
		t.Errorf("json = %s\nwant %s", res.Outputs["json"], want)
	}
	// GITHUB_SHA is the default revision.
	delete(in, "revision")
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: repo.Dir, Inputs: in, Env: map[string]string{"GITHUB_SHA": repo.Head()}})
	want = `"build_time": "` + gitrepotest.Epoch.Add(time.Minute).Format("2006-01-02T15:04:05Z") + `"`
	if res.ExitCode != 0 || !strings.Contains(res.Outputs["json"], want) || !strings.Contains(res.Outputs["json"], repo.Head()) {
		t.Errorf("exit %d, json = %s\nwant %s", res.ExitCode, res.Outputs["json"], want)
	}
}

// Outside a checkout, a push event's head commit gives the time.
func TestBuildTimeFromPushEvent(t *testing.T) {
	sha := strings.Repeat("a", 40)
	event := `{"ref":"refs/heads/main","after":"` + sha + `","head_commit":{"id":"` + sha + `","timestamp":"2026-03-04T05:06:07+01:00","message":"m"}}`
	res := actiontest.Run(t, Action(), actiontest.Case{
		Inputs: map[string]string{"image": "ghcr.io/org/timetracker@sha256:" + strings.Repeat("cd", 32), "platforms": ""},
		Env:    map[string]string{"GITHUB_SHA": sha, "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"},
		Event:  []byte(event),
	})
	if res.ExitCode != 0 || !strings.Contains(res.Outputs["json"], `"build_time": "2026-03-04T04:06:07Z"`) {
		t.Fatalf("exit %d, json = %s\n%s", res.ExitCode, res.Outputs["json"], res.Stdout)
	}
}

// Without a checkout or a push event (a deploy job that only has the
// image), the image's own config gives the time.
func TestBuildTimeFromImageConfig(t *testing.T) {
	r := newRegistry(t)
	in := r.inputs(":1.2.3")
	delete(in, "build-time")
	res := actiontest.Run(t, Action(), actiontest.Case{Inputs: in})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if want := `"build_time": "` + r.created.Format("2006-01-02T15:04:05Z") + `"`; !strings.Contains(res.Outputs["json"], want) {
		t.Errorf("json = %s\nwant %s", res.Outputs["json"], want)
	}
}
