package gitrepo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

// A `.git` file (submodules, `git clone --separate-git-dir`) points to the
// git directory, relative to the file's directory.
func TestOpenThroughGitFile(t *testing.T) {
	ctx := context.Background()
	g, want := tagFixture(t)
	outer := t.TempDir()
	if err := os.Rename(filepath.Join(g.Dir, ".git"), filepath.Join(outer, "store.git")); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(g.Dir, filepath.Join(outer, "store.git"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(g.Dir, ".git"), []byte("gitdir: "+rel+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g.Write("sub/dir/x", "x")
	r := open(t, filepath.Join(g.Dir, "sub", "dir"))
	if got, _ := filepath.EvalSymlinks(r.Dir()); got != mustEval(t, g.Dir) {
		t.Errorf("Dir() = %q, want %q", r.Dir(), g.Dir)
	}
	h, err := r.Head(ctx)
	if err != nil || h.Hash != want["v2.0.0"] || h.Branch != "main" {
		t.Errorf("Head = %+v, %v", h, err)
	}
	tags, err := r.Tags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkTags(t, tags, want)

	if err := os.WriteFile(filepath.Join(g.Dir, ".git"), []byte("nonsense\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := gitrepo.Open(g.Dir); !errors.Is(err, gitrepo.ErrNoRepository) {
		t.Errorf("malformed .git file: err = %v, want ErrNoRepository", err)
	}
}

func mustEval(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A bare clone is found from itself and from a directory inside it.
func TestOpenBare(t *testing.T) {
	ctx := context.Background()
	g, want := tagFixture(t)
	bare := filepath.Join(t.TempDir(), "bare.git")
	g.Git("clone", "-q", "--bare", g.Dir, bare)
	for _, dir := range []string{bare, filepath.Join(bare, "refs", "tags")} {
		r := open(t, dir)
		h, err := r.Head(ctx)
		if err != nil || h.Hash != want["v2.0.0"] || h.Branch != "main" {
			t.Errorf("%s: Head = %+v, %v", dir, h, err)
		}
		n, err := r.CountCommits(ctx, "v1.0.0", "main")
		if err != nil || n != 4 {
			t.Errorf("%s: CountCommits = %d, %v; want 4", dir, n, err)
		}
	}
}

// `git clone --shared` reads objects through objects/info/alternates.
func TestOpenWithAlternates(t *testing.T) {
	ctx := context.Background()
	g, want := tagFixture(t)
	g.Git("gc", "-q")
	shared := filepath.Join(t.TempDir(), "shared")
	g.Git("clone", "-q", "--shared", g.Dir, shared)
	if _, err := os.Stat(filepath.Join(shared, ".git", "objects", "info", "alternates")); err != nil {
		t.Fatalf("no alternates file: %v", err)
	}
	r := open(t, shared)
	got, err := r.CommitsBetween(ctx, "", "origin/main")
	if err != nil || len(got) != 5 {
		t.Fatalf("CommitsBetween through alternates = %d commits, %v; want 5", len(got), err)
	}
	tags, err := r.Tags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkTags(t, tags, want)
}

func TestResolveRevisionSyntax(t *testing.T) {
	ctx := context.Background()
	g, want := tagFixture(t)
	first := want["v1.0.0"]
	// Branches named like files of the git directory are branches.
	g.Git("branch", "config", "v1.0.0")
	g.Git("branch", "description", "v1.1.0")
	r := open(t, g.Dir)
	for rev, wantHash := range map[string]string{
		"config":           first,
		"description~1":    first,
		"v1.0.0^{}":        first,
		"v1.0.0^{commit}":  first,
		"nested^{}":        want["nested"],
		"v1.1.0~1^{}":      first,
		first[:7]:          first,
		first[:9] + "^{}":  first,
		"refs/tags/v1.0.0": first,
		"tags/v1.0.0":      first,
		"heads/main~0":     want["v2.0.0"],
	} {
		got, err := r.Resolve(ctx, rev)
		if err != nil || got != wantHash {
			t.Errorf("Resolve(%q) = %s, %v; want %s", rev, got, err, wantHash)
		}
	}
	for _, rev := range []string{"main@{1}", ":/fix", "HEAD^{tree}", "v1.0.0^{}~1", "@"} {
		_, err := r.Resolve(ctx, rev)
		if err == nil || !strings.Contains(err.Error(), "unsupported syntax") || !strings.Contains(err.Error(), rev) {
			t.Errorf("Resolve(%q): err = %v, want the unsupported-syntax error naming it", rev, err)
		}
	}
	for _, rev := range []string{"../../etc/passwd", "refs/../HEAD", "nosuch^{}"} {
		if got, err := r.Resolve(ctx, rev); err == nil {
			t.Errorf("Resolve(%q) = %s, want an error", rev, got)
		}
	}
}

// A symbolic ref chain (HEAD -> a branch -> another) resolves; an unborn
// branch is ErrNoCommits; a loop is an error.
func TestSymbolicRefs(t *testing.T) {
	ctx := context.Background()
	g := gitrepotest.New(t)
	c := g.Commit("one")
	g.Git("symbolic-ref", "refs/heads/alias", "refs/heads/main")
	g.Git("symbolic-ref", "HEAD", "refs/heads/alias")
	h, err := open(t, g.Dir).Head(ctx)
	if err != nil || h.Hash != c || h.Branch != "main" {
		t.Errorf("Head through an alias = %+v, %v", h, err)
	}
	g.Git("symbolic-ref", "HEAD", "refs/heads/unborn")
	if _, err := open(t, g.Dir).Head(ctx); !errors.Is(err, gitrepo.ErrNoCommits) {
		t.Errorf("unborn branch: err = %v, want ErrNoCommits", err)
	}
	if err := os.WriteFile(filepath.Join(g.Dir, ".git", "refs", "heads", "loop"), []byte("ref: refs/heads/loop\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := open(t, g.Dir).Resolve(ctx, "loop"); err == nil {
		t.Error("a symbolic ref naming itself resolved")
	}
}

// Files over a megabyte, and blobs deltified in long chains (git repack
// --depth beyond the old 128 bound) are read for the diff.
func TestChangedLinesLargeAndDeepDeltas(t *testing.T) {
	ctx := context.Background()
	g := gitrepotest.New(t)
	var big strings.Builder
	for i := 0; big.Len() < 3<<20; i++ {
		fmt.Fprintf(&big, "line %d of a large generated file\n", i)
	}
	g.Write("big.txt", big.String())
	// Each version changes one more line: git deltifies each against the
	// previous one, a chain as long as the history.
	lines := make([]string, 300)
	for i := range lines {
		lines[i] = fmt.Sprintf("original line number %d", i+1)
	}
	g.Write("deep.txt", strings.Join(lines, "\n")+"\n")
	base := g.Commit("base")
	changed := map[int]bool{}
	for i := 1; i <= 200; i++ {
		n := (i * 37) % 300
		lines[n] = fmt.Sprintf("changed in step %d with some text", i)
		changed[n+1] = true
		g.Write("deep.txt", strings.Join(lines, "\n")+"\n")
		g.Commit(fmt.Sprintf("step %d", i))
	}
	g.Write("big.txt", big.String()+"one more\n")
	g.Commit("grow")
	g.Git("repack", "-adf", "-q", "--window=250", "--depth=4095")
	if depth := maxChain(g.Git("verify-pack", "-v", packIndex(t, g.Dir))); depth <= 128 {
		t.Fatalf("longest delta chain %d: the test needs one over 128", depth)
	}
	r := open(t, g.Dir)
	got, err := r.ChangedLines(ctx, base, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	var deep []int
	for i := 1; i <= 300; i++ {
		if changed[i] {
			deep = append(deep, i)
		}
	}
	bigLines := strings.Count(big.String(), "\n") + 1
	want := map[string][]int{"big.txt": {bigLines}, "deep.txt": deep}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ChangedLines: big.txt %v, deep.txt %v; want %v and %v", got["big.txt"], got["deep.txt"], want["big.txt"], deep)
	}
}

func packIndex(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	if len(m) != 1 {
		t.Fatalf("%d pack indexes", len(m))
	}
	return m[0]
}

// maxChain reads the longest delta chain from git verify-pack -v.
func maxChain(verifyPack string) int {
	longest := 0
	for _, l := range strings.Split(verifyPack, "\n") {
		var n, objects int
		if _, err := fmt.Sscanf(l, "chain length = %d: %d", &n, &objects); err == nil && n > longest {
			longest = n
		}
	}
	return longest
}
