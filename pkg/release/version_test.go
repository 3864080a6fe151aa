package release

import (
	"strings"
	"testing"
)

func TestPreviousTag(t *testing.T) {
	tags := []string{"v1.0.0", "v1.1.0", "v1.2.0-rc.1", "v1.2.0", "v1.3.0-rc.1", "v1.3.0-rc.2", "v2.0.0", "nightly", "v1"}
	tests := map[string]string{
		"v1.3.0":      "v1.2.0",
		"v1.3.0-rc.2": "v1.3.0-rc.1",
		"v1.3.0-rc.1": "v1.2.0",
		"v1.0.0":      "",
		"v2.0.1":      "v2.0.0",
		"latest":      "",
	}
	for tag, want := range tests {
		if got := PreviousTag(tag, tags); got != want {
			t.Errorf("PreviousTag(%s) = %q, want %q", tag, got, want)
		}
	}
}

func TestMovingTags(t *testing.T) {
	got, err := MovingTags("v1.2.3", []string{"major", "minor"})
	if err != nil || strings.Join(got, ",") != "v1,v1.2" {
		t.Errorf("got %v %v", got, err)
	}
	got, _ = MovingTags("1.2.3", []string{"major"})
	if strings.Join(got, ",") != "1" {
		t.Errorf("got %v", got)
	}
	if _, err := MovingTags("v1.2.3", []string{"patch"}); err == nil || !strings.Contains(err.Error(), "move-tags") {
		t.Errorf("bad kind: %v", err)
	}
}

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"v1.2.3", "1.2.3-rc.1+b", "v01.2.3", "latest", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseTag(s)
		if err == nil && v == nil {
			t.Fatal("nil version without error")
		}
		_ = PreviousTag(s, []string{s, "v1.0.0"})
	})
}

func FuzzGlobRegexp(f *testing.F) {
	for _, s := range []string{"dist/**/*.tar.gz", "a/[!b]c?", "**", "[", "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = globRegexp(s) // must not panic; errors are answers
	})
}
