package version_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
	"github.com/org/timetracker-ci/pkg/version"
)

// benchRepo is $GITREPO_BENCH_DIR (scripts/bench-version.sh builds one with
// 100,000 commits and 10,000 tags) or a generated repository with 20,000
// commits and 2,000 release tags.
func benchRepo(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("GITREPO_BENCH_DIR"); dir != "" {
		return dir
	}
	return gitrepotest.Generate(b, 20000, 10)
}

// BenchmarkResolve is the whole resolution of a push to the default branch:
// open, tags, last release, commits since, next version, image tags (the
// built-in scheme, type=timetracker).
func BenchmarkResolve(b *testing.B) {
	dir := benchRepo(b)
	ctx := context.Background()
	for b.Loop() {
		r, err := gitrepo.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		head, err := r.Head(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ev := version.Event{Name: "push", Ref: "refs/heads/main", SHA: head.Hash, DefaultBranch: "main", Repository: "org/app"}
		res, err := version.Resolve(ctx, ev, version.GitHistory(r), version.Options{Rules: version.TimetrackerRules(), TagPrefix: "v", Now: time.Unix(0, 0)})
		if err != nil {
			b.Fatal(err)
		}
		if res.Kind != version.KindRelease {
			b.Fatalf("kind %s", res.Kind)
		}
		r.Close()
	}
}
