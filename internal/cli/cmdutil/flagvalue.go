package cmdutil

import (
	"fmt"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// FlagValueError is the usage error of a flag whose value arg could not be
// read, err saying why: the flag and the value (quoted safely, never a
// token) lead the message.
func FlagValueError(flag, arg string, err error) error {
	return exitcode.New(exitcode.Usage, fmt.Errorf("%s %s: %w", flag, redact.Quote(arg), err))
}
