package registry

import (
	"strings"
	"testing"
)

func TestParseAuthLines(t *testing.T) {
	got, err := ParseAuthLines("# mirrors\nghcr.io=bot:ghp_a:b=c\n\n docker.io = user:pa ss \n")
	if err != nil {
		t.Fatal(err)
	}
	want := []HostAuth{{"ghcr.io", Auth{"bot", "ghp_a:b=c"}}, {"index.docker.io", Auth{"user", "pa ss"}}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"ghcr.io", "ghcr.io=user", "=user:pw", "ghcr.io=:pw", "ghcr.io=user:", "ghcr.io/org=user:pw"} {
		_, err := ParseAuthLines("ok.io=a:b\n" + bad)
		if err == nil || !strings.Contains(err.Error(), "line 2 ") {
			t.Errorf("ParseAuthLines(%q) error = %v, want one naming line 2", bad, err)
		}
		if err != nil && strings.Contains(bad, "pw") && strings.Contains(err.Error(), "pw") {
			t.Errorf("error %q leaks the password", err)
		}
	}
}

func FuzzParseAuthLines(f *testing.F) {
	f.Add("ghcr.io=bot:token\ndocker.io=u:p:q")
	f.Add("# c\n\n=:\n")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseAuthLines(s)
		if err != nil {
			return
		}
		for _, a := range got {
			if a.Host == "" || a.Username == "" || a.Password == "" {
				t.Fatalf("ParseAuthLines(%q) accepted an empty field: %+v", s, a)
			}
		}
	})
}

func TestParseChallenge(t *testing.T) {
	ch := ParseChallenge(`Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:org/app:pull"`)
	if ch.Scheme != "bearer" || ch.Params["realm"] != "https://ghcr.io/token" || ch.Params["service"] != "ghcr.io" || ch.Params["scope"] != "repository:org/app:pull" {
		t.Errorf("got %+v", ch)
	}
	ch = ParseChallenge(`Basic realm="a \"quoted\" realm", charset=UTF-8`)
	if ch.Scheme != "basic" || ch.Params["realm"] != `a "quoted" realm` || ch.Params["charset"] != "UTF-8" {
		t.Errorf("got %+v", ch)
	}
}

func FuzzParseChallenge(f *testing.F) {
	f.Add(`Bearer realm="https://r/token",service="r",scope="a b"`)
	f.Add(`Basic realm="x\"`)
	f.Fuzz(func(t *testing.T, s string) {
		ch := ParseChallenge(s)
		if ch.Params == nil || ch.Scheme != strings.ToLower(ch.Scheme) {
			t.Fatalf("ParseChallenge(%q) = %+v", s, ch)
		}
	})
}

func TestIsVersionTag(t *testing.T) {
	for tag, want := range map[string]bool{
		"1.2.3": true, "1.3.0-rc.1": true, "v1.2.3": true, "0.0.1": true,
		"1.2": false, "1": false, "latest": false, "stable": false, "develop": false,
		"dev-20260101-120000": false, "dev-abc1234": false, "1.2.3.4": false,
	} {
		if got := IsVersionTag(tag); got != want {
			t.Errorf("IsVersionTag(%q) = %v, want %v", tag, got, want)
		}
	}
}
