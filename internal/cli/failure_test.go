package cli

import (
	"bytes"
	"encoding/json"
	checkCmd "github.com/tokenctl/tokenctl/internal/cli/check"
	historyCmd "github.com/tokenctl/tokenctl/internal/cli/history"
	settingsCmd "github.com/tokenctl/tokenctl/internal/cli/settings"
	"slices"
	"testing"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	policyCmd "github.com/tokenctl/tokenctl/internal/cli/policy"
	tokensCmd "github.com/tokenctl/tokenctl/internal/cli/tokens"
	whoamiCmd "github.com/tokenctl/tokenctl/internal/cli/whoami"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/history"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// A command's failure document has the keys of its success document, in
// the same order, so that a script reads both the same way.
func TestFailureDocumentsShareTheirDocumentsKeys(t *testing.T) {
	for _, c := range []struct {
		name    string
		failure cmdutil.FailureDocumenter
		success any
	}{
		{"revoke", &RevokeOptions{}, revoke.NewReport(nil, false)},
		{"revoke --all-orgs", &RevokeOptions{Leaked: leakedTokenOptions{AllOrgs: true}}, AllOrgsReport{}},
		{"revoke --everywhere", &RevokeOptions{Leaked: leakedTokenOptions{Everywhere: true}}, EverywhereReport{}},
		{"revoke --from-scan", &RevokeOptions{Scan: scanOptions{File: "findings.json"}}, ScanReport{}},
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
			got, want := topLevelKeys(t, c.failure.FailureDocument()), topLevelKeys(t, c.success)
			if !slices.Equal(got, want) {
				t.Errorf("failure document keys %v\nsuccess document keys %v", got, want)
			}
		})
	}
}

// topLevelKeys lists the keys of v's JSON object in order.
func topLevelKeys(t *testing.T, v any) []string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s is not a JSON object", data)
	}
	var keys []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
