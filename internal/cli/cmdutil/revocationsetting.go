package cmdutil

import (
	"fmt"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/inactivity"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// ParseSettingFlag reads a period flag.
func ParseSettingFlag(flag, arg string) (inactivity.Setting, error) {
	s, err := inactivity.ParseSetting(arg)
	if err != nil {
		return s, exitcode.New(exitcode.Usage, fmt.Errorf("%s %s: %w", flag, redact.Quote(arg), err))
	}
	return s, nil
}
