package cli

import (
	"slices"
	"testing"

	checkCmd "github.com/tokenctl/tokenctl/internal/cli/check"
	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	historyCmd "github.com/tokenctl/tokenctl/internal/cli/history"
	settingsCmd "github.com/tokenctl/tokenctl/internal/cli/settings"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
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
	for _, c := range []struct {
		name    string
		failure cmdutil.FailureDocumenter
		success any
	}{
		{"tokens list", &tokensCmd.TokensListOptions{}, document.TokenList{}},
		{"tokens get", &tokensCmd.TokensGetOptions{}, document.TokenDetail{}},
		{"tokens activity", &tokensCmd.TokensActivityOptions{}, history.ActivityDoc{}},
		{"whoami", &whoamiCmd.WhoamiOptions{}, document.Whoami{}},
		{"policy show", &policyCmd.PolicyShowOptions{}, document.RevocationSetting{}},
		{"policy set", &policyCmd.PolicySetOptions{}, document.RevocationSettingChange{}},
		{"check", &checkCmd.CheckOptions{}, hygiene.Report{}},
		{"history", &historyCmd.HistoryOptions{}, history.HistoryDoc{}},
		{"history --reconcile", &historyCmd.HistoryOptions{Reconcile: "audit.log"}, history.ReconcileDoc{}},
		{"settings show", &settingsCmd.SettingsShowOptions{}, orgsettings.Reading{}},
		{"settings set", &settingsCmd.SettingsSetOptions{}, settingsCmd.SettingsSetReport{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, want := clitest.TopLevelKeys(t, c.failure.FailureDocument()), clitest.TopLevelKeys(t, c.success)
			if !slices.Equal(got, want) {
				t.Errorf("failure document keys %v\nsuccess document keys %v", got, want)
			}
		})
	}
}
