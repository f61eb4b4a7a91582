// Package policy is `tokenctl policy`: an organization's inactive-token
// revocation setting, shown and changed.
package policy

import (
	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
)

// NewCmdPolicy groups the commands about an organization's token policy.
func NewCmdPolicy(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Show an organization's automatic revocation of inactive tokens",
		Long: `An organization can have Buildkite revoke its access from API access tokens
that have not been used for a while (revokeInactiveTokensAfter: 30, 60, 90,
180 or 365 days, or never). These commands show that policy and what it
will do.`,
		Example: `  tokenctl policy show --org acme`,
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(NewCmdPolicyShow(f, nil), NewCmdPolicySet(f, nil))
	return cmd
}
