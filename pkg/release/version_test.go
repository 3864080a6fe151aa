package release

import (
	"strings"
	"testing"
)

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
		if err == nil {
			if _, err := MovingTags(s, []string{"major", "minor"}); err != nil {
				t.Errorf("MovingTags refused a tag ParseTag accepted: %v", err)
			}
		}
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
