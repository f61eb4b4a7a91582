package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// quirkyHygieneHarness is the hygiene fixture (small: its hand-written
// part) served with opts' listing quirks, paged pageSize at a time.
func quirkyHygieneHarness(t *testing.T, small bool, opts emulator.Options, pageSize string) *harness {
	t.Helper()
	opts.Fixture = hygieneFixture(t, small)
	h := newHarness(t, opts)
	h.env["BUILDKITE_API_TOKEN"] = hygieneToken
	h.env["TOKENCTL_PAGE_SIZE"] = pageSize
	return h
}

// mutations counts the revocations the emulator was sent.
func mutations(h *harness) int {
	return h.srv.CountRequests(func(r emulator.Request) bool { return strings.Contains(r.Operation, "Revoke") })
}

// A listing with a hole in it (a null where the schema allows one, on a
// page after the first) is no listing of the organization: check does not
// pass or fail on the part it saw, writes no plan, and says why; tokens
// list does not present part of the list as the whole. Before, the tokens
// not shown were left out of the check, and the owners whose membership
// was not shown were judged not members.
func TestListingWithAHoleChecksNothing(t *testing.T) {
	for _, hole := range emulator.ListingHoles {
		t.Run(string(hole), func(t *testing.T) {
			h := quirkyHygieneHarness(t, false, emulator.Options{ListingHole: hole}, "7")
			plan := filepath.Join(t.TempDir(), "plan.json")
			r := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "--plan-out", plan, "-o", "json")
			if r.code != int(exitcode.Failure) {
				t.Fatalf("check: exit %d, want %d\n%s", r.code, exitcode.Failure, r)
			}
			mustContain(t, "stderr", r.stderr, `tokenctl: listing `, `of organization "hygiene": Buildkite's answer has `, "nothing is judged or revoked on part of a listing")
			if _, err := os.Stat(plan); !os.IsNotExist(err) {
				t.Errorf("a plan was written (%v)", err)
			}
			if !strings.HasPrefix(string(hole), "tokens-") {
				return
			}
			r = h.run("tokens", "list", "--org", "hygiene", "-o", "json")
			if r.code != int(exitcode.Failure) {
				t.Fatalf("tokens list: exit %d, want %d\n%s", r.code, exitcode.Failure, r)
			}
			mustContain(t, "stderr", r.stderr, `tokenctl: listing API access tokens of organization "hygiene": `, "the listing is incomplete")
		})
	}
}

// With several organizations, one whose listing has a hole is not checked
// (cause error) and the run is incomplete (exit 9), as for an
// organization that vanishes while it is listed.
func TestListingWithAHoleIsNotCheckedAmongOthers(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: et.MultiOrgFixture(t), ListingHole: emulator.HoleTokensNode})
	h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
	// Two tokens a page: acme's three take two pages, globex's two one.
	h.env["TOKENCTL_PAGE_SIZE"] = "2"
	r := h.run("check", "--org", "acme", "--org", "globex", "--policy", idlePolicy(t, "warn"), "-o", "json")
	if r.code != int(exitcode.Incomplete) {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.Incomplete, r)
	}
	rep := decodeCheckReport(t, r)
	if len(rep.Organizations) != 1 || rep.Organizations[0].Slug != "globex" || rep.Organizations[0].Tokens != 2 {
		t.Errorf("checked %+v, want globex and its 2 tokens", rep.Organizations)
	}
	if len(rep.NotChecked) != 1 || rep.NotChecked[0].Organization.Slug != "acme" || rep.NotChecked[0].Cause != revoke.CauseError ||
		!strings.Contains(rep.NotChecked[0].Reason, "a null in place of a token") {
		t.Errorf("not checked %+v, want acme with cause error", rep.NotChecked)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: acme: not checked: ")
}

// revoke --plan lists again before it revokes: a hole in that listing
// leaves the organization not checked, and nothing is sent. Before, a
// planned token was revoked on the part of the members (or tokens) shown.
func TestRevokePlanOnAListingWithAHoleSendsNothing(t *testing.T) {
	plain := newHygieneHarness(t, true)
	plan := planWith(t, plain, "version: 1\nrules:\n  - {rule: owner-inactive, after: 180d, severity: revoke}\n", hLeaverToken)
	for _, hole := range emulator.ListingHoles {
		t.Run(string(hole), func(t *testing.T) {
			h := quirkyHygieneHarness(t, true, emulator.Options{ListingHole: hole}, "2")
			r := h.run("revoke", "--plan", plan, "--yes", "--no-cache", "-o", "json")
			res := onlyResult(t, r)
			if r.code != int(exitcode.Incomplete) || res.Status != revoke.StatusNotChecked || res.Error == nil ||
				!strings.Contains(*res.Error, "nothing is judged or revoked on part of a listing") {
				t.Errorf("want not-checked, exit %d:\n%s", exitcode.Incomplete, r)
			}
			if n := mutations(h); n != 0 || !h.srv.TokenHasOrg(hLeaverToken, "hygiene") {
				t.Errorf("%d revocations sent", n)
			}
		})
	}
}

