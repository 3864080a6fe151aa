package action

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func ownerOf(t *testing.T, p string) (int, int) {
	t.Helper()
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	s := st.Sys().(*syscall.Stat_t)
	return int(s.Uid), int(s.Gid)
}

// TestGiveToWorkspaceOwner: as root (a container action), files written
// into a workspace that belongs to the runner's user get that user's uid and
// gid; files that were there before and files of other users stay as they are.
func TestGiveToWorkspaceOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, as a container action runs")
	}
	ws := t.TempDir()
	const uid, gid = 1001, 127 // the hosted runner's user
	old := filepath.Join(ws, "old.txt")
	if err := os.WriteFile(old, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(ws, uid, gid); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-time.Second)
	written := []string{".timetracker-ci/plan.json", "dist/deploy/deployment.yml"}
	for _, f := range written {
		p := filepath.Join(ws, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(ws, "link")
	if err := os.Symlink("/etc/hostname", link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(ws, "other.txt")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(other, 2000, 2000); err != nil {
		t.Fatal(err)
	}
	n, err := GiveToWorkspaceOwner(context.Background(), ws, since)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(written, ".timetracker-ci", "dist", "dist/deploy", "link") {
		if u, g := ownerOf(t, filepath.Join(ws, f)); u != uid || g != gid {
			t.Errorf("%s is %d:%d, want %d:%d", f, u, g, uid, gid)
		}
	}
	if u, _ := ownerOf(t, "/etc/hostname"); u != 0 {
		t.Errorf("the symlink's target changed owner to %d", u)
	}
	if u, _ := ownerOf(t, old); u != 0 {
		t.Errorf("a file older than the run changed owner to %d", u)
	}
	if u, _ := ownerOf(t, other); u != 2000 {
		t.Errorf("another user's file changed owner to %d", u)
	}
	if n != 6 {
		t.Errorf("changed %d entries, want 6", n)
	}
}
