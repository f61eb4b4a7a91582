package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// setUpCompletion registers cobra's built-in `completion` command now rather
// than lazily at Execute, so it can be documented like every other command
// and shows up in generated man pages, and teaches the shell the values of
// flags that have a fixed set. Completion scripts and completions are
// computed from the command tree alone: no config file, no network.
func setUpCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Short = "Print a shell completion script (bash, zsh, fish or powershell)"
		c.Long = `Print a script that makes your shell complete tokenctl's commands, flags
and flag values (output formats, for instance). It needs no configuration
and sends nothing over the network.

Load it once in the current shell, or install it for every new shell as
each shell's subcommand help explains (tokenctl completion bash --help).`
		c.Example = `  # bash, this shell only (needs the bash-completion package)
  source <(tokenctl completion bash)

  # zsh, every new shell
  tokenctl completion zsh > "${fpath[1]}/_tokenctl"

  # fish, every new shell
  tokenctl completion fish > ~/.config/fish/completions/tokenctl.fish

  # PowerShell, this session only
  tokenctl completion powershell | Out-String | Invoke-Expression`
		// Without this, an unknown shell would print help and succeed.
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return exitcode.New(exitcode.Usage, fmt.Errorf("unknown shell %q: tokenctl completes bash, zsh, fish and powershell", args[0]))
		}
		for _, shell := range c.Commands() {
			if load := completionLoader(shell.Name()); load != "" {
				shell.Example = "  " + load
			}
		}
	}
	registerFlagValueCompletions(root)
}

// completionLoader loads shell's script into the running shell ("" for a
// shell it does not know).
func completionLoader(shell string) string {
	switch shell {
	case "bash":
		return "source <(tokenctl completion bash)"
	case "zsh":
		return "source <(tokenctl completion zsh)"
	case "fish":
		return "tokenctl completion fish | source"
	case "powershell":
		return "tokenctl completion powershell | Out-String | Invoke-Expression"
	}
	return ""
}

// registerFlagValueCompletions completes, on every command, the flags whose
// values come from a fixed list, and stops the shell from offering file
// names where none make sense.
func registerFlagValueCompletions(cmd *cobra.Command) {
	if fl := cmd.Flags().Lookup("output"); fl != nil {
		formats := fl.Annotations[cmdutil.OutputFormatsAnnotation]
		_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
	}
	for _, sub := range cmd.Commands() {
		registerFlagValueCompletions(sub)
	}
}
