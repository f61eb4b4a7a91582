package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// unknownCommandError is a word typed where a command group expects one of
// its subcommands. It is a usage error (exit 2) at every level, flags or
// not: a typo in a script must fail, not print the group's help and pass.
type unknownCommandError struct {
	name        string
	group       *cobra.Command
	suggestions []string
}

func (e *unknownCommandError) Error() string {
	return fmt.Sprintf("unknown command %q for %q", e.name, e.group.CommandPath())
}

// report writes what follows the error line on stderr: the nearest
// subcommands, then the group's usage (never its help on stdout).
func (e *unknownCommandError) report(b *strings.Builder) {
	if len(e.suggestions) > 0 {
		b.WriteString("\nDid you mean this?\n")
		for _, s := range e.suggestions {
			fmt.Fprintf(b, "\t%s\n", s)
		}
	}
	b.WriteString("\n")
	b.WriteString(e.group.UsageString())
}

// findUnknownSubcommand looks at the command line before cobra runs it:
// cobra reports an unknown word only at the root, and, under a group,
// prints the group's help and succeeds, or, when a flag follows, blames
// the flag. It returns nil when the words name a command.
func findUnknownSubcommand(root *cobra.Command, args []string) *unknownCommandError {
	if len(args) > 0 && strings.HasPrefix(args[0], "__complete") {
		return nil // shell completion requests are cobra's own
	}
	root.InitDefaultHelpCmd()
	cmd, rest, _ := root.Find(args)
	if cmd == nil || !cmd.HasAvailableSubCommands() || cmd.Runnable() {
		return nil
	}
	cmd.InitDefaultHelpFlag()
	cmd.InitDefaultVersionFlag()
	name, ok := firstPositional(cmd, rest)
	if !ok {
		return nil
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's own default, set only when it reports
	}
	return &unknownCommandError{name: name, group: cmd, suggestions: cmd.SuggestionsFor(name)}
}

// firstPositional is the first word of args that is neither a flag nor a
// flag's value. A flag the command does not know is taken to have a value
// when it is not written --flag=value, as cobra takes it.
func firstPositional(cmd *cobra.Command, args []string) (string, bool) {
	lookup := func(name string, short bool) *pflag.Flag {
		for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.InheritedFlags()} {
			var f *pflag.Flag
			if short {
				f = fs.ShorthandLookup(name)
			} else {
				f = fs.Lookup(name)
			}
			if f != nil {
				return f
			}
		}
		return nil
	}
	takesValue := func(f *pflag.Flag) bool { return f == nil || f.NoOptDefVal == "" }
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				return args[i+1], true
			}
			return "", false
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") && takesValue(lookup(a[2:], false)) {
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			// -o json takes a value; -ojson and -y do not take the next word.
			if len(a) == 2 && takesValue(lookup(a[1:], true)) {
				i++
			}
		default:
			return a, true
		}
	}
	return "", false
}
