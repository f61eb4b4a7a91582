package cmdutil

import (
	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// OpenAuditLog opens the audit log when one is configured; a nil *audit.Log
// records nothing.
func OpenAuditLog(path string) (*audit.Log, error) {
	if path == "" {
		return nil, nil
	}
	l, err := audit.Open(path)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	return l, nil
}
