package config

import "path/filepath"

// DefaultPath is where the config file lives unless the caller names one:
// $TOKENCTL_CONFIG if set, else $XDG_CONFIG_HOME/tokenctl/config.yaml, else
// $HOME/.config/tokenctl/config.yaml (%USERPROFILE% where HOME is unset, as
// on Windows). It returns "" when none of these is known; Load then reads no
// file.
func DefaultPath(env Env) string {
	get := func(k string) string {
		if env == nil {
			return ""
		}
		v, _ := env(k)
		return v
	}
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
