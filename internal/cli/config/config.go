// Package config is `tokenctl config`: the config file's values and where
// the API token is kept.
package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/inputfile"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// NewCmdConfig groups the configuration file commands.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Read and write tokenctl's configuration file",
		Long: `tokenctl reads its settings from flags, then environment variables, then its
configuration file ($XDG_CONFIG_HOME/tokenctl/config.yaml, or the file named
by TOKENCTL_CONFIG), then built-in defaults.

The API token is taken from --api-token-file, then BUILDKITE_API_TOKEN, then
the system keychain (where "config set api-token -" stores it, per GraphQL
endpoint), then the configuration file.

Keys: ` + strings.Join(config.Keys(), ", "),
		Example: `  # Default organization, and the API token in the system keychain
  tokenctl config set org acme
  printf '%s' "$TOKEN" | tokenctl config set api-token -

  # Which value wins, and where it came from
  tokenctl config view`,
	}
	cmd.AddCommand(newCmdConfigSet(f), newCmdConfigUnset(f), newCmdConfigView(f), NewCmdConfigMigrateToken(f, nil))
	return cmd
}

func newCmdConfigSet(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Write a setting to the configuration file (mode 0600)",
		Long: `Write a setting to the configuration file, which is created with mode 0600.

The API token is never taken from the command line, where other users and
shell history can see it: use "tokenctl config set api-token -" and give the
token on standard input. It is stored in the system keychain (macOS Keychain,
Windows Credential Manager, the Secret Service on Linux) for the GraphQL
endpoint in effect, never in the file. Where there is no keychain (a
headless machine, a container) tokenctl refuses, unless --insecure-storage
asks for the file; the endpoint is written beside the token there, and the
token is refused with any other endpoint.`,
		Example: `  tokenctl config set org acme
  tokenctl config set audit-log ~/tokenctl-audit.jsonl
  printf '%s' "$TOKEN" | tokenctl config set api-token -
  printf '%s' "$TOKEN" | tokenctl config set api-token - --insecure-storage`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, value := args[0], args[1]
			insecure, _ := cmd.Flags().GetBool(flagInsecureStorage)
			if insecure && key != config.KeyAPIToken {
				return exitcode.New(exitcode.Usage, fmt.Errorf("--%s is for %s only; every other setting is written to the configuration file", flagInsecureStorage, config.KeyAPIToken))
			}
			if key == config.KeyAPIToken {
				if value != "-" {
					return exitcode.New(exitcode.Usage, errors.New("the API token is never taken from the command line: run `tokenctl config set api-token -` and give it on standard input"))
				}
				// Read all of it: config.Set refuses a value of several
				// lines rather than silently keeping the first.
				raw, err := inputfile.Read(inputfile.Stdin, f.IO.In, config.MaxAPITokenFile, "the API token")
				if errors.Is(err, inputfile.ErrTooLarge) {
					return exitcode.New(exitcode.Usage, fmt.Errorf("standard input is larger than %d KiB, too large to hold an API token", config.MaxAPITokenFile>>10))
				}
				if err != nil || strings.TrimSpace(string(raw)) == "" {
					return exitcode.New(exitcode.Usage, errors.New("no API token on standard input"))
				}
				return setAPIToken(f, cmd.Flags(), strings.TrimSpace(string(raw)), insecure)
			} else if redact.IsSecret(value) {
				return exitcode.New(exitcode.Usage, fmt.Errorf("the value for %s looks like an API token; secrets belong only in api-token (via `config set api-token -`)", key))
			}
			path, err := config.DefaultPath()
			if err != nil {
				return exitcode.New(exitcode.Usage, err)
			}
			if err := config.Set(path, key, value); err != nil {
				return exitcode.New(exitcode.Usage, err)
			}
			fmt.Fprintf(f.IO.ErrOut, "Set %s in %s\n", key, path)
			return nil
		},
	}
	cmd.Flags().Bool(flagInsecureStorage, false, "store the API token in plain text in the configuration file (mode 0600) instead of the system keychain")
	return cmd
}

func newCmdConfigUnset(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "unset KEY",
		Short: "Remove a setting from the configuration file (api-token: from the keychain too)",
		Long: `Remove KEY from the configuration file, so that the environment or the
built-in default applies again. Removing api-token also deletes the token
kept in the system keychain for the GraphQL endpoint in use.`,
		Example: `  tokenctl config unset org
  tokenctl config unset api-token`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] == config.KeyAPIToken {
				return unsetAPIToken(f, cmd.Flags())
			}
			path, err := config.DefaultPath()
			if err != nil {
				return exitcode.New(exitcode.Usage, err)
			}
			if err := config.Unset(path, args[0]); err != nil {
				return exitcode.New(exitcode.Usage, err)
			}
			fmt.Fprintf(f.IO.ErrOut, "Removed %s from %s\n", args[0], path)
			return nil
		},
	}
}

// configViewFormats are the formats `config view` prints.
var configViewFormats = []output.Format{output.Table, output.JSON, output.YAML}

// configView is the JSON shape of `config view -o json`.
type configView struct {
	ConfigFile string         `json:"configFile"`
	Settings   []config.Entry `json:"settings"`
}

func newCmdConfigView(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "view",
		Short: "Show the effective settings and where each came from (token redacted)",
		Long: `Show every setting as a command would use it, and where it came from: a
flag, an environment variable, the configuration file, the system keychain
or the built-in default. The API token is never shown, only where it is.`,
		Example: `  tokenctl config view

  # The configuration file in use
  tokenctl config view --jq .configFile`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := f.Settings(cmd.Flags())
			if err != nil {
				return err
			}
			if err := f.ResolveToken(s); err != nil {
				return err
			}
			jq, _ := cmd.Flags().GetString("jq")
			format, err := cmdutil.OutputFormat(s, configViewFormats)
			if err == nil {
				format, err = cmdutil.JQFormat(jq, format, s.Sources[config.KeyOutput] == config.SourceFlag)
			}
			if err != nil {
				return exitcode.New(exitcode.Usage, err)
			}
			if err := output.CheckJQ(jq); err != nil {
				return exitcode.New(exitcode.Usage, err)
			}
			view := configView{ConfigFile: redact.Secrets(s.ConfigFile), Settings: s.Entries()}
			p := output.Printer{Out: f.IO.Out, Format: format, JQ: jq}
			return p.Print(view, func(bool) output.Rows {
				rows := output.Rows{Headers: []string{"KEY", "VALUE", "SOURCE"}}
				for _, e := range view.Settings {
					rows.Cells = append(rows.Cells, []string{e.Key, e.Value, string(e.Source)})
				}
				return rows
			})
		},
	}
	cmdutil.AddOutputFlag(cmd.Flags(), configViewFormats, "")
	var jq string
	cmdutil.AddJQFlag(cmd.Flags(), &jq)
	return cmd
}
