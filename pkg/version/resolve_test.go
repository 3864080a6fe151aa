package version

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeHistory is a commit graph in memory: commit i has parent i-1 unless
// parents says otherwise; commit "c<i>" has message msgs[i].
type fakeHistory struct {
	n       int
	parents map[string][]string
	msgs    map[string]string
	tags    []Tag
	calls   map[string]int
	at      time.Time // every commit's time; zero: 2026-01-02T03:04:05Z
}

func newFake(n int) *fakeHistory {
	f := &fakeHistory{n: n, parents: map[string][]string{}, msgs: map[string]string{}, calls: map[string]int{}}
	for i := 1; i < n; i++ {
		f.parents[c(i)] = []string{c(i - 1)}
	}
	return f
}

func c(i int) string { return fmt.Sprintf("c%039d", i) }

func (f *fakeHistory) ancestors(h string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{h}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		stack = append(stack, f.parents[x]...)
	}
	return seen
}

func (f *fakeHistory) rng(from, to string) []string {
	excl := map[string]bool{}
	if from != "" {
		excl = f.ancestors(from)
	}
	var out []string
	for h := range f.ancestors(to) {
		if !excl[h] {
			out = append(out, h)
		}
	}
	return out
}

func (f *fakeHistory) Tags(context.Context) ([]Tag, error) { f.calls["tags"]++; return f.tags, nil }
func (f *fakeHistory) CountCommits(_ context.Context, from, to string) (int, error) {
	return len(f.rng(from, to)), nil
}
func (f *fakeHistory) Messages(_ context.Context, from, to string) ([]string, error) {
	var out []string
	for _, h := range f.rng(from, to) {
		out = append(out, f.msgs[h])
	}
	return out, nil
}
func (f *fakeHistory) IsAncestor(_ context.Context, a, b string) (bool, error) {
	f.calls["ancestor"]++
	return f.ancestors(b)[a], nil
}
func (f *fakeHistory) CommitTime(context.Context, string) (time.Time, error) {
	f.calls["committime"]++
	if !f.at.IsZero() {
		return f.at, nil
	}
	return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), nil
}

func resolveFake(t *testing.T, f *fakeHistory, ev Event, o Options) (*Result, error) {
	t.Helper()
	if ev.SHA == "" {
		ev.SHA = c(f.n - 1)
	}
	if ev.DefaultBranch == "" {
		ev.DefaultBranch = "main"
	}
	if o.TagPrefix == "" {
		o.TagPrefix = "v"
	}
	return Resolve(context.Background(), ev, f, o)
}

