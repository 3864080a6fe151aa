package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// GiveToWorkspaceOwner hands what an action created or changed under the
// workspace back to the workspace's owner. Container actions run as root;
// on a self-hosted runner the workspace belongs to the runner's user, and
// root-owned files there make the next actions/checkout fail to clean the
// workspace. Entries modified since `since` and owned by uid 0 get the
// workspace directory's uid and gid; nothing happens unless the process runs
// as root and the workspace belongs to someone else. Symbolic links are
// changed themselves, never followed. Returns how many entries changed.
func GiveToWorkspaceOwner(ctx context.Context, workspace string, since time.Time) (int, error) {
	if os.Geteuid() != 0 || workspace == "" {
		return 0, nil
	}
	st, err := os.Stat(workspace)
	if err != nil {
		return 0, fmt.Errorf("workspace %s: %w", workspace, err)
	}
	owner, ok := st.Sys().(*syscall.Stat_t)
	if !ok || owner.Uid == 0 {
		return 0, nil
	}
	uid, gid := int(owner.Uid), int(owner.Gid)
	n := 0
	err = filepath.WalkDir(workspace, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are not ours to fix
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		sys, ok := info.Sys().(*syscall.Stat_t)
		if !ok || sys.Uid != 0 || info.ModTime().Before(since) {
			return nil
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			return fmt.Errorf("giving %s to the workspace owner (uid %d): %w", p, uid, err)
		}
		n++
		return nil
	})
	return n, err
}
