package gitrepo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

func open(t *testing.T, dir string) *gitrepo.Repo {
	t.Helper()
	r, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestOpenDetectsRepositoryFromSubdirectory(t *testing.T) {
	g := gitrepotest.New(t)
	g.Write("src/app/x.py", "x\n")
	g.Commit("init")
	r := open(t, filepath.Join(g.Dir, "src", "app"))
	real, _ := filepath.EvalSymlinks(g.Dir)
	got, _ := filepath.EvalSymlinks(r.Dir())
	if got != real {
		t.Errorf("Dir() = %q, want %q", got, real)
	}
}

func TestOpenOutsideRepository(t *testing.T) {
	_, err := gitrepo.Open(t.TempDir())
	if !errors.Is(err, gitrepo.ErrNoRepository) {
		t.Fatalf("err = %v, want ErrNoRepository", err)
	}
}

func TestHead(t *testing.T) {
	ctx := context.Background()
	g := gitrepotest.New(t)
	first := g.Commit("one")
	second := g.Commit("two")
	r := open(t, g.Dir)
	h, err := r.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Hash != second || h.Branch != "main" {
		t.Errorf("Head = %+v, want %s on main", h, second)
	}
	g.Git("checkout", "-q", "--detach", first)
	h, err = open(t, g.Dir).Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Hash != first || h.Branch != "" {
		t.Errorf("detached Head = %+v, want %s and no branch", h, first)
	}
}

func TestHeadEmptyRepository(t *testing.T) {
	g := gitrepotest.New(t)
	_, err := open(t, g.Dir).Head(context.Background())
	if !errors.Is(err, gitrepo.ErrNoCommits) {
		t.Fatalf("err = %v, want ErrNoCommits", err)
	}
}

// tagFixture builds: c1 (v1.0.0 annotated) - c2 (v1.1.0 lightweight) - merge
// of a side branch (v2.0.0 annotated, on the merge) plus a nested tag.
func tagFixture(t *testing.T) (*gitrepotest.Repo, map[string]string) {
	g := gitrepotest.New(t)
	c1 := g.Commit("feat: one")
	g.AnnotatedTag("v1.0.0", "release 1.0.0")
	c2 := g.Commit("fix: two")
	g.Tag("v1.1.0")
	g.Git("checkout", "-q", "-b", "side")
	g.Commit("feat: side")
	g.Git("checkout", "-q", "main")
	g.Commit("fix: main")
	g.Git("merge", "-q", "--no-ff", "-m", "Merge side", "side")
	merge := g.Head()
	g.AnnotatedTag("v2.0.0", "release 2.0.0")
	g.Git("tag", "-a", "-m", "tag of a tag", "nested", "v2.0.0")
	g.Tag("dev-build")
	return g, map[string]string{"v1.0.0": c1, "v1.1.0": c2, "v2.0.0": merge, "nested": merge, "dev-build": merge}
}

func checkTags(t *testing.T, tags []gitrepo.Tag, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, tg := range tags {
		got[tg.Name] = tg.Commit
		wantAnnotated := tg.Name == "v1.0.0" || tg.Name == "v2.0.0" || tg.Name == "nested"
		if tg.Annotated != wantAnnotated {
			t.Errorf("%s: Annotated = %v, want %v", tg.Name, tg.Annotated, wantAnnotated)
		}
		if tg.Time.IsZero() {
			t.Errorf("%s: zero Time", tg.Name)
		}
		if tg.Annotated && tg.Message == "" {
			t.Errorf("%s: annotated tag without message", tg.Name)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tags = %v\nwant %v", got, want)
	}
}

func TestTagsLooseAndPacked(t *testing.T) {
	g, want := tagFixture(t)
	tags, err := open(t, g.Dir).Tags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkTags(t, tags, want)

	g.Git("pack-refs", "--all")
	if _, err := os.Stat(filepath.Join(g.Dir, ".git", "refs", "tags", "v1.0.0")); err == nil {
		t.Fatal("pack-refs left a loose tag")
	}
	tags, err = open(t, g.Dir).Tags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkTags(t, tags, want)
}

func TestTagsPeelOnlyAndPackedObjects(t *testing.T) {
	ctx := context.Background()
	g, want := tagFixture(t)
	full, err := open(t, g.Dir).Tags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// gc packs objects and refs: the pack reader and packed-refs peeling
	// must give the same answers as loose files.
	g.Git("gc", "-q")
	for _, opts := range [][]gitrepo.TagsOption{nil, {gitrepo.PeelOnly()}} {
		tags, err := open(t, g.Dir).Tags(ctx, opts...)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for i, tg := range tags {
			got[tg.Name] = tg.Commit
			if tg.Annotated != full[i].Annotated || tg.Object != full[i].Object {
				t.Errorf("%s after gc (options %d): %+v, before: %+v", tg.Name, len(opts), tg, full[i])
			}
			if len(opts) == 0 && (!tg.Time.Equal(full[i].Time) || tg.Message != full[i].Message) {
				t.Errorf("%s after gc: time/message %v %q, before %v %q", tg.Name, tg.Time, tg.Message, full[i].Time, full[i].Message)
			}
			if len(opts) == 1 && (!tg.Time.IsZero() || tg.Message != "") {
				t.Errorf("%s with PeelOnly: time/message filled: %+v", tg.Name, tg)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after gc: tags = %v\nwant %v", got, want)
		}
	}
	all, err := open(t, g.Dir).CommitsBetween(ctx, "", "HEAD")
	if err != nil || len(all) != 5 {
		t.Errorf("after gc: %d commits, %v; want 5", len(all), err)
	}
}

func TestTagTimes(t *testing.T) {
	g := gitrepotest.New(t)
	g.Commit("one")
	g.Tag("light")
	g.Commit("two")
	g.AnnotatedTag("annotated", "msg")
	tags, err := open(t, g.Dir).Tags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		"light":     gitrepotest.Epoch,                      // the commit's time
		"annotated": gitrepotest.Epoch.Add(2 * time.Minute), // the tagger's time (clock after the commit)
	}
	for _, tg := range tags {
		if !tg.Time.Equal(want[tg.Name]) {
			t.Errorf("%s: Time = %v, want %v", tg.Name, tg.Time, want[tg.Name])
		}
	}
}

func TestCommitsBetween(t *testing.T) {
	ctx := context.Background()
	g, tags := tagFixture(t)
	g.Commit("docs: after")
	r := open(t, g.Dir)

	all, err := r.CommitsBetween(ctx, "", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 {
		t.Fatalf("whole history: %d commits, want 6", len(all))
	}
	if all[0].Message != "docs: after\n" || all[len(all)-1].Message != "feat: one\n" {
		t.Errorf("order: first %q, last %q; want newest first", all[0].Message, all[len(all)-1].Message)
	}

	got, err := r.CommitsBetween(ctx, "v1.1.0", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, c := range got {
		msgs = append(msgs, c.Message)
	}
	// Commit times are one minute apart, so the order is exact.
	want := []string{"docs: after\n", "Merge side\n", "fix: main\n", "feat: side\n"}
	if !reflect.DeepEqual(msgs, want) {
		t.Errorf("v1.1.0..HEAD = %q, want %q", msgs, want)
	}
	merge := got[1]
	if len(merge.Parents) != 2 || merge.Hash != tags["v2.0.0"] {
		t.Errorf("merge commit = %+v", merge)
	}
	if merge.Author.Email != "author@example.com" || merge.Committer.Name != "Test Committer" {
		t.Errorf("identities: %+v / %+v", merge.Author, merge.Committer)
	}

	n, err := r.CountCommits(ctx, "v2.0.0", "HEAD")
	if err != nil || n != 1 {
		t.Errorf("CountCommits(v2.0.0, HEAD) = %d, %v; want 1", n, err)
	}
	n, err = r.CountCommits(ctx, "HEAD", "v1.0.0")
	if err != nil || n != 0 {
		t.Errorf("CountCommits(HEAD, v1.0.0) = %d, %v; want 0", n, err)
	}
	// The side branch tip is not an ancestor of v1.1.0 and vice versa.
	n, err = r.CountCommits(ctx, "side", "v1.1.0")
	if err != nil || n != 0 {
		t.Errorf("CountCommits(side, v1.1.0) = %d, %v; want 0", n, err)
	}
	n, err = r.CountCommits(ctx, "v1.1.0", "side")
	if err != nil || n != 1 {
		t.Errorf("CountCommits(v1.1.0, side) = %d, %v; want 1", n, err)
	}
}

func TestCommitGraphGivesSameAnswers(t *testing.T) {
	ctx := context.Background()
	g, _ := tagFixture(t)
	g.Commit("after")
	before, err := open(t, g.Dir).CommitsBetween(ctx, "v1.0.0", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	g.Git("commit-graph", "write", "--reachable")
	if _, err := os.Stat(filepath.Join(g.Dir, ".git", "objects", "info", "commit-graph")); err != nil {
		t.Fatalf("no commit-graph written: %v", err)
	}
	after, err := open(t, g.Dir).CommitsBetween(ctx, "v1.0.0", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("with commit-graph:\n%v\nwithout:\n%v", after, before)
	}
}

func TestIsAncestor(t *testing.T) {
	ctx := context.Background()
	g, _ := tagFixture(t)
	r := open(t, g.Dir)
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"v1.0.0", "v2.0.0", true},
		{"v2.0.0", "v1.0.0", false},
		{"side", "main", true},
		{"main", "main", true},
	} {
		got, err := r.IsAncestor(ctx, c.a, c.b)
		if err != nil || got != c.want {
			t.Errorf("IsAncestor(%s, %s) = %v, %v; want %v", c.a, c.b, got, err, c.want)
		}
	}
}

func TestCommitTime(t *testing.T) {
	g := gitrepotest.New(t)
	g.Commit("one")
	g.Commit("two")
	got, err := open(t, g.Dir).CommitTime(context.Background(), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if want := gitrepotest.Epoch.Add(time.Minute); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("CommitTime = %v, want %v in UTC", got, want)
	}
}

func TestUnknownRevision(t *testing.T) {
	g := gitrepotest.New(t)
	g.Commit("one")
	_, err := open(t, g.Dir).Resolve(context.Background(), "no-such-branch")
	if err == nil || errors.Is(err, gitrepo.ErrShallow) {
		t.Fatalf("err = %v, want a not-found error", err)
	}
}

func TestShallowClone(t *testing.T) {
	ctx := context.Background()
	g, _ := tagFixture(t)
	g.Commit("after one")
	g.Commit("after two")
	c := g.Clone(1)
	r := open(t, c.Dir)
	if !r.Shallow() {
		t.Fatal("depth-1 clone not reported shallow")
	}
	if open(t, g.Dir).Shallow() {
		t.Fatal("full repository reported shallow")
	}
	if _, err := r.CommitsBetween(ctx, "", "HEAD"); !errors.Is(err, gitrepo.ErrShallow) {
		t.Errorf("whole history of a shallow clone: err = %v, want ErrShallow", err)
	}
	if _, err := r.CountCommits(ctx, "v1.0.0", "HEAD"); !errors.Is(err, gitrepo.ErrShallow) {
		t.Errorf("range to a tag outside the clone: err = %v, want ErrShallow", err)
	}
	if _, err := r.ChangedLines(ctx, "HEAD~3", "HEAD"); !errors.Is(err, gitrepo.ErrShallow) {
		t.Errorf("diff against a missing base: err = %v, want ErrShallow", err)
	}
	// A range inside the fetched history still works.
	c2 := g.Clone(3)
	n, err := open(t, c2.Dir).CountCommits(ctx, "HEAD~1", "HEAD")
	if err != nil || n != 1 {
		t.Errorf("CountCommits(HEAD~1, HEAD) in depth-3 clone = %d, %v; want 1", n, err)
	}
}

func TestChangedLines(t *testing.T) {
	ctx := context.Background()
	g := gitrepotest.New(t)
	g.Write("app/a.py", "one\ntwo\nthree\nfour\n")
	g.Write("app/gone.py", "x\n")
	g.Write("app/moved.py", "m1\nm2\nm3\nm4\nm5\nm6\nm7\nm8\n")
	g.Commit("base")
	g.Git("checkout", "-q", "-b", "feature")
	g.Write("app/a.py", "one\nTWO\nthree\nfour\nfive\nsix")
	g.Write("app/new.py", "n1\nn2\n")
	g.Git("rm", "-q", "app/gone.py")
	g.Git("mv", "app/moved.py", "app/renamed.py")
	g.Write("app/renamed.py", "m1\nm2\nm3\nm4\nCHANGED\nm6\nm7\nm8\n")
	g.Commit("feature work")
	g.Git("checkout", "-q", "main")
	g.Write("app/other.py", "main moves on\n")
	g.Commit("main moves")

	got, err := open(t, g.Dir).ChangedLines(ctx, "main", "feature")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"app/a.py":       {2, 5, 6},
		"app/new.py":     {1, 2},
		"app/renamed.py": {5},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ChangedLines = %v\nwant %v", got, want)
	}
}

func TestWalkWithEqualCommitTimes(t *testing.T) {
	ctx := context.Background()
	g := gitrepotest.New(t)
	g.Commit("base")
	g.Git("checkout", "-q", "-b", "topic")
	g.Commit("topic")
	g.Git("checkout", "-q", "main")
	// Scripted history: the merge and the commits after it share one time.
	for i := 0; i < 3; i++ {
		g.Git("commit", "-q", "--allow-empty", "-m", fmt.Sprintf("same time %d", i))
	}
	g.Git("merge", "-q", "--no-ff", "-m", "merge", "topic")
	merge := g.Head()
	g.Git("commit", "-q", "--allow-empty", "-m", "after")
	r := open(t, g.Dir)
	ok, err := r.IsAncestor(ctx, merge, "HEAD")
	if err != nil || !ok {
		t.Errorf("IsAncestor(merge, HEAD) = %v, %v; want true", ok, err)
	}
	n, err := r.CountCommits(ctx, merge, "HEAD")
	if err != nil || n != 1 {
		t.Errorf("CountCommits(merge, HEAD) = %d, %v; want 1", n, err)
	}
	n, err = r.CountCommits(ctx, "topic", "HEAD")
	if err != nil || n != 5 {
		t.Errorf("CountCommits(topic, HEAD) = %d, %v; want 5 (three, the merge, after)", n, err)
	}
}

func TestMergeBaseMatchesGit(t *testing.T) {
	ctx := context.Background()
	g, _ := tagFixture(t)
	g.Git("checkout", "-q", "-b", "late", "v1.1.0")
	g.Commit("late branch")
	g.Git("checkout", "-q", "main")
	g.Commit("main after")
	// A criss-cross: two branches merging each other.
	g.Git("checkout", "-q", "-b", "x")
	g.Commit("x1")
	g.Git("checkout", "-q", "-b", "y", "main")
	g.Commit("y1")
	g.Git("merge", "-q", "--no-ff", "-m", "y merges x", "x")
	g.Git("checkout", "-q", "x")
	g.Git("merge", "-q", "--no-ff", "-m", "x merges y1", "y~1")
	g.Commit("x2")
	r := open(t, g.Dir)
	for _, c := range [][2]string{
		{"main", "side"}, {"side", "main"}, {"late", "main"}, {"v1.0.0", "main"}, {"main", "v1.0.0"},
		{"main", "main"}, {"x", "y"}, {"dev-build", "late"},
	} {
		got, err := r.MergeBase(ctx, c[0], c[1])
		if err != nil {
			t.Errorf("MergeBase(%s, %s): %v", c[0], c[1], err)
			continue
		}
		all := strings.Fields(g.Git("merge-base", "--all", c[0], c[1]))
		found := false
		for _, h := range all {
			found = found || h == got
		}
		if !found {
			t.Errorf("MergeBase(%s, %s) = %s, git merge-base --all says %v", c[0], c[1], got, all)
		}
	}
	// Unrelated histories share nothing.
	g.Git("checkout", "-q", "--orphan", "lonely")
	g.Commit("lonely root")
	if _, err := open(t, g.Dir).MergeBase(ctx, "lonely", "main"); err == nil || !strings.Contains(err.Error(), "share no history") {
		t.Errorf("unrelated: err = %v", err)
	}
}

// A linked worktree keeps its HEAD apart and shares refs and objects with
// the main repository through its commondir.
func TestLinkedWorktree(t *testing.T) {
	ctx := context.Background()
	g, want := tagFixture(t)
	wt := filepath.Join(t.TempDir(), "wt")
	g.Git("worktree", "add", "-q", "-b", "wt-branch", wt, "v1.1.0")
	r := open(t, wt)
	h, err := r.Head(ctx)
	if err != nil || h.Branch != "wt-branch" || h.Hash != want["v1.1.0"] {
		t.Errorf("Head in worktree = %+v, %v; want wt-branch at v1.1.0", h, err)
	}
	tags, err := r.Tags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkTags(t, tags, want)
	n, err := r.CountCommits(ctx, "v1.0.0", "HEAD")
	if err != nil || n != 1 {
		t.Errorf("CountCommits in worktree = %d, %v; want 1", n, err)
	}
}

func TestDefaultBranch(t *testing.T) {
	ctx := context.Background()
	g := gitrepotest.New(t)
	g.Commit("one")
	if got := open(t, g.Dir).DefaultBranch(ctx); got != "main" {
		t.Errorf("DefaultBranch = %q, want main", got)
	}
	g.Git("branch", "-m", "main", "trunk")
	g.Git("branch", "master")
	g.Git("pack-refs", "--all")
	if got := open(t, g.Dir).DefaultBranch(ctx); got != "master" {
		t.Errorf("DefaultBranch with a packed master = %q, want master", got)
	}
	c := g.Clone(0)
	if got := open(t, c.Dir).DefaultBranch(ctx); got != "trunk" {
		t.Errorf("DefaultBranch of a clone = %q, want trunk (origin/HEAD)", got)
	}
	if got := open(t, c.Dir).RemoteURL("origin"); !strings.HasPrefix(got, "file://") {
		t.Errorf("RemoteURL(origin) = %q", got)
	}
}

// A tag moved after pack-refs lives both packed (old) and loose (new): the
// loose one wins, as in git.
func TestLooseTagOverridesPacked(t *testing.T) {
	g := gitrepotest.New(t)
	old := g.Commit("one")
	g.AnnotatedTag("v1.0.0", "first")
	g.Tag("moving")
	g.Git("pack-refs", "--all")
	moved := g.Commit("two")
	g.Git("tag", "-f", "-a", "-m", "again", "v1.0.0")
	g.Git("tag", "-f", "moving")
	if _, err := os.Stat(filepath.Join(g.Dir, ".git", "refs", "tags", "v1.0.0")); err != nil {
		t.Fatalf("expected a loose ref beside the packed one: %v", err)
	}
	for _, opts := range [][]gitrepo.TagsOption{nil, {gitrepo.PeelOnly()}} {
		tags, err := open(t, g.Dir).Tags(context.Background(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != 2 || tags[0].Commit != moved || tags[1].Commit != moved {
			t.Errorf("tags = %+v, want both on %s (not %s)", tags, moved, old)
		}
	}
}

// Reachable agrees with git merge-base --is-ancestor for every commit of a
// history with a side line and a merge, asked from each branch at once.
func TestReachableMatchesGit(t *testing.T) {
	ctx := context.Background()
	g := gitrepotest.New(t)
	var all []string
	all = append(all, g.Commit("one"), g.Commit("two"))
	g.Git("checkout", "-q", "-b", "old")
	all = append(all, g.Commit("old a"), g.Commit("old b"))
	g.Git("checkout", "-q", "main")
	all = append(all, g.Commit("three"))
	g.Git("checkout", "-q", "-b", "feature")
	all = append(all, g.Commit("feature a"))
	g.Git("checkout", "-q", "main")
	all = append(all, g.Commit("four"))
	g.Git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	all = append(all, g.Head())
	r := open(t, g.Dir)
	for _, head := range []string{"main", "old", "feature"} {
		got, err := r.Reachable(ctx, head, append(all, strings.Repeat("f", 40)))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range all {
			want := true
			cmd := exec.Command("git", "merge-base", "--is-ancestor", c, head)
			cmd.Dir = g.Dir
			if err := cmd.Run(); err != nil {
				want = false
			}
			if got[c] != want {
				t.Errorf("from %s: %s reachable %v, git says %v", head, c[:7], got[c], want)
			}
		}
		if got[strings.Repeat("f", 40)] {
			t.Errorf("from %s: a commit not in the repository is reachable", head)
		}
	}
	// A shallow clone: the walk ends at the boundary without an error.
	c := g.Clone(2)
	got, err := open(t, c.Dir).Reachable(ctx, "HEAD", all)
	if err != nil {
		t.Fatalf("shallow clone: %v", err)
	}
	if !got[all[len(all)-1]] || got[all[0]] {
		t.Errorf("shallow clone: HEAD reachable %v, first commit %v; want true, false", got[all[len(all)-1]], got[all[0]])
	}
}
