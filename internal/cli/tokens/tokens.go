// Package tokens is `tokenctl tokens`: an organization's tokens listed,
// one token shown, and one token's audit-log activity.
package tokens

import (
	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
)

// NewCmdTokens groups the commands that show an organization's tokens.
func NewCmdTokens(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: "List and inspect the API access tokens with access to an organization",
		Long: `Show the users' API access tokens that have access to an organization:
who owns them, what they may do, when they were last used and when they
expire. Listing tokens needs an administrator of the organization.

Find what to revoke with "tokens list" and its filters, then revoke the same
selection with "tokenctl revoke" and the same filters, or feed it the JSON
of "tokens list -o json" with --from-file.`,
		Example: `  tokenctl tokens list --org acme --stale 180d
  tokenctl tokens get --org acme 3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(NewCmdTokensList(f, nil), NewCmdTokensGet(f, nil), NewCmdTokensActivity(f, nil))
	return cmd
}
