package gitrepo

import (
	"bytes"
	"compress/zlib"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

func TestParseCommitAndTag(t *testing.T) {
	c, err := parseCommit([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" +
		"parent 1111111111111111111111111111111111111111\nparent 2222222222222222222222222222222222222222\n" +
		"author A <a@x> 1700000000 +0100\ncommitter C <c@x> 1700000060 -0500\n\nmsg\n"))
	if err != nil || len(c.parents) != 2 || c.parents[1] != plumbing.NewHash(strings.Repeat("2", 40)) || c.time != 1700000060 {
		t.Errorf("parseCommit = %+v, %v", c, err)
	}
	tg, err := parseTag([]byte("object 3333333333333333333333333333333333333333\ntype commit\ntag v1\n" +
		"tagger T <t@x> 1700000120 +0000\n\nRelease v1\nbody\n"))
	if err != nil || tg.target != plumbing.NewHash(strings.Repeat("3", 40)) || tg.time != 1700000120 || tg.message != "Release v1\nbody\n" {
		t.Errorf("parseTag = %+v, %v", tg, err)
	}
	if _, err := parseTag([]byte("type commit\n")); err == nil {
		t.Error("tag without object line accepted")
	}
	if _, err := parseCommit([]byte("parent 12\n")); err == nil {
		t.Error("short parent accepted")
	}
}

func FuzzParseObjects(f *testing.F) {
	f.Add([]byte("tree x\nparent 1111111111111111111111111111111111111111\ncommitter C <c@x> 1 +0000\n\nm"))
	f.Add([]byte("object 3333333333333333333333333333333333333333\ntagger T <t@x> 99 +0000\n\nmsg"))
	f.Add([]byte("committer <> \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Must not panic on any object content.
		_, _ = parseCommit(data)
		_, _ = parseTag(data)
	})
}

// A REF_DELTA whose base is not in any pack (a thin pack completed with a
// loose object) is rebuilt from the loose base; a missing base is an error.
func TestRefDeltaOnLooseBase(t *testing.T) {
	g := gitrepotest.New(t)
	baseText := strings.Repeat("the base object's text\n", 5) // under 128 bytes: one-byte sizes
	g.Write("base.txt", baseText)
	g.Git("add", "base.txt")
	baseHash := plumbing.NewHash(g.Git("hash-object", "-w", "base.txt"))
	// The delta: copy the whole base, then insert "tail\n".
	delta := []byte{byte(len(baseText)), byte(len(baseText) + 5), 0x90, byte(len(baseText)), 5}
	delta = append(delta, "tail\n"...)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(delta)
	zw.Close()
	pack := append(make([]byte, 12), 0x70|byte(len(delta)&0x0f)|0x80, byte(len(delta)>>4))
	pack = append(append(pack, baseHash[:]...), z.Bytes()...)
	o := newObjectReader(filepath.Join(g.Dir, ".git", "objects"))
	defer o.close()
	p := &packFile{pack: pack}
	typ, data, err := o.readPacked(p, 12, -1, maxSmallObject)
	if err != nil || typ != plumbing.BlobObject || string(data) != baseText+"tail\n" {
		t.Fatalf("readPacked = %v, %q, %v", typ, data, err)
	}
	copy(pack[13+1:], bytes.Repeat([]byte{0xee}, 20)) // another base hash
	if _, _, err := o.readPacked(p, 12, -1, maxSmallObject); err == nil {
		t.Error("a delta on a missing base was rebuilt")
	}
}

// signatureTime's allocation-free path gives what strings.Fields and
// strconv.ParseInt gave, on ordinary and odd signature lines.
func TestSignatureTimeAsStrconv(t *testing.T) {
	old := func(line []byte) int64 {
		i := bytes.LastIndexByte(line, '>')
		if i < 0 {
			return 0
		}
		f := strings.Fields(string(line[i+1:]))
		if len(f) == 0 {
			return 0
		}
		v, _ := strconv.ParseInt(f[0], 10, 64)
		return v
	}
	for _, line := range []string{
		"committer A U Thor <a@example.com> 1700000000 +0000",
		"committer A <a@example.com>  \t1700000000\t+0100",
		"tagger A <a@example.com> 1700000000",
		"committer A <a@example.com> -5 +0000",
		"committer A <a@example.com> +17 +0000",
		"committer A <a@example.com> 99999999999999999999 +0000",
		"committer A <a@example.com> 999999999999999999 +0000",
		"committer A <a@example.com> 12abc +0000",
		"committer A <a@example.com> ",
		"committer A <a@example.com>",
		"committer A <a@example.com>\v1700000000 +0000",
		"committer no email 1700000000 +0000",
		"committer A <a> <b> 42 +0000",
	} {
		if got, want := signatureTime([]byte(line)), old([]byte(line)); got != want {
			t.Errorf("signatureTime(%q) = %d, want %d", line, got, want)
		}
	}
}

// hashOf accepts exactly what plumbing.IsHash accepts and decodes it as
// plumbing.NewHash does.
func TestHashOfAsPlumbing(t *testing.T) {
	for _, s := range []string{
		"0123456789abcdef0123456789abcdef01234567",
		"0123456789ABCDEF0123456789ABCDEF01234567",
		"0123456789abcdef0123456789abcdef0123456",
		"0123456789abcdef0123456789abcdef012345678",
		"0123456789abcdef0123456789abcdef0123456g",
		"",
	} {
		h, ok := hashOf([]byte(s))
		if ok != plumbing.IsHash(s) {
			t.Errorf("hashOf(%q) ok = %v, plumbing.IsHash says %v", s, ok, !ok)
		}
		if ok && h != plumbing.NewHash(s) {
			t.Errorf("hashOf(%q) = %s, want %s", s, h, plumbing.NewHash(s))
		}
	}
}
