package version

import (
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"
)

func TestReleasesOrder(t *testing.T) {
	var tags []Tag
	for _, n := range []string{"v1.0.0", "v1.0.0-rc.10", "v1.0.0-rc.2", "nightly", "v1.0.0-rc.1", "dev-20240101", "v0.9.0", "1.0.1", "v01.2.3", "v1.0.0-beta"} {
		tags = append(tags, Tag{Name: n})
	}
	rel, ignored := Releases(tags, "v")
	var got []string
	for _, r := range rel {
		got = append(got, r.Tag)
	}
	want := "1.0.1 v1.0.0 v1.0.0-rc.10 v1.0.0-rc.2 v1.0.0-rc.1 v1.0.0-beta v0.9.0"
	if strings.Join(got, " ") != want {
		t.Errorf("order = %s\nwant    %s", strings.Join(got, " "), want)
	}
	if ignored != 3 { // nightly, dev-20240101, v01.2.3 (leading zero)
		t.Errorf("ignored = %d, want 3", ignored)
	}
}

func TestParseTag(t *testing.T) {
	for _, c := range []struct {
		name, prefix string
		want         string
	}{
		{"v1.2.3", "v", "1.2.3"},
		{"1.2.3", "v", "1.2.3"},
		{"v1.2.3", "", "1.2.3"},
		{"1.2.3", "", "1.2.3"},
		{"release-1.2.3", "release-", "1.2.3"},
		{"v1.2.3", "release-", ""},
		{"1.2.3", "release-", ""},
		{"v1.2", "v", ""},
		{"v1.2.3.4", "v", ""},
		{"vv1.2.3", "v", ""},
		{"v1.3.0-rc.1+build.5", "v", "1.3.0-rc.1+build.5"},
	} {
		v, ok := ParseTag(c.name, c.prefix)
		got := ""
		if ok {
			got = v.String()
		}
		if got != c.want {
			t.Errorf("ParseTag(%q, %q) = %q, want %q", c.name, c.prefix, got, c.want)
		}
	}
}

func TestPreviousTag(t *testing.T) {
	tags := []string{"v1.0.0", "v1.1.0", "v1.2.0-rc.1", "v1.2.0-rc.2", "v1.2.0", "v2.0.0", "nightly", "v1.1.1"}
	for _, c := range []struct{ v, want string }{
		{"1.2.0", "v1.1.1"},            // final: candidates skipped
		{"v1.2.0-rc.2", "v1.2.0-rc.1"}, // candidate: the previous candidate
		{"1.2.0-rc.1", "v1.1.1"},
		{"1.3.0", "v1.2.0"},
		{"2.0.0", "v1.2.0"},
		{"1.0.0", ""},
		{"3.0.0-dev.4", "v2.0.0"},
	} {
		got, ok := PreviousTag(tags, "v", c.v)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("PreviousTag(%s) = %q, %v; want %q", c.v, got, ok, c.want)
		}
	}
	if _, ok := PreviousTag(tags, "v", "not a version"); ok {
		t.Error("PreviousTag of a non-version reported a tag")
	}
}

func TestCommitLevel(t *testing.T) {
	for msg, want := range map[string]Level{
		"feat: add timer":                          LevelMinor,
		"feat(api): add timer":                     LevelMinor,
		"Feat: capitalised":                        LevelMinor,
		"fix: off by one":                          LevelPatch,
		"perf: faster":                             LevelPatch,
		"docs: readme":                             LevelPatch,
		"Merge pull request #4 from x/y":           LevelPatch,
		"feat!: drop v1":                           LevelMajor,
		"fix(db)!: new schema":                     LevelMajor,
		"feat: x\n\nBREAKING CHANGE: gone":         LevelMajor,
		"feat: x\n\nBREAKING-CHANGE: gone":         LevelMajor,
		"feat: x\n\nmentions BREAKING CHANGE: not": LevelMinor,
		"featx: not a feat":                        LevelPatch,
		"feat:missing space":                       LevelPatch,
	} {
		if got := CommitLevel(msg); got != want {
			t.Errorf("CommitLevel(%q) = %v, want %v", msg, got, want)
		}
	}
	if got := ConventionalLevel(nil); got != LevelPatch {
		t.Errorf("no commits: %v, want patch", got)
	}
}