// A token listed twice with different data (repeated on a later page,
// used and described anew since) makes the listing untrustworthy: check
// names the token and checks nothing, and revoke --plan, which lists to
// the last page even when the planned tokens come first, marks the
// organization not checked and sends nothing. Before, the first copy was
// kept silently: check judged it, and a plan was carried out on it.
func TestListingRepeatingATokenDifferentlyIsNotTrusted(t *testing.T) {
	later := func() time.Time { return fixedNow.Add(time.Hour) }
	h := quirkyHygieneHarness(t, false, emulator.Options{RepeatChanged: true, Now: later}, "7")
	plan := filepath.Join(t.TempDir(), "plan.json")
	r := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "--plan-out", plan, "-o", "json")
	if r.code != int(exitcode.Failure) {
		t.Fatalf("check: exit %d, want %d\n%s", r.code, exitcode.Failure, r)
	}
	// The members repeat one too: whichever listing meets its repeat first
	// fails the organization.
	mustContain(t, "stderr", r.stderr, `of organization "hygiene": Buildkite listed `, "twice, and the two copies differ")
	if _, err := os.Stat(plan); !os.IsNotExist(err) {
		t.Errorf("a plan was written (%v)", err)
	}

	// The planned token is on the first page, and the second page repeats
	// it, changed: revoke --plan must list on to see that.
	plain := quirkyHygieneHarness(t, true, emulator.Options{Now: later}, "2")
	planned := planWith(t, plain, "version: 1\nrules:\n  - {rule: idle, after: 365d, severity: revoke}\n"+
		"exceptions:\n  - {token: "+hExcepted+", reason: kept, until: 2099-12-31}\n  - {token: "+hAbandoned+", reason: kept, until: 2099-12-31}\n", hIdleYear)
	h = quirkyHygieneHarness(t, true, emulator.Options{RepeatChanged: true, Now: later}, "2")
	for _, dry := range []bool{true, false} {
		args := []string{"revoke", "--plan", planned, "--yes", "--no-cache", "-o", "json"}
		if dry {
			args = append(args, "--dry-run")
		}
		r = h.run(args...)
		res := onlyResult(t, r)
		if r.code != int(exitcode.Incomplete) || res.Status != revoke.StatusNotChecked || res.Error == nil ||
			!strings.Contains(*res.Error, "Buildkite listed token "+hIdleYear+" twice, and the two copies differ") {
			t.Errorf("dry run %v: want not-checked naming %s, exit %d:\n%s", dry, hIdleYear, exitcode.Incomplete, r)
		}
	}
	if n := mutations(h); n != 0 || !h.srv.TokenHasOrg(hIdleYear, "hygiene") {
		t.Errorf("%d revocations sent", n)
	}
}

// A revocation by name needs the listing only until it has seen the named
// tokens: one the page with a hole does show is revoked, but one the hole
// may hide is never reported not found (which scripts read as "already
// done"): the run fails, and nothing is sent.
func TestRevokeOnAListingWithAHole(t *testing.T) {
	// Two tokens a page: the second page is the third token listed (its
	// node null) and the fourth.
	order := decodeTokenList(t, newHygieneHarness(t, true).run("tokens", "list", "--org", "hygiene", "-o", "json")).Tokens
	hidden, shown := order[2].UUID, order[3].UUID
	const caller = "c1000000-0000-4000-8000-000000000001" // hygieneToken
	if hidden == caller || shown == caller {
		t.Fatal("the test needs tokens other than the caller's")
	}
	h := quirkyHygieneHarness(t, true, emulator.Options{ListingHole: emulator.HoleTokensNode}, "2")
	r := h.run("revoke", "--org", "hygiene", "--token", shown, "--yes", "--no-cache", "-o", "json")
	if res := onlyResult(t, r); r.code != int(exitcode.OK) || res.Status != revoke.StatusRevoked {
		t.Errorf("the fourth token listed: want revoked, exit 0:\n%s", r)
	}
	r = h.run("revoke", "--org", "hygiene", "--token", hidden, "--yes", "--no-cache", "-o", "json")
	if r.code != int(exitcode.Failure) {
		t.Errorf("the hidden token: exit %d, want %d\n%s", r.code, exitcode.Failure, r)
	}
	mustContain(t, "stderr", r.stderr, "a null in place of a token")
	if n := mutations(h); n != 1 || !h.srv.TokenHasOrg(hidden, "hygiene") {
		t.Errorf("%d revocations sent, want 1 (the fourth token)", n)
	}
}
