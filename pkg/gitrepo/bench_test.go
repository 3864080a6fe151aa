package gitrepo_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

// benchRepo returns a repository to benchmark on: $GITREPO_BENCH_DIR when set
// (scripts/bench-version.sh builds one with 100,000 commits and 10,000 tags),
// else a generated one with 20,000 commits and 2,000 tags.
func benchRepo(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("GITREPO_BENCH_DIR"); dir != "" {
		return dir
	}
	return gitrepotest.Generate(b, 20000, 10)
}

func BenchmarkOpen(b *testing.B) {
	dir := benchRepo(b)
	for b.Loop() {
		r, err := gitrepo.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

func benchTags(b *testing.B, opts ...gitrepo.TagsOption) {
	dir := benchRepo(b)
	for b.Loop() {
		r, err := gitrepo.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Tags(context.Background(), opts...); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

func BenchmarkTags(b *testing.B)         { benchTags(b) }
func BenchmarkTagsPeelOnly(b *testing.B) { benchTags(b, gitrepo.PeelOnly()) }

func BenchmarkCountCommitsSinceTag(b *testing.B) {
	dir := benchRepo(b)
	r, err := gitrepo.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	from, err := r.Resolve(ctx, "HEAD~500")
	if err != nil {
		b.Fatal(err)
	}
	head, err := r.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n, err := r.CountCommits(ctx, from, head.Hash)
		if err != nil || n != 500 {
			b.Fatalf("CountCommits = %d, %v; want 500", n, err)
		}
	}
}

// Parallel peeling over loose and packed refs agrees with git itself.
func TestManyTagsMatchGit(t *testing.T) {
	dir := gitrepotest.Generate(t, 3000, 2) // 1,500 tags: several workers
	check := func(layout string) {
		cmd := exec.Command("git", "for-each-ref", "--format=%(refname:short) %(objectname) %(*objectname)", "refs/tags")
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			commit := f[1]
			if len(f) == 3 {
				commit = f[2]
			}
			want[f[0]] = commit
		}
		r, err := gitrepo.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for _, opts := range [][]gitrepo.TagsOption{nil, {gitrepo.PeelOnly()}} {
			tags, err := r.Tags(context.Background(), opts...)
			if err != nil {
				t.Fatal(err)
			}
			if len(tags) != len(want) {
				t.Fatalf("%s: %d tags, git lists %d", layout, len(tags), len(want))
			}
			for _, tg := range tags {
				if want[tg.Name] != tg.Commit {
					t.Fatalf("%s: %s peels to %s, git says %s", layout, tg.Name, tg.Commit, want[tg.Name])
				}
				if len(opts) == 0 && tg.Time.IsZero() {
					t.Fatalf("%s: %s has no time", layout, tg.Name)
				}
			}
		}
	}
	check("loose")
	cmd := exec.Command("git", "pack-refs", "--all")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	check("packed")
}

// BenchmarkMergeBase: the fork point 500 commits back, as for a long-lived
// pull request's diff coverage.
func BenchmarkMergeBase(b *testing.B) {
	dir := benchRepo(b)
	r, err := gitrepo.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	base, err := r.Resolve(ctx, "HEAD~500")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if mb, err := r.MergeBase(ctx, base, "HEAD"); err != nil || mb != base {
			b.Fatalf("MergeBase = %s, %v; want %s", mb, err, base)
		}
	}
}

// BenchmarkCountCommitsFar counts half the history (10,000 commits of the
// generated repository, 50,000 of the big one): the cost of a development
// build far from its last release.
func BenchmarkCountCommitsFar(b *testing.B) {
	dir := benchRepo(b)
	r, err := gitrepo.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	all, err := r.CountCommits(ctx, "", "HEAD")
	if err != nil {
		b.Fatal(err)
	}
	from, err := r.Resolve(ctx, fmt.Sprintf("HEAD~%d", all/2))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if n, err := r.CountCommits(ctx, from, "HEAD"); err != nil || n != all/2 {
			b.Fatalf("CountCommits = %d, %v; want %d", n, err, all/2)
		}
	}
}
