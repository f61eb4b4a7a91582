//go:build !unix

package identitycache

import "os"

// ownedPrivately: other systems have no such mode bits to check; links
// are still refused.
func ownedPrivately(info os.FileInfo) bool { return info.Mode()&os.ModeSymlink == 0 }

// openNoFollow opens path for reading, failing if it is a symbolic link.
func openNoFollow(path string) (*os.File, error) {
	if info, err := os.Lstat(path); err != nil {
		return nil, err
	} else if info.Mode()&os.ModeSymlink != 0 {
		return nil, os.ErrPermission
	}
	return os.Open(path)
}
