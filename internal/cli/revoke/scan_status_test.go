package revoke

import (
	"testing"

	"github.com/tokenctl/tokenctl/internal/revoke"
)

// A secret's status sums up its organizations' results without claiming
// more than they do: an unsettled revocation is unknown, never failed.
func TestStatusOfScannedSecret(t *testing.T) {
	rs := func(statuses ...revoke.Status) []revoke.Result {
		var out []revoke.Result
		for _, s := range statuses {
			out = append(out, revoke.Result{Status: s})
		}
		return out
	}
	for _, c := range []struct {
		name    string
		results []revoke.Result
		want    string
	}{
		{"none", nil, string(revoke.StatusNotFound)},
		{"all revoked", rs(revoke.StatusRevoked, revoke.StatusRevoked), string(revoke.StatusRevoked)},
		{"revoked and failed", rs(revoke.StatusRevoked, revoke.StatusFailed), revoke.StatusPartial},
		{"revoked and unknown", rs(revoke.StatusRevoked, revoke.StatusUnknown), revoke.StatusPartial},
		{"all unknown", rs(revoke.StatusUnknown), string(revoke.StatusUnknown)},
		{"unknown and failed", rs(revoke.StatusFailed, revoke.StatusUnknown), string(revoke.StatusUnknown)},
		{"all failed", rs(revoke.StatusFailed, revoke.StatusFailed), string(revoke.StatusFailed)},
	} {
		if got := revoke.SecretStatus(c.results); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	var s ScanSummary
	countScanStatus(&s, string(revoke.StatusUnknown))
	if s.Unknown != 1 || s.Failed != 0 {
		t.Errorf("an unknown secret counted as %+v", s)
	}
}
