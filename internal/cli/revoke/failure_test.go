package revoke

import (
	"slices"
	"testing"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// Each way revoke reports has a failure document with the keys of its
// success document, in the same order.
func TestRevokeFailureDocumentsShareTheirDocumentsKeys(t *testing.T) {
	for _, c := range []struct {
		name    string
		failure cmdutil.FailureDocumenter
		success any
	}{
		{"revoke", &RevokeOptions{}, revoke.NewReport(nil, false)},
		{"revoke --all-orgs", &RevokeOptions{Leaked: leakedTokenOptions{AllOrgs: true}}, AllOrgsReport{}},
		{"revoke --everywhere", &RevokeOptions{Leaked: leakedTokenOptions{Everywhere: true}}, EverywhereReport{}},
		{"revoke --from-scan", &RevokeOptions{Scan: scanOptions{File: "findings.json"}}, ScanReport{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, want := clitest.TopLevelKeys(t, c.failure.FailureDocument()), clitest.TopLevelKeys(t, c.success)
			if !slices.Equal(got, want) {
				t.Errorf("failure document keys %v\nsuccess document keys %v", got, want)
			}
		})
	}
}
