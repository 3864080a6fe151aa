package gitrepo

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

// Long, similar messages make git store commits and tags as deltas: the
// reader must rebuild every object exactly as git cat-file prints it, with
// deltas against offsets (git's default) and against hashes.
func TestReaderRebuildsDeltas(t *testing.T) {
	for _, ofs := range []string{"true", "false"} {
		t.Run("useDeltaBaseOffset="+ofs, func(t *testing.T) { checkDeltas(t, ofs) })
	}
}

func checkDeltas(t *testing.T, ofs string) {
	g := gitrepotest.New(t)
	body := strings.Repeat("lorem ipsum dolor sit amet ", 100)
	for i := 1; i <= 8; i++ {
		g.Write("notes.txt", strings.Repeat(fmt.Sprintf("line %d\n", i%3), 300)+body)
		g.Commit(fmt.Sprintf("feat: change %d\n\n%s", i, body))
		g.AnnotatedTag(fmt.Sprintf("v0.0.%d", i), fmt.Sprintf("release %d\n\n%s", i, body))
	}
	g.Git("-c", "repack.useDeltaBaseOffset="+ofs, "repack", "-adf", "-q", "--window=10", "--depth=10")
	idx, _ := filepath.Glob(filepath.Join(g.Dir, ".git", "objects", "pack", "*.idx"))
	if len(idx) != 1 {
		t.Fatalf("packs: %v", idx)
	}
	deltas := 0
	for _, line := range strings.Split(g.Git("verify-pack", "-v", idx[0]), "\n") {
		if strings.HasPrefix(line, "non delta:") {
			continue
		}
		if f := strings.Fields(line); len(f) >= 7 && (f[1] == "commit" || f[1] == "tag" || f[1] == "blob") {
			deltas++
		}
	}
	if deltas == 0 {
		t.Skip("git stored no delta: nothing to check")
	}
	r, err := Open(g.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	objects := strings.Fields(g.Git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"))
	for i := 0; i+1 < len(objects); i += 2 {
		hash, typ := objects[i], objects[i+1]
		cmd := exec.Command("git", "cat-file", typ, hash)
		cmd.Dir = g.Dir
		want, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		gotTyp, got, ok := r.objects.read(plumbing.NewHash(hash))
		if !ok || gotTyp.String() != typ || !bytes.Equal(got, want) {
			t.Fatalf("%s %s: read ok=%v type %s, %d bytes; git has %d bytes", typ, hash, ok, gotTyp, len(got), len(want))
		}
		if tt, ok := r.objects.typeOf(plumbing.NewHash(hash)); !ok || tt.String() != typ {
			t.Fatalf("%s: typeOf = %v, %v; want %s", hash, tt, ok, typ)
		}
	}
	t.Logf("%d objects checked, %d stored as deltas", len(objects)/2, deltas)
}

func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("hello world"), []byte{11, 5, 0x91, 0, 5})
	f.Add([]byte(""), []byte{0, 3, 3, 'a', 'b', 'c'})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		out, ok := applyDelta(base, delta)
		if ok && len(out) > maxSmallObject {
			t.Fatalf("output of %d bytes", len(out))
		}
	})
}

// Corrupt pack bytes never panic the reader: it reports ok=false, which its
// callers turn into an error naming the object.
func FuzzPackEntry(f *testing.F) {
	f.Add([]byte{0x3b, 'x', 0x9c})                    // a commit header, truncated zlib
	f.Add([]byte{0x65, 0x01, 0x78, 0x9c, 0x03, 0x00}) // an OFS delta pointing before the pack
	f.Add(append([]byte{0x75}, make([]byte, 20)...))  // a REF delta to an unknown base
	f.Fuzz(func(t *testing.T, data []byte) {
		o := newObjectReader(t.TempDir())
		p := &packFile{pack: append(make([]byte, 12), data...)}
		o.packs = []*packFile{p}
		_, _, _ = o.readAt(p, 12, -1, 0)
		_, _ = p.entry(12)
	})
}
