package config

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/spf13/pflag"
)

func TestCacheDir(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the XDG rules are for other systems")
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"override":            {map[string]string{EnvCacheDir: "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/c"},
		"XDG_CACHE_HOME":      {map[string]string{"XDG_CACHE_HOME": "/x", "HOME": "/h"}, filepath.Join("/x", "tokenctl")},
		"relative XDG":        {map[string]string{"XDG_CACHE_HOME": "x", "HOME": "/h"}, filepath.Join("/h", ".cache", "tokenctl")},
		"HOME":                {map[string]string{"HOME": "/h"}, filepath.Join("/h", ".cache", "tokenctl")},
		"nothing known":       {map[string]string{}, ""},
		"the config dir isnt": {map[string]string{"XDG_CONFIG_HOME": "/cfg"}, ""},
	} {
		setEnv(t, tc.env)
		if got, err := CacheDir(); got != tc.want || err != nil {
			t.Errorf("%s: CacheDir = %q, %v, want %q", name, got, err, tc.want)
		}
	}
}

func TestNoCacheFlagClearsCacheDir(t *testing.T) {
	env := map[string]string{EnvCacheDir: "/c"}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.Bool(FlagNoCache, false, "")
	s, err := loadTest(t, loadCase{Env: env, Flags: fs, ConfigPath: filepath.Join(t.TempDir(), "none.yaml")})
	if err != nil || s.CacheDir != "/c" {
		t.Fatalf("without --no-cache: %q %v", s.CacheDir, err)
	}
	if err := fs.Parse([]string{"--" + FlagNoCache}); err != nil {
		t.Fatal(err)
	}
	s, err = loadTest(t, loadCase{Env: env, Flags: fs, ConfigPath: filepath.Join(t.TempDir(), "none.yaml")})
	if err != nil || s.CacheDir != "" {
		t.Fatalf("with --no-cache: %q %v", s.CacheDir, err)
	}
}
