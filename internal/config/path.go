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
// file. A variable it uses that is blank (IsBlank) is an error: taken as a
// path it names an invisible file in the current directory, and skips the
// config file that was meant.
func DefaultPath() (string, error) {
	if p, err := pathEnv(EnvConfigPath); p != "" || err != nil {
		return p, err
	}
	// The XDG spec says relative values are invalid and must be ignored;
	// a blank one is not absolute either.
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "tokenctl", "config.yaml"), nil
	}
	for _, k := range []string{"HOME", "USERPROFILE"} {
		h, err := pathEnv(k)
		if h != "" || err != nil {
			return filepath.Join(h, ".config", "tokenctl", "config.yaml"), err
		}
	}
	return "", nil
}

// pathEnv is the environment variable name, which names a file or a
// directory: "" when unset or empty, an error when blank.
func pathEnv(name string) (string, error) {
	v := os.Getenv(name)
	if IsBlank(v) {
		return "", blankEnv(name, v)
	}
	return v, nil
}

// EnvCacheDir overrides the directory tokenctl keeps its cache in.
const EnvCacheDir = "TOKENCTL_CACHE_DIR"

// FlagNoCache turns the cache off for one run.
const FlagNoCache = "no-cache"

// CacheDir is where tokenctl keeps what it may remember between runs:
// $TOKENCTL_CACHE_DIR if set, else tokenctl/ in the user's cache directory
// as os.UserCacheDir finds it (but with the rules written out, so they are
// the documented ones on every system). It returns "" when none is known;
// nothing is cached then. A blank variable it uses is an error, as for
// DefaultPath.
func CacheDir() (string, error) {
	if d, err := pathEnv(EnvCacheDir); d != "" || err != nil {
		return d, err
	}
	base := ""
	switch runtime.GOOS {
	case "windows":
		d, err := pathEnv("LocalAppData")
		if err != nil {
			return "", err
		}
		base = d
	case "darwin", "ios":
		h, err := pathEnv("HOME")
		if err != nil {
			return "", err
		}
		if h != "" {
			base = filepath.Join(h, "Library", "Caches")
		}
	default:
		// The XDG spec says relative values are invalid and must be
		// ignored; a blank one is not absolute either.
		if x := os.Getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
			base = x
		} else if h, err := pathEnv("HOME"); err != nil {
			return "", err
		} else if h != "" {
			base = filepath.Join(h, ".cache")
		}
	}
	if base == "" {
		return "", nil
	}
	return filepath.Join(base, "tokenctl"), nil
}