func TestNext(t *testing.T) {
	for _, c := range []struct {
		v     string
		level Level
		want  string
	}{
		{"1.2.3", LevelPatch, "1.2.4"},
		{"1.2.3", LevelMinor, "1.3.0"},
		{"1.2.3", LevelMajor, "2.0.0"},
		{"0.3.1", LevelMajor, "0.4.0"}, // below 1.0.0 breaking bumps minor
		{"0.3.1", LevelMinor, "0.4.0"},
		{"1.3.0-rc.2", LevelPatch, "1.3.0"},
		{"1.3.0-rc.2", LevelMinor, "1.3.0"},
		{"1.3.0-rc.2", LevelMajor, "2.0.0"},
		{"2.0.0-rc.1", LevelMajor, "2.0.0"},
		{"1.3.1-rc.1", LevelMinor, "1.4.0"},
	} {
		got := Next(semver.MustParse(c.v), c.level)
		if got.String() != c.want {
			t.Errorf("Next(%s, %v) = %s, want %s", c.v, c.level, got.String(), c.want)
		}
	}
}

func TestParseBump(t *testing.T) {
	for in, want := range map[string]Bump{"": BumpConventional, "Minor": BumpMinor, " none ": BumpNone} {
		if got, err := ParseBump(in); err != nil || got != want {
			t.Errorf("ParseBump(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseBump("huge"); err == nil || !strings.Contains(err.Error(), "conventional, patch, minor, major or none") {
		t.Errorf("ParseBump(huge) error = %v", err)
	}
}

func TestPrereleaseRules(t *testing.T) {
	rules, err := ParsePrereleaseRules([]string{"rc/**=rc", "beta/*=beta", "release-?=alpha"})
	if err != nil {
		t.Fatal(err)
	}
	for branch, want := range map[string]string{
		"rc/1.4": "rc", "rc/1.4/hotfix": "rc", "beta/x": "beta", "beta/x/y": "", "release-1": "alpha", "release-12": "", "main": "",
	} {
		got, _ := MatchPrerelease(rules, branch)
		if got != want {
			t.Errorf("MatchPrerelease(%q) = %q, want %q", branch, got, want)
		}
	}
	for _, bad := range []string{"rc/**", "=rc", "rc/**=r c", "rc/**=rc.1"} {
		if _, err := ParsePrereleaseRules([]string{bad}); err == nil {
			t.Errorf("ParsePrereleaseRules(%q) accepted", bad)
		}
	}
}

func TestSanitizeTag(t *testing.T) {
	for in, want := range map[string]string{
		"feature/Time zones+DST": "feature-Time-zones-DST",
		"-leading":               "leading",
		".hidden":                "hidden",
		"ok_tag.1-2":             "ok_tag.1-2",
		"héllo":                  "h-llo",
		strings.Repeat("a", 200): strings.Repeat("a", 128),
	} {
		if got := SanitizeTag(in); got != want {
			t.Errorf("SanitizeTag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRule(t *testing.T) {
	for _, c := range []struct {
		line     string
		typ      RuleType
		priority int
		attrs    map[string]string
	}{
		{"type=semver,pattern={{version}}", TypeSemver, 900, map[string]string{"pattern": "{{version}}", "enable": "true"}},
		{"type=ref,event=pr", TypeRef, 600, map[string]string{"prefix": "pr-"}},
		{"type=sha", TypeSha, 100, map[string]string{"prefix": "sha-", "format": "short"}},
		{"type=sha,prefix=,format=long", TypeSha, 100, map[string]string{"prefix": "", "format": "long"}},
		{"latest", TypeRaw, 200, map[string]string{"value": "latest"}},
		{"type=raw,foo", TypeRaw, 200, map[string]string{"value": "foo"}},
		{`type=raw,value="a,b"`, TypeRaw, 200, map[string]string{"value": "a,b"}},
		{"type=raw,value=x=y,priority=5", TypeRaw, 5, map[string]string{"value": "x=y"}},
		{"type=schedule", TypeSchedule, 1000, map[string]string{"pattern": "nightly"}},
		{"type=schedule,pattern={{date 'YYYYMMDD' tz='Asia/Tokyo'}}", TypeSchedule, 1000, map[string]string{"pattern": "{{date 'YYYYMMDD' tz='Asia/Tokyo'}}"}},
		{`type=match,pattern=v(\d+.\d+),group=1`, TypeMatch, 800, map[string]string{"group": "1"}},
		{"type=edge,branch=develop", TypeEdge, 700, map[string]string{"branch": "develop"}},
		{" TYPE = semver , pattern = {{major}} ", TypeSemver, 900, map[string]string{"pattern": "{{major}}"}},
	} {
		r, err := ParseRule(c.line)
		if err != nil {
			t.Errorf("ParseRule(%q): %v", c.line, err)
			continue
		}
		if r.Type != c.typ || r.Priority != c.priority {
			t.Errorf("ParseRule(%q) = %s/%d, want %s/%d", c.line, r.Type, r.Priority, c.typ, c.priority)
		}
		for k, v := range c.attrs {
			if got, ok := r.Attrs[k]; !ok || got != v {
				t.Errorf("ParseRule(%q).%s = %q, want %q", c.line, k, got, v)
			}
		}
	}
}

func TestParseRuleErrors(t *testing.T) {
	for line, want := range map[string]string{
		"type=nightly":                        "unknown type=nightly: use schedule, semver",
		"type=semver":                         "type=semver needs pattern=",
		"type=pep440,value=1.0":               "type=pep440 needs pattern=",
		"type=match":                          "type=match needs pattern=",
		"type=match,pattern=(,group=1":        "pattern is not a regular expression",
		"type=match,pattern=x,group=one":      "group=one is not a group number",
		"type=ref":                            "type=ref needs event=branch",
		"type=ref,event=commit":               "event=commit is not branch, tag or pr",
		"type=raw":                            "type=raw needs value=",
		"type=sha,format=medium":              "format=medium is not short or long",
		"type=raw,value=x,priority=high":      "priority=high is not an integer",
		"type=raw,value=x,enable=maybe":       "enable=maybe is neither true nor false",
		"type=raw,value=x,colour=red":         `has no attribute "colour"`,
		`type=raw,value="open`:                "unterminated double quote",
		"type=raw,value={{nope}}":             "unknown expression {{nope}}",
		"type=raw,value={{branch":             "unterminated {{",
		"type=raw,value={{date}}":             "needs one format",
		"type=raw,value={{date 'YY' tz='X'}}": `unknown time zone "X"`,
		",,":                                  "empty rule",
	} {
		_, err := ParseRule(line)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRule(%q) error = %v, want it to contain %q", line, err, want)
		}
	}
}

func TestParseRulesSortsByPriority(t *testing.T) {
	rules, err := ParseRules([]string{"type=sha", "type=raw,value=a", "type=semver,pattern={{version}}", "type=raw,value=b,priority=950", "type=raw,value=c"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rules {
		got = append(got, r.Line)
	}
	want := "type=raw,value=b,priority=950|type=semver,pattern={{version}}|type=raw,value=a|type=raw,value=c|type=sha"
	if strings.Join(got, "|") != want {
		t.Errorf("order:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}

func TestParseFlavor(t *testing.T) {
	f, err := ParseFlavor([]string{"latest=false", "prefix=app-,onlatest=true", "suffix=-slim"})
	if err != nil {
		t.Fatal(err)
	}
	if f != (Flavor{Latest: "false", Prefix: "app-", Suffix: "-slim", PrefixLatest: true}) {
		t.Errorf("flavor = %+v", f)
	}
	for line, want := range map[string]string{
		"latest=sometimes":  "latest=sometimes is not auto, true or false",
		"onlatest=true":     "onlatest= follows prefix= or suffix=",
		"prefix=a,onlatest": "is not key=value",
		"colour=red":        `unknown key "colour"`,
	} {
		if _, err := ParseFlavor([]string{line}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFlavor(%q) error = %v, want %q", line, err, want)
		}
	}
}

func TestRender(t *testing.T) {
	c := &exprContext{
		branch: "develop", tag: "v1.2.3", sha: "0123456", baseRef: "main", isDefaultBranch: true,
		now:        time.Date(2020, 1, 10, 15, 25, 50, 123e6, time.UTC),
		commitTime: time.Date(2021, 2, 3, 4, 5, 6, 0, time.UTC),
		vars:       map[string]string{"version": "1.2.3", "major": "1"},
	}
	for tmpl, want := range map[string]string{
		"{{branch}}-{{sha}}":                           "develop-0123456",
		"{{ tag }}/{{base_ref}}/{{is_default_branch}}": "v1.2.3/main/true",
		"{{date 'YYYYMMDD-HHmmss'}}":                   "20200110-152550",
		"{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}":   "20200111-002550",
		"{{date 'dddd, MMMM Do YYYY, h:mm:ss a'}}":     "Friday, January 10th 2020, 3:25:50 pm",
		"{{commit_date 'YYYY-MM-DDTHH:mm:ss.SSS[Z]'}}": "2021-02-03T04:05:06.000Z",
		"{{date \"X\"}}":                               "1578669950",
		"{{is_not_default_branch}}":                    "false",
		"{{commit_date YYYY-MM-DD}}":                   "2021-02-03T04:05:06Z", // unquoted: not a format (Handlebars)
		"{{date YYYY tz='Asia/Tokyo'}}":                "2020-01-11T00:25:50+09:00",
		"v{{major}}/{{version}}":                       "v1/1.2.3",
		"plain":                                        "plain",
	} {
		got, err := render(tmpl, c)
		if err != nil || got != want {
			t.Errorf("render(%q) = %q, %v; want %q", tmpl, got, err, want)
		}
	}
}

func TestPEP440(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3": "1.2.3", "v1.2.3": "1.2.3", "1.2.3rc2": "1.2.3rc2", "1.2.3-RC.2": "1.2.3rc2",
		"1.2.3beta2": "1.2.3b2", "1.2.3post1": "1.2.3.post1", "1.2.3-1": "1.2.3.post1",
		"1.0dev4": "1.0.dev4", "1!2.0": "1!2.0", "1.2.3+ubuntu-1": "1.2.3+ubuntu.1", "1.2.3alpha": "1.2.3a0",
	} {
		v, ok := parsePEP440(in)
		if !ok || v.String() != want {
			t.Errorf("parsePEP440(%q) = %q, %v; want %q", in, v.String(), ok, want)
		}
	}
	for _, bad := range []string{"", "one", "1.2.3-beta-gamma", "1..2"} {
		if _, ok := parsePEP440(bad); ok {
			t.Errorf("parsePEP440(%q) accepted", bad)
		}
	}
}

func TestVersionFromFile(t *testing.T) {
	for _, c := range []struct{ name, content, want, err string }{
		{"pyproject.toml", "[tool.black]\nversion = \"9.9.9\"\n[tool.poetry]\nversion = '1.4.0'\n", "1.4.0", ""},
		{"pyproject.toml", "[project]\nname='x'\ndynamic = [\"version\"]\n", "", "dynamic version"},
		{"setup.py", "setup(\n    name='x',\n    version=\"0.9.1\",\n)", "0.9.1", ""},
		{"setup.py", "setup(version=get_version())", "", "no literal"},
		{"package.json", `{"version": "3.0.0-rc.1"}`, "3.0.0-rc.1", ""},
		{"package.json", `{"name": "x"}`, "", `no "version" field`},
		{"package.json", `{`, "", "not valid JSON"},
		{"VERSION", "\n  1.0.0\nignored\n", "1.0.0", ""},
		{"VERSION", "   \n", "", "empty"},
	} {
		got, err := versionFromFile(c.name, []byte(c.content))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %q: error %v, want %q", c.name, c.content, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s %q = %q, %v; want %q", c.name, c.content, got, err, c.want)
		}
	}
}
