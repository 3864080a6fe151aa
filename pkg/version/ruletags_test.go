package version

import (
	"errors"
	"strings"
	"testing"
)

func mustRules(t *testing.T, lines ...string) []Rule {
	t.Helper()
	rules, err := ParseRules(lines)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// A type=match pattern without a capture group takes the whole match (group
// 0). On a pre-release tag with no stable release at all, the rule asks for
// latest under latest=auto, and gets it as in metadata-action; deciding
// once named the highest stable release, which did not exist (index out of
// range).
func TestMatchWithoutGroupOnPrereleaseTag(t *testing.T) {
	f := newFake(3)
	f.tags = []Tag{{"v2.0.8-beta.67", c(2)}}
	rules := mustRules(t, `type=match,pattern=\d.\d.\d`)
	res, err := resolveFake(t, f, Event{Name: "push", Ref: "refs/tags/v2.0.8-beta.67"}, Options{Rules: rules, Flavor: Flavor{Latest: "auto"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.TagNames, ","); got != "2.0.8,latest" || !res.Latest {
		t.Errorf("tags %q (latest %v), want 2.0.8 (the whole match) and latest, as metadata-action gives type=match", got, res.Latest)
	}
}

// latest=auto per rule type, as metadata-action decides it: the first rule
// that gives a tag decides.
func TestLatestAutoPerRuleType(t *testing.T) {
	for _, c0 := range []struct {
		name, ref string
		marked    bool
		rules     []string
		want      string
	}{
		{"semver of a stable tag", "refs/tags/v1.2.3", false, []string{"type=semver,pattern={{version}}"}, "1.2.3,latest"},
		{"semver of a pre-release", "refs/tags/v1.3.0-rc.1", false, []string{"type=semver,pattern={{major}}.{{minor}}"}, "1.3.0-rc.1"},
		{"pep440 of a pre-release", "refs/tags/v1.3.0rc1", false, []string{"type=pep440,pattern={{version}}"}, "1.3.0rc1"},
		{"match of a pre-release", "refs/tags/v1.3.0-rc.1", false, []string{`type=match,pattern=\d+\.\d+`}, "1.3,latest"},
		{"ref tag of a pre-release", "refs/tags/v1.3.0-rc.1", false, []string{"type=ref,event=tag"}, "v1.3.0-rc.1,latest"},
		{"raw first", "refs/tags/v1.2.3", false, []string{"type=raw,value=x,priority=1000", "type=semver,pattern={{version}}"}, "x,1.2.3"},
		{"sha", "refs/tags/v1.2.3", false, []string{"type=sha,priority=1000", "type=semver,pattern={{version}}"}, "sha-" + c(2)[:7] + ",1.2.3"},
		// metadata-action does not read GitHub's pre-release mark: the
		// version alone decides.
		{"semver of a release marked pre-release", "refs/tags/v1.2.3", true, []string{"type=semver,pattern={{version}}", "type=semver,pattern={{major}}"}, "1.2.3,1,latest"},
	} {
		t.Run(c0.name, func(t *testing.T) {
			f := newFake(3)
			tag := strings.TrimPrefix(c0.ref, "refs/tags/")
			f.tags = []Tag{{tag, c(2)}}
			ev := Event{Name: "push", Ref: c0.ref, MarkedPrerelease: c0.marked}
			if c0.marked {
				ev.Name = "release"
			}
			res, err := resolveFake(t, f, ev, Options{Rules: mustRules(t, c0.rules...), Flavor: Flavor{Latest: "auto"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(res.TagNames, ","); got != c0.want {
				t.Errorf("tags %s, want %s", got, c0.want)
			}
			if res.Latest != strings.HasSuffix(c0.want, ",latest") {
				t.Errorf("latest %v with tags %s", res.Latest, c0.want)
			}
		})
	}
}

// The one rule of ours kept on purpose over metadata-action's: under
// latest=auto, latest (and a floating X.Y or X) never moves back to a
// release lower than the highest one.
func TestHighestReleaseRuleWithRules(t *testing.T) {
	for _, c0 := range []struct {
		name, tag string
		rules     []string
		want      string
	}{
		{"older release", "v1.2.4", []string{"type=semver,pattern={{version}}", "type=semver,pattern={{major}}.{{minor}}", "type=semver,pattern={{major}}"}, "1.2.4,1.2,1"},
		{"pre-release of an older version", "v1.3.0-rc.1", []string{`type=match,pattern=\d+\.\d+\.\d+`}, "1.3.0"},
		{"ref tag of an older release", "v1.2.4", []string{"type=ref,event=tag"}, "v1.2.4"},
	} {
		t.Run(c0.name, func(t *testing.T) {
			f := newFake(4)
			f.tags = []Tag{{"v2.0.0", c(2)}, {c0.tag, c(3)}}
			res, err := resolveFake(t, f, Event{Name: "push", Ref: "refs/tags/" + c0.tag}, Options{Rules: mustRules(t, c0.rules...), Flavor: Flavor{Latest: "auto"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(res.TagNames, ","); got != c0.want || res.Latest {
				t.Errorf("tags %s (latest %v), want %s without latest: v2.0.0 owns it", got, res.Latest, c0.want)
			}
			if !strings.Contains(strings.Join(res.Notices, "\n"), "latest stays on v2.0.0") {
				t.Errorf("notices %q do not say why there is no latest", res.Notices)
			}
			// latest=true still forces it.
			res, err = resolveFake(t, f, Event{Name: "push", Ref: "refs/tags/" + c0.tag}, Options{Rules: mustRules(t, c0.rules...), Flavor: Flavor{Latest: "true"}})
			if err != nil || !res.Latest {
				t.Errorf("latest=true: latest %v, %v", res != nil && res.Latest, err)
			}
		})
	}
}

// An empty tags input is metadata-action's four default rules; type=timetracker
// is the built-in scheme.
func TestDefaultRulesAndTimetrackerScheme(t *testing.T) {
	f := newFake(3)
	f.tags = []Tag{{"v1.0.0", c(1)}}
	f.msgs[c(2)] = "feat: x"
	for _, c0 := range []struct {
		name  string
		ev    Event
		rules []Rule
		want  string
	}{
		{"default rules on the default branch", Event{Name: "push", Ref: "refs/heads/main"}, nil, "main"},
		{"default rules written out", Event{Name: "push", Ref: "refs/heads/main"}, mustRules(t, MetadataActionDefaultRules...), "main"},
		{"default rules on a tag", Event{Name: "push", Ref: "refs/tags/v1.0.0", SHA: c(1)}, nil, "v1.0.0,latest"},
		{"default rules on a schedule", Event{Name: "schedule", Ref: "refs/heads/main"}, nil, "nightly,main"},
		{"default rules on a pull request", Event{Name: "pull_request", Ref: "refs/pull/7/merge", PullRequest: 7}, nil, "pr-7"},
		{"timetracker on the default branch", Event{Name: "push", Ref: "refs/heads/main"}, TimetrackerRules(), "1.1.0,1.1,1,latest,stable"},
		{"timetracker on another branch", Event{Name: "push", Ref: "refs/heads/develop"}, TimetrackerRules(), "develop,dev-20260102-030405,dev-" + c(2)[:7]},
		{"timetracker parsed", Event{Name: "push", Ref: "refs/heads/main"}, mustRules(t, "  type=timetracker  "), "1.1.0,1.1,1,latest,stable"},
	} {
		t.Run(c0.name, func(t *testing.T) {
			res, err := resolveFake(t, f, c0.ev, Options{Rules: c0.rules})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(res.TagNames, ","); got != c0.want {
				t.Errorf("tags %s, want %s", got, c0.want)
			}
		})
	}
}

func TestTimetrackerRuleStandsAlone(t *testing.T) {
	for _, lines := range [][]string{
		{"type=timetracker", "type=sha"},
		{"type=timetracker,prefix=x-"},
		{"type=timetracker,enable=false"},
	} {
		if _, err := ParseRules(lines); err == nil || !strings.Contains(err.Error(), "type=timetracker") {
			t.Errorf("%q: err = %v, want a refusal naming type=timetracker", lines, err)
		}
	}
}

// Without a commit, tag rules give what metadata-action gives (no version,
// tags only from the ref, empty revision and version labels); the built-in
// scheme has nothing to version and says so.
func TestNoCommit(t *testing.T) {
	f := newFake(2)
	f.tags = []Tag{{"v1.0.0", c(1)}}
	ev := Event{Name: "push", Ref: "refs/heads/feature", DefaultBranch: "main"}
	res, err := Resolve(t.Context(), ev, f, Options{Rules: mustRules(t, "type=sha", "type=ref,event=branch")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "" || strings.Join(res.TagNames, ",") != "feature" || res.Latest {
		t.Errorf("version %q, tags %v, latest %v: want no version and only the branch tag", res.Version, res.TagNames, res.Latest)
	}
	labels := labelLines(res.Labels)
	for _, want := range []string{"org.opencontainers.image.revision=", "org.opencontainers.image.version=feature"} {
		if !strings.Contains(strings.Join(labels, "\n")+"\n", want+"\n") {
			t.Errorf("labels %v lack %s", labels, want)
		}
	}
	if f.calls["committime"] != 0 {
		t.Error("read a commit time without a commit")
	}
	_, err = Resolve(t.Context(), ev, f, Options{Rules: TimetrackerRules()})
	var ie *InputError
	if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), "no commit to version") {
		t.Errorf("type=timetracker without a commit: %v", err)
	}
}
