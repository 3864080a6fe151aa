package tiers

import (
	"io/fs"
	"syscall"
)

// dirID is a folder's identity (device and inode), so the walk knows a
// folder reached again through a symlink.
type dirID struct {
	dev, ino uint64
	ok       bool // false when the file system gave no identity
}

func idOf(st fs.FileInfo) dirID {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return dirID{dev: uint64(s.Dev), ino: uint64(s.Ino), ok: true}
	}
	return dirID{}
}
