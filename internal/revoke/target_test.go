package revoke

import "testing"

// Whether a run nobody can be asked about needs --yes follows from its
// targets' evidence alone, whatever way in produced them.
func TestNeedsYesFollowsTheEvidence(t *testing.T) {
	for _, c := range []struct {
		ev      Evidence
		reached bool
		want    bool
	}{
		{EvidenceNamed, false, false}, {EvidenceListed, false, false}, {EvidenceValue, false, false},
		{EvidenceValue, true, true}, {EvidenceFilter, false, true}, {EvidenceScan, false, true}, {EvidencePolicy, false, true},
		{"", false, true}, // a way in that gives no evidence is a selection
	} {
		plan := &Plan{Reached: c.reached, Items: []*Item{{Evidence: EvidenceNamed}, {Evidence: c.ev}}}
		if got := NeedsYes([]*Plan{plan}); got != c.want {
			t.Errorf("%s (reached %v): needs --yes = %v, want %v", c.ev, c.reached, got, c.want)
		}
		plan.Items[1].Status = StatusRefused // only what is to be sent counts
		if NeedsYes([]*Plan{plan}) != c.reached {
			t.Errorf("%s (reached %v): only the targets to be sent count", c.ev, c.reached)
		}
	}
}
