package version

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzResolve drives the whole resolver: random tag rules, flavor,
// pre-release rules and option lines, a random event, and a random tag
// history over a short commit line (head 255: no commit at all). Any panic
// fails; a success must give valid image tags, and a failure caused by an
// input must name it.
func FuzzResolve(f *testing.F) {
	type seed struct {
		rules, flavor, prerelease, images string
		event, ref, dispatch              string
		pr                                int
		marked                            bool
		tags, msgs                        string
		head                              uint8
		scheme, bump, prefix, fileVer     string
		labels, env                       string
	}
	seeds := []seed{
		{rules: `type=match,pattern=\d.\d.\d`, event: "push", ref: "refs/tags/v2.0.8-beta.67", tags: "v2.0.8-beta.67@3"},
		{rules: "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=ref,event=branch\ntype=sha", event: "push", ref: "refs/tags/v1.2.3", tags: "v1.2.3@3\nv2.0.0@1"},
		{rules: "type=ref,event=pr\ntype=raw,value={{is_not_default_branch}}", event: "pull_request", ref: "refs/pull/7/merge", pr: 7, tags: "v0.1.0@0"},
		{rules: "type=schedule,pattern={{date 'YYYYMMDD' tz='Asia/Tokyo'}}\ntype=edge", event: "schedule", ref: "refs/heads/main"},
		{rules: "type=pep440,pattern={{major}}.{{minor}}\ntype=match,pattern=v(\\d+),group=1", flavor: "latest=true\nprefix=p-,onlatest=true", event: "release", ref: "refs/tags/v1.2.3rc2", marked: true, tags: "v1.2.3rc2@3"},
		{rules: "type=raw,value=x,enable={{is_default_branch}}", images: "name=org/app,enable=false\nghcr.io/Org/App", event: "push", ref: "refs/heads/main", tags: "v1.0.0@1", msgs: "feat: a\nfix!: b"},
		{rules: "type=semver,pattern={{version}},value=v9.9.9", event: "workflow_dispatch", ref: "refs/heads/main", dispatch: "3.0.0"},
		{prerelease: "rc/**=rc", event: "push", ref: "refs/heads/rc/1.0", tags: "v1.0.0-rc.1@2\nv0.9.0@1", scheme: "auto", bump: "minor"},
		{event: "push", ref: "refs/heads/main", tags: "v1.0.0@3", bump: "none", fileVer: "1.0.0"},
		{rules: "type=timetracker", event: "push", ref: "refs/heads/main", tags: "v1.0.0@1\nv2.0.0@0", msgs: "feat: a"},
		{rules: "type=timetracker", flavor: "latest=false\nsuffix=-x,onlatest=true", event: "release", ref: "refs/tags/v1.2.3", marked: true, tags: "v1.2.3@5"},
		{rules: "type=timetracker\ntype=sha", event: "push", ref: "refs/heads/main"},
		{rules: "type=sha\ntype=raw,{{branch}}", event: "", ref: "", head: 255},
		{event: "schedule", ref: "refs/heads/main", head: 255},
		{rules: `type=match,pattern=/(V\d)/i,group=1`, event: "push", ref: "refs/tags/v1", tags: "v1@3", prefix: "v"},
		{rules: "type=sha\ntype=semver,pattern={{version}},match=v(\\d.\\d.\\d)$", event: "pull_request_target", ref: "refs/heads/main", pr: 3,
			labels: "a={{commit_date YYYY}}\nb\nc={{is_not_default_branch}}", env: "DOCKER_METADATA_SHORT_SHA_LENGTH=12\nDOCKER_METADATA_PR_HEAD_SHA=true\nDOCKER_METADATA_ANNOTATIONS_LEVELS=index,manifest"},
	}
	for _, s := range seeds {
		f.Add(s.rules, s.flavor, s.prerelease, s.images, s.event, s.ref, s.dispatch, s.pr, s.marked, s.tags, s.msgs, s.head, s.scheme, s.bump, s.prefix, s.fileVer, s.labels, s.env)
	}
	f.Fuzz(func(t *testing.T, rules, flavor, prerelease, images, event, ref, dispatch string, pr int, marked bool,
		tags, msgs string, head uint8, scheme, bump, prefix, fileVer, labels, env string) {
		var o Options
		var err error
		if rules != "" {
			if o.Rules, err = ParseRules(strings.Split(rules, "\n")); err != nil {
				return
			}
		}
		if o.Flavor, err = ParseFlavor(lines(flavor)); err != nil {
			return
		}
		if o.Prerelease, err = ParsePrereleaseRules(lines(prerelease)); err != nil {
			return
		}
		if o.Images, o.ImagesGiven, err = ParseImages(lines(images)); err != nil {
			return
		}
		if o.Scheme, err = ParseScheme(scheme); err != nil {
			return
		}
		if o.Bump, err = ParseBump(bump); err != nil {
			return
		}
		o.TagPrefix = prefix
		if _, ok := ParseVersion(fileVer, ""); ok {
			o.FileVersion, o.VersionFile = fileVer, "VERSION"
		}
		o.Now = time.Date(2020, 1, 10, 0, 30, 0, 0, time.UTC)
		o.Labels, o.Annotations = lines(labels), lines(labels)
		vars := map[string]string{}
		for _, l := range lines(env) {
			k, v, _ := strings.Cut(l, "=")
			vars[k] = v
		}
		if err := o.ApplyMetadataEnv(func(k string) string { return vars[k] }); err != nil {
			return
		}

		const n = 6
		hist := newFake(n)
		for i, m := range strings.Split(msgs, "\n") {
			hist.msgs[c(i%n)] = m
		}
		for _, l := range lines(tags) {
			name, at, _ := strings.Cut(l, "@")
			i := 0
			if at != "" {
				i = int(at[0]) % n
			}
			hist.tags = append(hist.tags, Tag{Name: name, Commit: c(i)})
		}
		sha := c(int(head) % n)
		if head == 255 {
			sha = ""
		}
		ev := Event{Name: event, Ref: ref, SHA: sha, PRHeadSHA: c((int(head) + 1) % n), DefaultBranch: "main", PullRequest: pr,
			DispatchVersion: dispatch, MarkedPrerelease: marked, Repository: "Owner/Repo", BaseRef: "main"}
		res, err := Resolve(context.Background(), ev, hist, o)
		if err != nil {
			var ie *InputError
			if errors.As(err, &ie) && ie.Input == "" {
				t.Fatalf("input error names no input: %v", err)
			}
			// A rule or label that cannot work is the user's input: exit 2.
			for _, input := range []string{"tag rule", "labels", "annotations"} {
				if strings.Contains(err.Error(), input) && ie == nil {
					t.Fatalf("%s problem is not an input error: %v", input, err)
				}
			}
			return
		}
		for _, tag := range res.TagNames {
			if tag == "" || SanitizeTag(tag) != tag {
				t.Fatalf("invalid image tag %q from %+v", tag, res.TagNames)
			}
		}
		if len(res.Images) > 0 && len(res.Refs) != len(res.Images)*len(res.TagNames) {
			t.Fatalf("%d refs for %d images × %d tags", len(res.Refs), len(res.Images), len(res.TagNames))
		}
	})
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
