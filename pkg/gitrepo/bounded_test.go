package gitrepo

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

// Finding 8: a huge commit message (a pull request can carry one; it packs
// small) is read only up to maxCommitObject, loose or packed.
func TestHugeCommitMessageBounded(t *testing.T) {
	for _, packed := range []bool{false, true} {
		g := gitrepotest.New(t)
		first := g.Commit("first")
		msgFile := filepath.Join(t.TempDir(), "msg")
		big := "feat: huge\n\n" + strings.Repeat("0123456789abcdef\n", (24<<20)/17)
		if err := os.WriteFile(msgFile, []byte(big), 0o644); err != nil {
			t.Fatal(err)
		}
		g.Git("commit", "-q", "--allow-empty", "-F", msgFile)
		head := g.Head()
		if packed {
			g.Git("gc", "-q")
		}
		r, err := Open(g.Dir)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		cs, err := r.CommitsBetween(t.Context(), first, head)
		runtime.ReadMemStats(&after)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || !strings.HasPrefix(cs[0].Message, "feat: huge") {
			t.Fatalf("packed=%v: commits %d", packed, len(cs))
		}
		if n := len(cs[0].Message); n > maxCommitObject {
			t.Errorf("packed=%v: message of %d bytes read, over the %d-byte bound", packed, n, maxCommitObject)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("packed=%v: reading one commit allocated %d MB", packed, alloc>>20)
		}
	}
}

// hugeMessage commits an empty commit whose message is about mb MB.
func hugeMessage(t *testing.T, g *gitrepotest.Repo, subject string, mb int) string {
	t.Helper()
	msgFile := filepath.Join(t.TempDir(), "msg")
	big := subject + "\n\n" + strings.Repeat("0123456789abcdef\n", (mb<<20)/17)
	if err := os.WriteFile(msgFile, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	g.Git("commit", "-q", "--allow-empty", "-F", msgFile)
	return g.Head()
}

func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Finding 8, deltas: two huge commits packed as a delta of one another are
// never rebuilt whole; each is read up to maxCommitObject or refused with
// the size-limit error, and nothing allocates anywhere near its size.
func TestHugeCommitAsDeltaBounded(t *testing.T) {
	g := gitrepotest.New(t)
	first := g.Commit("first")
	// 6 MB each: over the bound, and small enough for git to store one
	// as a delta of the other (it does not try for tens of megabytes).
	hugeMessage(t, g, "feat: huge one", 6)
	head := hugeMessage(t, g, "feat: huge two", 6)
	g.Git("gc", "-q", "--aggressive")
	if !deltifiedCommit(g.Git("verify-pack", "-v", packIndex(t, g.Dir))) {
		t.Skip("git stored no commit as a delta; nothing to test")
	}
	r, err := Open(g.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var cs []Commit
	alloc := allocated(func() { cs, err = r.CommitsBetween(t.Context(), first, head) })
	if err != nil && !strings.Contains(err.Error(), "-byte limit for a commit object") {
		t.Fatalf("error %v, want the size-limit error", err)
	}
	t.Logf("err %v, %d commits", err, len(cs))
	for _, c := range cs {
		if len(c.Message) > maxCommitObject {
			t.Errorf("message of %d bytes read, over the %d-byte bound", len(c.Message), maxCommitObject)
		}
	}
	// Rebuilding the delta commit whole takes its 6 MB and its base's 6 MB
	// at once; the bounded reads (1 MiB, go-git's pack index) stay well under.
	if alloc > 12<<20 {
		t.Errorf("reading two delta commits allocated %d MB", alloc>>20)
	}
}

// Symbolic revisions (HEAD~1, main^, v1.0.0~2^2) walk parents through the
// bounded reader: go-git's ResolveRevision decoded the tip commit whole.
func TestSymbolicRevisionBounded(t *testing.T) {
	for _, packed := range []bool{false, true} {
		g := gitrepotest.New(t)
		first := g.Commit("first")
		second := g.Commit("second")
		head := hugeMessage(t, g, "feat: huge", 24)
		g.Git("tag", "v1.0.0")
		if packed {
			g.Git("gc", "-q")
		}
		r, err := Open(g.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for rev, want := range map[string]string{
			"HEAD~1": second, "HEAD^": second, "HEAD~2": first, "HEAD^^": first, "main~1^1": first,
			"v1.0.0~1": second, head[:12] + "~2": first, "HEAD~0": head, "HEAD": head,
		} {
			var got string
			alloc := allocated(func() { got, err = r.Resolve(t.Context(), rev) })
			if err != nil || got != want {
				t.Errorf("packed=%v: Resolve(%q) = %s, %v; want %s", packed, rev, got, err, want)
			}
			if alloc > 16<<20 {
				t.Errorf("packed=%v: Resolve(%q) allocated %d MB", packed, rev, alloc>>20)
			}
		}
		for _, rev := range []string{"HEAD~3", "HEAD^2", "HEAD~x", "nosuch~1"} {
			if got, err := r.Resolve(t.Context(), rev); err == nil {
				t.Errorf("packed=%v: Resolve(%q) = %s, want an error", packed, rev, got)
			}
		}
		r.Close()
	}
}

func packIndex(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	if len(m) != 1 {
		t.Skipf("%d pack indexes", len(m))
	}
	return m[0]
}

// deltifiedCommit reports whether verify-pack lists a commit with a delta base.
func deltifiedCommit(verifyPack string) bool {
	for _, l := range strings.Split(verifyPack, "\n") {
		if f := strings.Fields(l); len(f) >= 7 && f[1] == "commit" {
			return true
		}
	}
	return false
}
