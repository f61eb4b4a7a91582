package config

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// flagInsecureStorage lets `config set api-token` write the token to the
// config file in plain text, for machines without a keychain.
const flagInsecureStorage = "insecure-storage"

// setAPIToken stores a token read from standard input: in the system
// keychain, or with --insecure-storage in the config file. Without a
// keychain it refuses (exit 5) rather than fall back to plain text
// silently.
func setAPIToken(f *cmdutil.Factory, flags *pflag.FlagSet, token string, insecure bool) error {
	store, err := f.TokenStore(flags)
	if err != nil {
		return err
	}
	if insecure {
		shadowed, err := store.SaveInsecure(token)
		if err != nil {
			return exitcode.New(exitcode.Usage, err)
		}
		fmt.Fprintf(f.IO.ErrOut, "Saved the API token in plain text in %s (mode 0600)\n", store.ConfigFile)
		if shadowed {
			fmt.Fprintf(f.IO.ErrOut, "tokenctl: warning: the system keychain also holds an API token for %s, which is used before the config file's; `tokenctl config unset %s` removes both\n", store.Endpoint, config.KeyAPIToken)
		}
		return nil
	}
	removedFromFile, err := store.Save(token)
	switch {
	case errors.Is(err, config.ErrKeychainUnavailable):
		return exitcode.New(exitcode.Refused, fmt.Errorf("cannot store the API token: %w; pass --%s to write it in plain text to %s (mode 0600), or give it to each run with %s or --%s",
			err, flagInsecureStorage, store.ConfigFile, config.EnvVar(config.KeyAPIToken), config.FlagAPITokenFile))
	case errors.Is(err, config.ErrInvalidSetting):
		return exitcode.New(exitcode.Usage, err)
	case err != nil:
		return fmt.Errorf("storing the API token for %s: %w", store.Endpoint, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "Saved the API token for %s in the system keychain (service %s)\n", store.Endpoint, store.Service())
	if removedFromFile {
		fmt.Fprintf(f.IO.ErrOut, "Removed the plain-text %s from %s\n", config.KeyAPIToken, store.ConfigFile)
	}
	if os.Getenv(config.EnvVar(config.KeyAPIToken)) != "" {
		fmt.Fprintf(f.IO.ErrOut, "tokenctl: note: %s is set, and runs use it before the keychain\n", config.EnvVar(config.KeyAPIToken))
	}
	return nil
}

// unsetAPIToken removes the token for the endpoint from wherever it is
// stored, and says where that was.
func unsetAPIToken(f *cmdutil.Factory, flags *pflag.FlagSet) error {
	store, err := f.TokenStore(flags)
	if err != nil {
		return err
	}
	removed, err := store.Remove()
	if removed.FromFile {
		fmt.Fprintf(f.IO.ErrOut, "Removed %s from %s\n", config.KeyAPIToken, store.ConfigFile)
	}
	if removed.FromKeychain {
		fmt.Fprintf(f.IO.ErrOut, "Removed the API token for %s from the system keychain (service %s)\n", store.Endpoint, store.Service())
	}
	if err != nil {
		return err
	}
	if !removed.FromFile && !removed.FromKeychain {
		fmt.Fprintf(f.IO.ErrOut, "No API token for %s was stored: neither the system keychain nor %s holds one\n", store.Endpoint, store.ConfigFile)
	}
	return nil
}

// MigrateTokenOptions are the inputs of `config migrate-token`.
type MigrateTokenOptions struct {
	IO *iostreams.IOStreams
	// Store is where the token is and goes: filled in from the settings
	// (config file, GraphQL endpoint, keychain).
	Store config.TokenStore
}

// NewCmdConfigMigrateToken moves a plain-text token from the config file
// into the system keychain.
func NewCmdConfigMigrateToken(f *cmdutil.Factory, runF func(*MigrateTokenOptions) error) *cobra.Command {
	opts := &MigrateTokenOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "migrate-token",
		Short: "Move the API token from the configuration file into the system keychain",
		Long: `Move the API token stored in plain text in the configuration file into the
system keychain (macOS Keychain, Windows Credential Manager, the Secret
Service on Linux), under the GraphQL endpoint in effect.

The token is removed from the file only after the keychain has returned it
when read back. If the keychain already holds a different token for the
endpoint, nothing changes: that one is in use.`,
		Example: `  tokenctl config migrate-token
  tokenctl config migrate-token --graphql-endpoint http://127.0.0.1:8080/graphql`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := f.TokenStore(cmd.Flags())
			if err != nil {
				return err
			}
			opts.Store = store
			if runF != nil {
				return runF(opts)
			}
			return migrateTokenRun(opts)
		},
	}
}

func migrateTokenRun(opts *MigrateTokenOptions) error {
	st := opts.Store
	m, err := st.Migrate()
	switch {
	case errors.Is(err, config.ErrKeychainUnavailable):
		return exitcode.New(exitcode.Refused, fmt.Errorf("cannot move the API token: %w; it stays in %s", err, st.ConfigFile))
	case errors.Is(err, config.ErrKeychainHoldsAnother):
		return exitcode.New(exitcode.Refused, fmt.Errorf("%w (%s), and that one is in use; %s was left as it is. "+
			"To keep one of them, `tokenctl config unset %s` removes both, then `tokenctl config set %s -` stores the one to keep",
			err, st.Endpoint, st.ConfigFile, config.KeyAPIToken, config.KeyAPIToken))
	case errors.Is(err, config.ErrInvalidSetting):
		return exitcode.New(exitcode.Usage, err)
	case err != nil && m.InKeychain:
		return fmt.Errorf("the API token is now in the system keychain, but removing it from %s failed: %w", st.ConfigFile, err)
	case err != nil:
		return fmt.Errorf("moving the API token to the system keychain: %w; it stays in %s", err, st.ConfigFile)
	}
	switch {
	case !m.Moved:
		fmt.Fprintf(opts.IO.ErrOut, "No API token in %s: nothing to move\n", st.ConfigFile)
	case m.AlreadyThere:
		fmt.Fprintf(opts.IO.ErrOut, "The system keychain already held this API token for %s (service %s); removed the plain-text copy from %s\n", st.Endpoint, st.Service(), st.ConfigFile)
	default:
		fmt.Fprintf(opts.IO.ErrOut, "Moved the API token for %s from %s to the system keychain (service %s)\n", st.Endpoint, st.ConfigFile, st.Service())
	}
	return nil
}
