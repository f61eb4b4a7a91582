package cli

import (
	"testing"

	checkCmd "github.com/tokenctl/tokenctl/internal/cli/check"
	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	historyCmd "github.com/tokenctl/tokenctl/internal/cli/history"
	settingsCmd "github.com/tokenctl/tokenctl/internal/cli/settings"

	policyCmd "github.com/tokenctl/tokenctl/internal/cli/policy"
	tokensCmd "github.com/tokenctl/tokenctl/internal/cli/tokens"
	whoamiCmd "github.com/tokenctl/tokenctl/internal/cli/whoami"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/history"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
)

// A command's failure document has the keys of its success document, in
// the same order, so that a script reads both the same way.
func TestFailureDocumentsShareTheirDocumentsKeys(t *testing.T) {
	clitest.CheckFailureDocuments(t, []clitest.FailureCase{
		{Name: "tokens list", Failure: &tokensCmd.TokensListOptions{}, Success: document.TokenList{}},
		{Name: "tokens get", Failure: &tokensCmd.TokensGetOptions{}, Success: document.TokenDetail{}},
		{Name: "tokens activity", Failure: &tokensCmd.TokensActivityOptions{}, Success: history.ActivityDoc{}},
		{Name: "whoami", Failure: &whoamiCmd.WhoamiOptions{}, Success: document.Whoami{}},
		{Name: "policy show", Failure: &policyCmd.PolicyShowOptions{}, Success: document.RevocationSetting{}},
		{Name: "policy set", Failure: &policyCmd.PolicySetOptions{}, Success: document.RevocationSettingChange{}},
		{Name: "check", Failure: &checkCmd.CheckOptions{}, Success: hygiene.Report{}},
		{Name: "history", Failure: &historyCmd.HistoryOptions{}, Success: history.HistoryDoc{}},
		{Name: "history --reconcile", Failure: &historyCmd.HistoryOptions{Reconcile: "audit.log"}, Success: history.ReconcileDoc{}},
		{Name: "settings show", Failure: &settingsCmd.SettingsShowOptions{}, Success: orgsettings.Reading{}},
		{Name: "settings set", Failure: &settingsCmd.SettingsSetOptions{}, Success: settingsCmd.SettingsSetReport{}},
	})
}
