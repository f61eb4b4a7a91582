package config

import (
	"os"
	"path/filepath"
	"runtime"
)

// DefaultPath is where the config file lives unless the caller names one:
// $TOKENCTL_CONFIG if set, else $XDG_CONFIG_HOME/tokenctl/config.yaml, else
// $HOME/.config/tokenctl/config.yaml (%USERPROFILE% where HOME is unset, as
// on Windows). It returns "" when none of these is known; Load then reads no
// file.
func DefaultPath() string {
	get := os.Getenv
	if p := get(EnvConfigPath); p != "" {
		return p
	}
	// The XDG spec says relative values are invalid and must be ignored.
	if x := get("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "tokenctl", "config.yaml")
	}
	for _, k := range []string{"HOME", "USERPROFILE"} {
		if h := get(k); h != "" {
			return filepath.Join(h, ".config", "tokenctl", "config.yaml")
		}
	}
	return ""
}

// EnvCacheDir overrides the directory tokenctl keeps its cache in.
const EnvCacheDir = "TOKENCTL_CACHE_DIR"

// FlagNoCache turns the cache off for one run.
const FlagNoCache = "no-cache"

// CacheDir is where tokenctl keeps what it may remember between runs:
// $TOKENCTL_CACHE_DIR if set, else tokenctl/ in the user's cache directory
// as os.UserCacheDir finds it (but with the rules written out, so they are
// the documented ones on every system). It returns "" when none is known;
// nothing is cached then.
func CacheDir() string {
	get := os.Getenv
	if d := get(EnvCacheDir); d != "" {
		return d
	}
	base := ""
	switch runtime.GOOS {
	case "windows":
		base = get("LocalAppData")
	case "darwin", "ios":
		if h := get("HOME"); h != "" {
			base = filepath.Join(h, "Library", "Caches")
		}
	default:
		// The XDG spec says relative values are invalid and must be ignored.
		if x := get("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
			base = x
		} else if h := get("HOME"); h != "" {
			base = filepath.Join(h, ".cache")
		}
	}
	if base == "" {
		return ""
	}
	return filepath.Join(base, "tokenctl")
}
