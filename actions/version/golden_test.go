package version_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// The step summary of typical runs, on repositories whose commits (dates,
// identities, so hashes) are fixed.
func TestSummaryGolden(t *testing.T) {
	g := history(t)
	golden(t, "summary-tag-push.md", ok2(t, resolve(t, g, run{ref: "refs/tags/v1.2.3"})).Summary)

	g.Git("checkout", "-q", "-b", "develop")
	g.Commit("feat: develop work")
	g.Tag("nightly")
	golden(t, "summary-develop.md", ok2(t, resolve(t, g, run{ref: "refs/heads/develop"})).Summary)

	g.Git("checkout", "-q", "main")
	g.Commit("fix: on main")
	golden(t, "summary-rules.md", ok2(t, resolve(t, g, run{ref: "refs/heads/main", inputs: map[string]string{
		"tags":   "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=sha\ntype=raw,value={{branch}}-{{commit_date 'YYYYMMDD'}}",
		"images": "ghcr.io/DRYTRIX/TimeTracker\ndocker.io/drytrix/timetracker",
	}})).Summary)
}
