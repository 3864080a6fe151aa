package version

import (
	"testing"
)

func TestRepositoryFromRemote(t *testing.T) {
	for url, want := range map[string]string{
		"https://github.com/DRYTRIX/TimeTracker.git":          "DRYTRIX/TimeTracker",
		"https://github.com/DRYTRIX/TimeTracker":              "DRYTRIX/TimeTracker",
		"https://github.com/DRYTRIX/TimeTracker/":             "DRYTRIX/TimeTracker",
		"https://x-access-token:abc@github.com/Org/app.git":   "Org/app",
		"git@github.com:DRYTRIX/TimeTracker.git":              "DRYTRIX/TimeTracker",
		"git@github.com:DRYTRIX/Time.Tracker":                 "DRYTRIX/Time.Tracker",
		"ssh://git@github.com/DRYTRIX/TimeTracker.git":        "DRYTRIX/TimeTracker",
		"ssh://git@ssh.github.com:443/DRYTRIX/TimeTracker":    "DRYTRIX/TimeTracker",
		"git://github.com/DRYTRIX/TimeTracker.git":            "DRYTRIX/TimeTracker",
		"https://gitlab.com/DRYTRIX/TimeTracker.git":          "",
		"https://github.com.evil.example/DRYTRIX/TimeTracker": "",
		"https://github.com/DRYTRIX":                          "",
		"https://github.com/DRYTRIX/TimeTracker/tree/main":    "",
		"file:///tmp/repo":                                    "",
		"":                                                    "",
	} {
		if got := RepositoryFromRemote(url); got != want {
			t.Errorf("RepositoryFromRemote(%q) = %q, want %q", url, got, want)
		}
	}
}

// A local run names the image as GitHub would: ghcr.io/<owner>/<repo>,
// lower-cased.
func TestDefaultImageFromRemote(t *testing.T) {
	f := newFake(2)
	repo := RepositoryFromRemote("git@github.com:DRYTRIX/TimeTracker.git")
	res, err := resolveFake(t, f, Event{Ref: "refs/heads/main", Repository: repo}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != 1 || res.Images[0] != "ghcr.io/drytrix/timetracker" {
		t.Errorf("images %v, want ghcr.io/drytrix/timetracker", res.Images)
	}
}
