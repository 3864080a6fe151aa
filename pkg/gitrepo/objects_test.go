package gitrepo

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
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
