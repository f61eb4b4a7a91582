package cli

import (
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/hygiene"
)

// The default policy on the demo organization reads as a review of a real
// one: its members were seen recently, so no token is flagged for an
// owner never seen, least of all the token the check runs with; what is
// left is the stale hackathon token holding admin scopes (the one error),
// idle and never-used tokens, and notes. The Markdown is kept as a golden
// file, so a change to the demo's story is seen in review.
func TestCheckDemoOrganizationReadsAsAReview(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: emulator.DemoFixture()})
	r := h.run("check", "--org", "acme", "-o", "json")
	if r.code != int(exitcode.Findings) {
		t.Fatalf("exit %d, want 8 (the hackathon token's admin scopes)\n%s", r.code, r)
	}
	rep := decodeCheckReport(t, r)
	if rep.Organizations[0].Members == nil || *rep.Organizations[0].Members < 5 {
		t.Errorf("members = %v, want the demo's five", rep.Organizations[0].Members)
	}
	var errors []string
	for _, f := range rep.Findings {
		if f.Kind == hygiene.KindOwnerInactive {
			t.Errorf("%s (%s): %s: every owner of a demo token was seen recently", f.Token.UUID, description(f), f.Message)
		}
		if f.Token.UUID == et.DemoTokenUUID && f.Severity.Failing() {
			t.Errorf("the token the check runs with fails it: %s: %s", f.Rule, f.Message)
		}
		if f.Severity.Failing() {
			errors = append(errors, f.Token.UUID+" "+f.Rule)
		}
	}
	if strings.Join(errors, ",") != "77777777-7777-4777-8777-777777777777 admin-scopes-held-by-member" {
		t.Errorf("failing findings %v, want the hackathon token's admin scopes alone", errors)
	}
	md := h.run("check", "--org", "acme", "-o", "markdown")
	golden(t, "check.demo.markdown.golden", md.stdout)
}

func description(f hygiene.Finding) string {
	if f.Token.Description == nil {
		return ""
	}
	return *f.Token.Description
}
