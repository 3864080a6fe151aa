package gitrepo

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

// goGitCommit decodes data with go-git, the decoder decodeCommit replaces.
func goGitCommit(data []byte) (*object.Commit, error) {
	obj := &plumbing.MemoryObject{}
	obj.SetType(plumbing.CommitObject)
	if _, err := obj.Write(data); err != nil {
		return nil, err
	}
	return object.DecodeCommit(nil, obj)
}

// sameCommit compares decodeCommit's result with go-git's, time zones
// included.
func sameCommit(t *testing.T, what string, got commitObject, want *object.Commit) {
	t.Helper()
	sig := func(name string, g Signature, w object.Signature) {
		_, gOff := g.When.Zone()
		_, wOff := w.When.Zone()
		if g.Name != w.Name || g.Email != w.Email || !g.When.Equal(w.When) || gOff != wOff {
			t.Errorf("%s: %s = %q <%q> %v, go-git %q <%q> %v", what, name, g.Name, g.Email, g.When, w.Name, w.Email, w.When)
		}
	}
	if got.tree != want.TreeHash {
		t.Errorf("%s: tree %s, go-git %s", what, got.tree, want.TreeHash)
	}
	if len(got.parents) != len(want.ParentHashes) {
		t.Errorf("%s: parents %v, go-git %v", what, got.parents, want.ParentHashes)
	} else {
		for i := range got.parents {
			if got.parents[i] != want.ParentHashes[i] {
				t.Errorf("%s: parents %v, go-git %v", what, got.parents, want.ParentHashes)
			}
		}
	}
	sig("author", got.author, want.Author)
	sig("committer", got.committer, want.Committer)
	if got.message != want.Message {
		t.Errorf("%s: message %q, go-git %q", what, got.message, want.Message)
	}
}

const sampleTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// Commits as tools write them: signed, with a merge tag, an encoding,
// unusual time zones, no message, headers out of place.
var sampleCommits = []string{
	"tree " + sampleTree + "\nauthor A U <a@x> 1700000000 +0530\ncommitter C <c@x> 1700000060 -0700\n\nmsg\n",
	"tree " + sampleTree + "\nparent 1111111111111111111111111111111111111111\nparent 2222222222222222222222222222222222222222\n" +
		"author A <a@x> 1700000000 -0030\ncommitter C <c@x> 1700000060 +1400\n" +
		"mergetag object 3333333333333333333333333333333333333333\n type commit\n tag v1\n tagger T <t@x> 1 +0000\n \n release\n" +
		"gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n" +
		"encoding ISO-8859-1\n\nsubject\n\nbody\n",
	"tree " + sampleTree + "\nauthor A <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000060 +0000\n\n",
	"tree " + sampleTree + "\nauthor A <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000060 +0000",
	"tree " + sampleTree + "\ncommitter C <c@x> 1700000060 +0000\nauthor A <a@x> 1700000000 +0000\n\nswapped\n",
	"tree " + sampleTree + "\nauthor A <a@x> 1700000000 +0000\nparent 1111111111111111111111111111111111111111\ncommitter C <c@x> 1 +0000\n\nlate parent\n",
	"tree " + sampleTree + "\nauthor  Spaces  <a@x>  1700000000 +0000\ncommitter <> 12\n\nm",
	"tree " + sampleTree + "\nauthor A <a@x>\ncommitter C <c@x> notanumber +0000\n\nm",
	"tree " + sampleTree + "\nauthor A <a@x> 1700000000 +00\ncommitter C <c@x> 1700000000 +ab00\n\nm",
	"tree " + sampleTree + "\ngpgsig -----BEGIN SSH SIGNATURE-----\n abc\n -----END SSH SIGNATURE-----\n\nsigned, no people\n",
}

func TestDecodeCommitMatchesGoGit(t *testing.T) {
	for i, s := range sampleCommits {
		want, err := goGitCommit([]byte(s))
		if err != nil {
			t.Fatalf("sample %d: go-git: %v", i, err)
		}
		got, err := decodeCommit([]byte(s))
		if err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		sameCommit(t, "sample "+string(rune('0'+i)), got, want)
	}
	for _, bad := range []string{"", "\n", "parent " + sampleTree + "\n", "tree 12\n", "tree " + sampleTree + "\nparent xyz\n"} {
		if _, err := goGitCommit([]byte(bad)); err == nil {
			t.Fatalf("%q: go-git accepts it; pick another malformed sample", bad)
		}
		if _, err := decodeCommit([]byte(bad)); err == nil {
			t.Errorf("%q accepted; go-git refuses it", bad)
		}
	}
}

// Every commit of a repository built by git (merges, time zones, a signed
// commit written by hand) decodes as go-git decodes it.
func TestDecodeCommitMatchesGoGitOnRepository(t *testing.T) {
	g := gitrepotest.New(t)
	g.Commit("one")
	g.Git("checkout", "-q", "-b", "side")
	g.Commit("side\n\nwith a body\n\nSigned-off-by: X <x@y>")
	g.Git("checkout", "-q", "main")
	g.Commit("two")
	g.Git("merge", "-q", "--no-ff", "-m", "merge side", "side")
	for _, tz := range []string{"+0530", "-0700", "-0030", "+1400"} {
		g.Git("-c", "user.name=Z", "-c", "user.email=z@z", "commit", "-q", "--allow-empty", "-m", "tz "+tz, "--date", "1700000000 "+tz)
	}
	for _, s := range sampleCommits[:2] {
		cmd := exec.Command("git", "hash-object", "-t", "commit", "-w", "--literally", "--stdin")
		cmd.Dir = g.Dir
		cmd.Stdin = strings.NewReader(s)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("hash-object: %v\n%s", err, out)
		}
	}
	r, err := Open(g.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for _, line := range strings.Split(g.Git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"), "\n") {
		hash, typ, _ := strings.Cut(line, " ")
		if typ != "commit" {
			continue
		}
		h := plumbing.NewHash(hash)
		_, data, err := r.objects.get(h, -1, maxSmallObject)
		if err != nil {
			t.Fatal(err)
		}
		want, err := goGitCommit(data)
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.commit(h)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := decodeCommit(data)
		sameCommit(t, hash, got, want)
		if !c.Time.Equal(want.Committer.When) || c.Time.Location() != time.UTC || c.Author.When.Location().String() != want.Author.When.Location().String() {
			t.Errorf("%s: Commit times %v / %v, go-git %v / %v", hash, c.Time, c.Author.When, want.Committer.When, want.Author.When)
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d commits compared", n)
	}
}

// FuzzDecodeCommit: on any bytes decodeCommit never panics, and where
// go-git decodes a commit, decodeCommit gives the same fields.
func FuzzDecodeCommit(f *testing.F) {
	for _, s := range sampleCommits {
		f.Add([]byte(s))
	}
	f.Add([]byte("tree " + sampleTree))
	f.Add([]byte("tree " + sampleTree + "\n \n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeCommit(data)
		want, wantErr := goGitCommit(data)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("decodeCommit error %v, go-git error %v", err, wantErr)
		}
		if err == nil {
			sameCommit(t, "fuzz", got, want)
		}
	})
}
