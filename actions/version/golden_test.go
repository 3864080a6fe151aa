package versionaction_test

import (
	"path/filepath"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
)

// goldenFile compares got with testdata/name (go test -update rewrites it).
func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	golden.CheckString(t, filepath.Join("testdata", name), got)
}

// The step summary of typical runs, on repositories whose commits (dates,
// identities, so hashes) are fixed.
func TestSummaryGolden(t *testing.T) {
	g := history(t)
	goldenFile(t, "summary-tag-push.md", ok2(t, resolve(t, g, run{ref: "refs/tags/v1.2.3"})).Summary)

	g.Git("checkout", "-q", "-b", "develop")
	g.Commit("feat: develop work")
	g.Tag("nightly")
	goldenFile(t, "summary-develop.md", ok2(t, resolve(t, g, run{ref: "refs/heads/develop"})).Summary)

	g.Git("checkout", "-q", "main")
	g.Commit("fix: on main")
	goldenFile(t, "summary-rules.md", ok2(t, resolve(t, g, run{ref: "refs/heads/main", inputs: map[string]string{
		"tags":   "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=sha\ntype=raw,value={{branch}}-{{commit_date 'YYYYMMDD'}}",
		"images": "ghcr.io/DRYTRIX/TimeTracker\ndocker.io/drytrix/timetracker",
	}})).Summary)
}
