package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
)

// fakeEnv is an environment built from a map, so tests never see or change
// the real one.
func fakeEnv(m map[string]string) Env {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// addFlags defines every setting's flag the way the command line does.
func addFlags(fs *pflag.FlagSet) {
	fs.String("org", "", "")
	fs.String(FlagAPITokenFile, "", "")
	fs.String("graphql-endpoint", "", "")
	fs.String("rest-endpoint", "", "")
	fs.StringP("output", "o", "", "")
	fs.String("audit-log", "", "")
	fs.Duration("timeout", 0, "")
	fs.Int("page-size", 0, "")
	fs.Int("concurrency", 0, "")
}

// parsedFlags returns the full tokenctl flag set after parsing args.
func parsedFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("tokenctl", pflag.ContinueOnError)
	addFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parsing %v: %v", args, err)
	}
	return fs
}

// writeFile writes content to name inside dir with the given mode and
// returns its path.
func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is filtered by the umask; tests need the exact bits.
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}
