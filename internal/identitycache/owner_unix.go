//go:build unix

package identitycache

import (
	"os"
	"syscall"
)

// ownedPrivately reports whether info is of a file or directory owned by
// the current user that neither its group nor others may write.
func ownedPrivately(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid() && info.Mode().Perm()&0o022 == 0 &&
		(info.IsDir() || info.Mode().Perm()&0o077 == 0)
}

// openNoFollow opens path for reading, failing if it is a symbolic link.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}
