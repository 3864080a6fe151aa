package version

import (
	"strings"
	"testing"
)

func TestParseImages(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  string // names joined by space, or "error: <part of the message>"
		given bool
	}{
		{nil, "", false},
		{[]string{"org/app"}, "org/app", true},
		{[]string{"org/app,ghcr.io/User/App"}, "org/app ghcr.io/user/app", true},
		{[]string{"name=org/app,enable=false", "name=ghcr.io/user/app"}, "ghcr.io/user/app", true},
		{[]string{"name=org/app,enable=false"}, "", true},
		{[]string{"org/app", "name=ghcr.io/user/app,enable=true"}, "org/app ghcr.io/user/app", true},
		{[]string{"name=org/app,enable=maybe"}, "error: enable=maybe is neither true nor false", true},
		{[]string{"name=org/app,push=true"}, `error: unknown attribute "push"`, true},
		{[]string{"enable=true"}, "error: no image name", true},
		{[]string{`"org/app`}, "error: unterminated double quote", true},
	} {
		names, given, err := ParseImages(tc.lines)
		got := strings.Join(names, " ")
		if err != nil {
			got = "error: " + err.Error()
		}
		if strings.HasPrefix(tc.want, "error: ") && !strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) ||
			!strings.HasPrefix(tc.want, "error: ") && got != tc.want || given != tc.given {
			t.Errorf("ParseImages(%q) = %q, given %v; want %q, given %v", tc.lines, got, given, tc.want, tc.given)
		}
	}
}
