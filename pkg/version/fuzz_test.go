package version

import (
	"testing"
	"time"
)

func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"type=semver,pattern={{version}}", `type=raw,value="a,b"`, "type=match,pattern=/v(\\d)/i,group=1",
		"type=schedule,pattern={{date 'YYYY' tz='UTC'}}", "latest", "type=ref,event=pr,prefix=", `"`, "{{", "type=sha,format=long"} {
		f.Add(s)
	}
	c := &exprContext{branch: "b", tag: "t", sha: "0123456789", now: time.Unix(0, 0), vars: map[string]string{"version": "1.0.0"}}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseRule(line)
		if err != nil {
			return
		}
		if _, ok := defaultPriority[r.Type]; !ok {
			t.Fatalf("accepted unknown type %q", r.Type)
		}
		for _, k := range []string{"enable", "prefix", "suffix", "value", "pattern", "branch"} {
			if k == "pattern" && r.Type == TypeMatch {
				continue // a regular expression, not a template
			}
			if _, err := render(r.Attrs[k], c); err != nil {
				t.Fatalf("attribute %s=%q passed the check but does not render: %v", k, r.Attrs[k], err)
			}
		}
	})
}

func FuzzParseFlavor(f *testing.F) {
	for _, s := range []string{"latest=auto", "prefix=a-,onlatest=true", "suffix=-b", "onlatest=true", "latest"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fl, err := ParseFlavor([]string{line})
		if err == nil && fl.Latest != "auto" && fl.Latest != "true" && fl.Latest != "false" {
			t.Fatalf("latest=%q accepted", fl.Latest)
		}
	})
}

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"v1.2.3", "1.2.3", "v1.3.0-rc.10+b.1", "v01.2.3", "nightly", "v1.2"} {
		f.Add(s, "v")
	}
	f.Fuzz(func(t *testing.T, name, prefix string) {
		v, ok := ParseTag(name, prefix)
		if !ok {
			return
		}
		back, ok := ParseTag(prefix+v.String(), prefix)
		if !ok || !back.Equal(v) || back.Metadata() != v.Metadata() {
			t.Fatalf("%q (prefix %q) parsed as %s, which does not round-trip", name, prefix, v)
		}
	})
}

func FuzzPEP440(f *testing.F) {
	for _, s := range []string{"1.2.3", "1.2.3rc2", "1!2.0.post1.dev3+local.1", "v1.0-1", "1.2.3alpha"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parsePEP440(s)
		if !ok {
			return
		}
		again, ok := parsePEP440(v.String())
		if !ok || again.String() != v.String() {
			t.Fatalf("%q normalised to %q, which normalises to %q", s, v.String(), again.String())
		}
	})
}

func FuzzCommitLevel(f *testing.F) {
	for _, s := range []string{"feat: x", "fix(a)!: y", "x\n\nBREAKING CHANGE: z", "", "\r\n\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		if l := CommitLevel(msg); l < LevelPatch || l > LevelMajor {
			t.Fatalf("level %d out of range", l)
		}
	})
}

func FuzzVersionFromFile(f *testing.F) {
	f.Add("pyproject.toml", "[project]\nversion = \"1.0.0\"\n")
	f.Add("setup.py", "setup(version='1.0.0')")
	f.Add("package.json", `{"version":"1.0.0"}`)
	f.Add("VERSION", "1.0.0\n")
	f.Fuzz(func(t *testing.T, name, content string) {
		_, _ = versionFromFile(name, []byte(content)) // must not panic
	})
}
