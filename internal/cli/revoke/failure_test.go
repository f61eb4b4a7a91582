package revoke

import (
	"testing"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// Each way revoke reports has a failure document with the keys of its
// success document, in the same order.
func TestRevokeFailureDocumentsShareTheirDocumentsKeys(t *testing.T) {
	clitest.CheckFailureDocuments(t, []clitest.FailureCase{
		{Name: "revoke", Failure: &RevokeOptions{}, Success: revoke.NewReport(nil, false)},
		{Name: "revoke --all-orgs", Failure: &RevokeOptions{Leaked: leakedTokenOptions{AllOrgs: true}}, Success: AllOrgsReport{}},
		{Name: "revoke --everywhere", Failure: &RevokeOptions{Leaked: leakedTokenOptions{Everywhere: true}}, Success: EverywhereReport{}},
		{Name: "revoke --from-scan", Failure: &RevokeOptions{Scan: scanOptions{File: "findings.json"}}, Success: ScanReport{}},
	})
}
