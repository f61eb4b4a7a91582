package config

import (
	"io"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/testenv"
)

// setEnv makes env the whole of the environment tokenctl reads until the
// test ends: every variable Environment lists that env does not name is
// unset, so neither the machine's settings nor another test's reach Load.
// Tests that call it are not parallel.
func setEnv(t testing.TB, env map[string]string) {
	t.Helper()
	testenv.Only(t, EnvironmentNames(), env)
}

// loadCase is one Load in a test: Env is the environment (see setEnv),
// ConfigPath the config file (through TOKENCTL_CONFIG; "" for none).
type loadCase struct {
	Flags      *pflag.FlagSet
	Env        map[string]string
	ConfigPath string
	Stdin      io.Reader
	Keychain   Keychain
}

func loadTest(t testing.TB, c loadCase) (*Settings, error) {
	t.Helper()
	env := maps.Clone(c.Env)
	if c.ConfigPath != "" {
		if env == nil {
			env = map[string]string{}
		}
		env[EnvConfigPath] = c.ConfigPath
	}
	setEnv(t, env)
	return Load(c.Flags, LoadOptions{Stdin: c.Stdin, Keychain: c.Keychain})
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
