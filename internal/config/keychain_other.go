//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package config

// keychainUnreachable: on macOS and Windows the keychain is part of the
// system, and go-keyring says ErrUnsupportedPlatform where it has none; any
// other error is a real failure.
func keychainUnreachable(error) bool { return false }
