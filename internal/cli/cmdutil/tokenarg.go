package cmdutil

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// AddTokenFlag registers --token on a command about one token, which
// also takes the token as its argument: every command names one token
// the same way.
// usage says what the token may be spelt as.
func AddTokenFlag(fl *pflag.FlagSet, value *string, usage string) {
	fl.StringVar(value, "token", "", "the `TOKEN`: "+usage+"; or give it as the argument")
}

// OneToken is the one token a command is about, given as its argument or
// with --token (both only when they agree). what says what the token is
// for, in the message when none is given.
func OneToken(command string, args []string, flag string, what string) (string, error) {
	if len(args) > 1 {
		return "", exitcode.New(exitcode.Usage, fmt.Errorf("%s takes one token, not %d: run it once per token", command, len(args)))
	}
	switch {
	case len(args) == 1 && flag != "" && args[0] != flag:
		return "", exitcode.New(exitcode.Usage, errors.New("two tokens given (an argument and --token): name the token once"))
	case len(args) == 1:
		return args[0], nil
	case flag != "":
		return flag, nil
	}
	return "", exitcode.New(exitcode.Usage, fmt.Errorf("no token given: name %s as the argument or with --token TOKEN (its UUID, as in `tokenctl tokens list`)", what))
}
