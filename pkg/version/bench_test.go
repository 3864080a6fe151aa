package version_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/version"
)

// benchRepo is $GITREPO_BENCH_DIR (scripts/bench-version.sh builds one with
// 100,000 commits and 10,000 tags) or a generated repository with 20,000
// commits and 2,000 release tags, the newest 5 commits behind HEAD.
func benchRepo(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("GITREPO_BENCH_DIR"); dir != "" {
		return dir
	}
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed: needed to build the benchmark repository")
	}
	dir := b.TempDir()
	var s strings.Builder
	n := 0
	for i := 1; i <= 20000; i++ {
		msg := fmt.Sprintf("fix: change %d", i)
		fmt.Fprintf(&s, "commit refs/heads/main\nmark :%d\ncommitter B <b@example.com> %d +0000\ndata %d\n%s\n", i, 1600000000+i*60, len(msg), msg)
		if i > 1 {
			fmt.Fprintf(&s, "from :%d\n", i-1)
		}
		if (i+5)%10 == 0 {
			n++
			v := fmt.Sprintf("v%d.%d.%d", n/100, n/10%10, n%10)
			if n%2 == 0 {
				fmt.Fprintf(&s, "tag %s\nfrom :%d\ntagger B <b@example.com> %d +0000\ndata 7\nrelease\n", v, i, 1600000000+i*60)
			} else {
				fmt.Fprintf(&s, "reset refs/tags/%s\nfrom :%d\n\n", v, i)
			}
		}
	}
	for _, c := range []struct {
		stdin string
		args  []string
	}{{"", []string{"init", "-q", "-b", "main"}}, {s.String(), []string{"fast-import", "--quiet"}}, {"", []string{"checkout", "-q", "main"}}} {
		cmd := exec.Command("git", c.args...)
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(c.stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", c.args, err, out)
		}
	}
	return dir
}

// BenchmarkResolve is the whole resolution of a push to the default branch:
// open, tags, last release, commits since, next version, image tags.
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
		res, err := version.Resolve(ctx, ev, version.GitHistory(r), version.Options{TagPrefix: "v", Now: time.Unix(0, 0)})
		if err != nil {
			b.Fatal(err)
		}
		if res.Kind != version.KindRelease {
			b.Fatalf("kind %s", res.Kind)
		}
		r.Close()
	}
}
