package version_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
	"github.com/org/timetracker-ci/pkg/version"
)

// A maintenance branch cut from an old release, with many newer releases on
// the default branch (an application with a long release history): the
// branch's versions count from the release it descends from, however many
// releases are newer.
func TestMaintenanceBranchBehindManyReleases(t *testing.T) {
	g := gitrepotest.New(t)
	g.Commit("feat: first")
	g.Tag("v1.0.0")
	g.Commit("fix: a")
	g.Tag("v1.0.1")
	g.Git("branch", "maint/1.0")
	for i := 0; i < 40; i++ {
		g.Commit(fmt.Sprintf("feat: change %d", i))
		g.Tag(fmt.Sprintf("v2.%d.0", i))
	}
	g.Git("checkout", "-q", "maint/1.0")
	g.Commit("fix: b")
	head := g.Commit("fix: c")

	r, err := gitrepo.Open(g.Dir)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := version.ParsePrereleaseRules([]string{"maint/**=rc"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		prerelease []version.PrereleaseRule
		want       string
	}{
		{"development", nil, "1.0.2-dev.2"},
		{"prerelease", rc, "1.0.2-rc.1"},
	} {
		ev := version.Event{Name: "push", Ref: "refs/heads/maint/1.0", SHA: head, DefaultBranch: "main", Repository: "org/app"}
		o := version.Options{Rules: version.TimetrackerRules(), TagPrefix: "v", Prerelease: tc.prerelease, Now: time.Unix(0, 0)}
		res, err := version.Resolve(context.Background(), ev, version.GitHistory(r), o)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Version != tc.want || res.PreviousTag != "v1.0.1" {
			t.Errorf("%s: version %s (previous %s), want %s after v1.0.1; reason %q, notices %q", tc.name, res.Version, res.PreviousTag, tc.want, res.Reason, res.Notices)
		}
		if strings.Contains(strings.Join(res.Notices, "\n"), "none of the") {
			t.Errorf("%s: gave up the search for the branch's release: %q", tc.name, res.Notices)
		}
	}
}

// A branch with a history of its own (an orphan branch) reaches none of
// the releases: it counts from the initial version and says why.
func TestOrphanBranchCountsFromTheInitialVersion(t *testing.T) {
	g := gitrepotest.New(t)
	for i := 0; i < 6; i++ {
		g.Commit(fmt.Sprintf("fix: change %d", i))
		g.Tag(fmt.Sprintf("v1.%d.0", i))
	}
	g.Git("checkout", "-q", "--orphan", "site")
	head := g.Commit("docs: a site")
	r, err := gitrepo.Open(g.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ev := version.Event{Name: "push", Ref: "refs/heads/site", SHA: head, DefaultBranch: "main", Repository: "org/app"}
	res, err := version.Resolve(context.Background(), ev, version.GitHistory(r), version.Options{TagPrefix: "v", InitialVersion: "0.1.0", Now: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	want := "none of the 6 releases is an ancestor of " + head[:7] + " (a history of its own): counting from the initial version 0.1.0"
	if res.Version != "0.1.0-dev.1" || !strings.Contains(strings.Join(res.Notices, "\n"), want) {
		t.Errorf("version %s, notices %q; want 0.1.0-dev.1 and %q", res.Version, res.Notices, want)
	}
}