func TestAncestorSearchIsBounded(t *testing.T) {
	// 100 releases on a side line that HEAD does not contain: the search
	// gives up after maxAncestorChecks and says so.
	f := newFake(10)
	for i := 0; i < 100; i++ {
		side := fmt.Sprintf("s%039d", i)
		f.parents[side] = []string{c(0)}
		f.tags = append(f.tags, Tag{Name: fmt.Sprintf("v9.%d.0", i), Commit: side})
	}
	res, err := resolveFake(t, f, Event{Ref: "refs/heads/develop"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.calls["ancestor"] != maxAncestorChecks {
		t.Errorf("%d ancestor checks, want %d", f.calls["ancestor"], maxAncestorChecks)
	}
	if res.Version != "9.99.1-dev.9" || !strings.Contains(strings.Join(res.Notices, "\n"), "none of the 32 highest releases") {
		t.Errorf("version %s, notices %q", res.Version, res.Notices)
	}
}

func TestHighestReachableReleaseIsTheBase(t *testing.T) {
	// v2.0.0 lives on another line; HEAD descends from v1.4.0.
	f := newFake(6)
	f.parents["other"] = []string{c(0)}
	f.tags = []Tag{{"v1.4.0", c(2)}, {"v2.0.0", "other"}, {"v1.3.0", c(1)}}
	f.msgs[c(3)], f.msgs[c(4)], f.msgs[c(5)] = "fix: a", "feat: b", "docs: c"
	res, err := resolveFake(t, f, Event{Ref: "refs/heads/main"}, Options{Rules: TimetrackerRules()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "1.5.0" || res.PreviousTag != "v1.4.0" || res.Latest {
		t.Errorf("got %s (previous %s, latest %v), want 1.5.0 after v1.4.0 without latest", res.Version, res.PreviousTag, res.Latest)
	}
	if strings.Join(res.TagNames, ",") != "1.5.0,1.5,1" {
		t.Errorf("tags %v: want 1.5.0, 1.5 and 1 (the highest 1.x), no latest (2.0.0 owns it)", res.TagNames)
	}
}

func TestBumpNone(t *testing.T) {
	f := newFake(3)
	f.tags = []Tag{{"v1.0.0", c(1)}}
	_, err := resolveFake(t, f, Event{Ref: "refs/heads/main"}, Options{Bump: BumpNone})
	if err == nil || !strings.Contains(err.Error(), "has no release tag and bump is none") {
		t.Errorf("err = %v", err)
	}
	// Development builds still get a version: none means "never invent a release".
	res, err := resolveFake(t, f, Event{Ref: "refs/heads/develop"}, Options{Bump: BumpNone})
	if err != nil || res.Version != "1.0.1-dev.1" {
		t.Errorf("development with bump none: %v, %v", res, err)
	}
	// HEAD tagged: none is satisfied.
	f.tags = append(f.tags, Tag{"v1.0.1", c(2)})
	res, err = resolveFake(t, f, Event{Ref: "refs/heads/main"}, Options{Bump: BumpNone})
	if err != nil || res.Version != "1.0.1" || !res.TagExists {
		t.Errorf("tagged HEAD with bump none: %+v, %v", res, err)
	}
}

func TestPrereleaseContinuesItsLine(t *testing.T) {
	f := newFake(5)
	f.tags = []Tag{{"v1.3.0", c(1)}, {"v2.0.0-rc.1", c(2)}, {"v2.0.0-rc.2", c(3)}, {"v2.0.0-beta.7", c(3)}}
	f.msgs[c(4)] = "fix: small"
	rules, _ := ParsePrereleaseRules([]string{"rc/*=rc", "beta/*=beta"})
	res, err := resolveFake(t, f, Event{Ref: "refs/heads/rc/2.0"}, Options{Prerelease: rules})
	if err != nil || res.Version != "2.0.0-rc.3" || res.Kind != KindPrerelease || res.Tag != "v2.0.0-rc.3" {
		t.Errorf("rc line: %+v, %v", res, err)
	}
	res, err = resolveFake(t, f, Event{Ref: "refs/heads/beta/x"}, Options{Prerelease: rules})
	if err != nil || res.Version != "2.0.0-beta.8" {
		t.Errorf("beta line: %+v, %v", res, err)
	}
	// A re-run on a commit that already has its candidate tag keeps it.
	res, err = resolveFake(t, f, Event{Ref: "refs/heads/rc/2.0", SHA: c(3)}, Options{Prerelease: rules})
	if err != nil || res.Version != "2.0.0-rc.2" || !res.TagExists {
		t.Errorf("rc re-run: %+v, %v", res, err)
	}
}

func TestVersionFileForDevelopment(t *testing.T) {
	f := newFake(4)
	f.tags = []Tag{{"v1.0.0", c(1)}}
	res, err := resolveFake(t, f, Event{Ref: "refs/heads/develop"}, Options{FileVersion: "2.0.0", VersionFile: "VERSION"})
	if err != nil || res.Version != "2.0.0-dev.2" {
		t.Errorf("file ahead of the last release: %+v, %v", res, err)
	}
	// A file still saying the released version does not build 1.0.0-dev.N,
	// which would sort below 1.0.0.
	res, err = resolveFake(t, f, Event{Ref: "refs/heads/develop"}, Options{FileVersion: "1.0.0", VersionFile: "VERSION"})
	if err != nil || res.Version != "1.0.1-dev.2" {
		t.Errorf("file at the last release: %+v, %v", res, err)
	}
	// A release from the default branch whose file version is taken elsewhere.
	_, err = resolveFake(t, f, Event{Ref: "refs/heads/main"}, Options{FileVersion: "1.0.0", VersionFile: "VERSION"})
	if err == nil || !strings.Contains(err.Error(), "tag v1.0.0 names commit") {
		t.Errorf("file version already released elsewhere: %v", err)
	}
}

func TestNonReleaseTagPush(t *testing.T) {
	f := newFake(3)
	f.tags = []Tag{{"v1.0.0", c(1)}, {"nightly", c(2)}}
	res, err := resolveFake(t, f, Event{Ref: "refs/tags/nightly"}, Options{})
	if err != nil || res.Kind != KindDevelopment || res.TagNames[0] != "nightly" {
		t.Errorf("non-release tag under auto: %+v, %v", res, err)
	}
	if _, err := resolveFake(t, f, Event{Ref: "refs/tags/nightly"}, Options{Scheme: SchemeRelease}); err == nil ||
		!strings.Contains(err.Error(), `tag "nightly" is not a release tag`) {
		t.Errorf("non-release tag under release: %v", err)
	}
}

func TestSchemes(t *testing.T) {
	f := newFake(3)
	f.tags = []Tag{{"v1.0.0", c(1)}}
	f.msgs[c(2)] = "feat: x"
	res, err := resolveFake(t, f, Event{Ref: "refs/heads/feature"}, Options{Scheme: SchemeRelease})
	if err != nil || res.Kind != KindRelease || res.Version != "1.1.0" {
		t.Errorf("release scheme on a branch: %+v, %v", res, err)
	}
	res, err = resolveFake(t, f, Event{Ref: "refs/heads/main"}, Options{Scheme: SchemeDevelopment})
	if err != nil || res.Kind != KindDevelopment || res.Version != "1.1.0-dev.1" {
		t.Errorf("development scheme on main: %+v, %v", res, err)
	}
	res, err = resolveFake(t, f, Event{Name: "pull_request_target", Ref: "refs/heads/main", PullRequest: 7}, Options{})
	if err != nil || res.Kind != KindPullRequest || res.Version != "1.1.0-pr.7" {
		t.Errorf("pull_request_target: %+v, %v", res, err)
	}
	if f.calls["tags"] == 0 {
		t.Error("tags never read")
	}
}

func TestLabels(t *testing.T) {
	f := newFake(2)
	f.at = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res, err := resolveFake(t, f, Event{Ref: "refs/heads/main", Repository: "Org/App", Title: "App", License: "NOASSERTION"}, Options{Rules: TimetrackerRules()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range res.Labels {
		got = append(got, l.Key+"="+l.Value)
	}
	// As metadata-action: every label, an empty value kept empty, and
	// GitHub's NOASSERTION (a valid SPDX expression) as it is.
	want := []string{
		"org.opencontainers.image.created=2026-01-02T03:04:05.000Z",
		"org.opencontainers.image.description=",
		"org.opencontainers.image.licenses=NOASSERTION",
		"org.opencontainers.image.revision=" + c(1),
		"org.opencontainers.image.source=",
		"org.opencontainers.image.title=App",
		"org.opencontainers.image.url=",
		"org.opencontainers.image.version=0.1.0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("labels\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Refs[0] != "ghcr.io/org/app:0.1.0" {
		t.Errorf("default image: %v", res.Refs)
	}
}

// A local run on a tagged commit builds the tag, and says so: no tag was
// pushed.
func TestLocalRunOnATagSaysHEADIsTagged(t *testing.T) {
	f := newFake(3)
	f.tags = []Tag{{"v1.0.0", c(1)}, {"v1.1.0", c(2)}}
	for _, c := range []struct {
		ev   Event
		want string
	}{
		{Event{Ref: "refs/heads/main", Local: true}, "HEAD is tagged v1.1.0 (a local run builds the tag at HEAD, as a push of it would)"},
		{Event{Name: "push", Ref: "refs/tags/v1.1.0"}, "tag v1.1.0 was pushed"},
	} {
		res, err := resolveFake(t, f, c.ev, Options{})
		if err != nil || res.Version != "1.1.0" || res.Reason != c.want {
			t.Errorf("%+v: version %v, reason %q, %v; want 1.1.0, %q", c.ev, res.Version, res.Reason, err, c.want)
		}
	}
}

// Rebuilding an older release with type=timetracker says why it gets no
// latest or stable, as the metadata-action rules do.
func TestOlderReleaseSaysWhereLatestStays(t *testing.T) {
	f := newFake(3)
	f.tags = []Tag{{"v1.0.0", c(1)}, {"v1.1.0", c(2)}}
	res, err := resolveFake(t, f, Event{Name: "push", Ref: "refs/tags/v1.0.0", SHA: c(1)}, Options{Rules: TimetrackerRules()})
	if err != nil {
		t.Fatal(err)
	}
	want := "latest and stable stay on v1.1.0: 1.0.0 is not the highest release"
	if res.Latest || res.Stable || !strings.Contains(strings.Join(res.Notices, "\n"), want) {
		t.Errorf("latest %v, stable %v, notices %q; want neither and %q", res.Latest, res.Stable, res.Notices, want)
	}
}

// The notice about ignored tags names some, release look-alikes first (a
// capital V is another prefix: tags are case-sensitive).
func TestIgnoredTagsNoticeNamesThem(t *testing.T) {
	f := newFake(3)
	f.tags = []Tag{{"nightly", c(0)}, {"V1.0.0", c(1)}, {"v1.1.0", c(2)}, {"build-7", c(2)}, {"alpha", c(2)}}
	res, err := resolveFake(t, f, Event{Name: "push", Ref: "refs/heads/main"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "4 tags are not v<semver> and were ignored for the previous and next versions (e.g. V1.0.0, alpha, build-7)"
	if !slices.Contains(res.Notices, want) {
		t.Errorf("notices %q, want %q", res.Notices, want)
	}
}
