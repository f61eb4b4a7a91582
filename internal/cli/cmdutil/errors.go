package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// ChangesAnnotation marks a command that changes things (a revocation, a
// policy): when its --jq expression fails while running, the unfiltered
// document follows on stderr so that what was done is not lost. A
// read-only command only reports the error.
const ChangesAnnotation = "tokenctl_changes"

// Changes is the annotations of such a command (a map of its own).
func Changes() map[string]string { return map[string]string{ChangesAnnotation: "true"} }

// ChangesThings reports whether cmd changes things.
func ChangesThings(cmd *cobra.Command) bool {
	return cmd != nil && cmd.Annotations[ChangesAnnotation] == "true"
}

// ErrorMessage is the one line that reports err. Anything shaped like a
// token value is redacted: errors repeat what was typed, and cobra's and
// pflag's own (a bad --page-size, an unknown flag) quote the value as
// given, which may be a pasted secret.
func ErrorMessage(err error) string {
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	return redact.Secrets(OneLine(msg))
}

// IsCobraUsageError recognises the argument errors cobra produces itself.
func IsCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires exactly", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// OneLine folds s onto one line.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// ErrorLines is err as stderr shows it: one line per problem. Problems
// joined with errors.Join (config.Load reports every invalid setting at
// once) get a line each; any other message is one line.
func ErrorLines(err error) []string {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) && joined.(error).Error() == err.Error() {
		parts := joined.Unwrap()
		msgs := make([]string, len(parts))
		for i, e := range parts {
			msgs[i] = e.Error()
		}
		// Only errors.Join's own layout, one message per line, is split.
		if strings.Join(msgs, "\n") == err.Error() {
			var lines []string
			for _, e := range parts {
				lines = append(lines, ErrorLines(e)...)
			}
			return lines
		}
	}
	return []string{ErrorMessage(err)}
}

// SilentError carries an exit code for a failure already reported in full
// (per-token errors printed by the command).
type SilentError struct{ code exitcode.Code }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func ExitWith(code exitcode.Code) error {
	if code == exitcode.OK {
		return nil
	}
	return exitcode.New(code, &SilentError{code})
}
