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
