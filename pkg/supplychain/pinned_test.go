package supplychain

import (
	"strings"
	"testing"
)

func TestPinned(t *testing.T) {
	const repo = "ghcr.io/org/app"
	d := "sha256:" + strings.Repeat("a", 64)
	other := "sha256:" + strings.Repeat("b", 64)
	for _, tc := range []struct {
		name, file string
		want       bool
	}{
		{"digest with the tag in a comment", "# from " + repo + ":1.2.3\nimage: " + repo + "@" + d + " # " + repo + ":1.2.3\n", true},
		{"tag and digest", "image: " + repo + ":1.2.3@" + d + "\n", true},
		{"json", `{"image": "` + repo + `", "ref": "` + repo + `@` + d + `"}`, true},
		{"tag only", "image: " + repo + ":1.2.3\n", false},
		{"other digest", "image: " + repo + "@" + other + "\n", false},
		{"not mentioned", "image: ghcr.io/org/app-worker@" + d + "\n", false},
		{"a longer repository is another image", "image: " + repo + "-worker:1\nimage: " + repo + "@" + d + "\n", true},
	} {
		if ok, detail := pinned([]byte(tc.file), repo, d); ok != tc.want {
			t.Errorf("%s: pinned = %v (%s), want %v", tc.name, ok, detail, tc.want)
		}
	}
}
