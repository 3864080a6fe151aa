package gitrepotest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Epoch is the commit time of the first commit a Repo makes; each further
// commit is one minute later.
var Epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Repo is a repository under a test's temporary directory.
type Repo struct {
	t     testing.TB
	Dir   string
	clock time.Time
}

// New creates an empty repository whose default branch is main.
func New(t testing.TB) *Repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (apt-get install -y git): needed to build test repositories")
	}
	r := &Repo{t: t, Dir: t.TempDir(), clock: Epoch}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Git runs git in the repository and returns its trimmed output, failing the
// test on error.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return r.gitAt(r.clock, args...)
}

func (r *Repo) gitAt(when time.Time, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	date := when.Format(time.RFC3339)
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Test Author", "GIT_AUTHOR_EMAIL=author@example.com",
		"GIT_COMMITTER_NAME=Test Committer", "GIT_COMMITTER_EMAIL=committer@example.com",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Write writes a file (creating directories) without committing it.
func (r *Repo) Write(path, content string) {
	r.t.Helper()
	full := filepath.Join(r.Dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// Commit commits every change in the tree (possibly none) and returns its
// hash. Each commit is one minute after the previous one, so commits are
// distinct and their order by time is exact.
func (r *Repo) Commit(msg string) string {
	r.t.Helper()
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	r.clock = r.clock.Add(time.Minute)
	return r.Git("rev-parse", "HEAD")
}

// Tag makes a lightweight tag on HEAD (or on the given revision).
func (r *Repo) Tag(name string, rev ...string) {
	r.t.Helper()
	r.Git(append([]string{"tag", name}, rev...)...)
}

// AnnotatedTag makes an annotated tag on HEAD (or on the given revision).
func (r *Repo) AnnotatedTag(name, msg string, rev ...string) {
	r.t.Helper()
	r.Git(append([]string{"tag", "-a", name, "-m", msg}, rev...)...)
}

// Head is the hash of HEAD.
func (r *Repo) Head() string {
	r.t.Helper()
	return r.Git("rev-parse", "HEAD")
}

// Clone clones the repository into a new directory. depth > 0 makes a shallow
// clone of that depth (as actions/checkout does by default with depth 1).
func (r *Repo) Clone(depth int, extra ...string) *Repo {
	r.t.Helper()
	dir := r.t.TempDir()
	args := []string{"clone", "-q"}
	if depth > 0 {
		args = append(args, "--depth", fmt.Sprint(depth))
	}
	args = append(args, extra...)
	args = append(args, "file://"+r.Dir, dir)
	r.Git(args...)
	return &Repo{t: r.t, Dir: dir, clock: r.clock}
}

// Generate builds, with git fast-import, a linear history of `commits`
// commits on main (messages "fix: change N", one a minute from 2020-09-13)
// with a release tag every `every` commits, the newest 5 commits behind HEAD:
// v0.0.1, v0.0.2, ... alternately lightweight and annotated, as loose refs.
// It returns the repository's directory.
func Generate(t testing.TB, commits, every int) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (apt-get install -y git): needed to build test repositories")
	}
	dir := t.TempDir()
	var s strings.Builder
	n := 0
	for i := 1; i <= commits; i++ {
		msg := fmt.Sprintf("fix: change %d", i)
		fmt.Fprintf(&s, "commit refs/heads/main\nmark :%d\ncommitter B <b@example.com> %d +0000\ndata %d\n%s\n", i, 1600000000+i*60, len(msg), msg)
		if i > 1 {
			fmt.Fprintf(&s, "from :%d\n", i-1)
		}
		if (i+5)%every == 0 {
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
			t.Fatalf("git %v: %v\n%s", c.args, err, out)
		}
	}
	return dir
}
