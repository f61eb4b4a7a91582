package cli

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// A server may repeat a token on a later page of a listing (tokens created
// while it is paged). check judges it once and counts it once, and tokens
// list lists it once: the emulator here starts every page after the first
// with the last token of the page before.
func TestListingsRepeatingATokenAcrossPagesCountItOnce(t *testing.T) {
	plain := newHygieneHarness(t, false)
	repeating := newHarness(t, emulator.Options{Fixture: hygieneFixture(t, false), RepeatAcrossPages: true})
	repeating.env["BUILDKITE_API_TOKEN"] = hygieneToken
	repeating.env["TOKENCTL_PAGE_SIZE"] = "7"

	want := decodeCheckReport(t, plain.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "json"))
	r := repeating.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "json")
	if r.code != int(exitcode.Findings) {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitcode.Findings, r)
	}
	got := decodeCheckReport(t, r)
	seen := map[string]bool{}
	for _, f := range got.Findings {
		key := strings.Join([]string{f.Organization, f.Rule, f.Token.UUID}, " ")
		if seen[key] {
			t.Errorf("finding %s reported twice", key)
		}
		seen[key] = true
	}
	if len(got.Findings) != len(want.Findings) {
		t.Errorf("%d findings, want %d", len(got.Findings), len(want.Findings))
	}
	if len(got.Organizations) != 1 || got.Organizations[0].Tokens != want.Organizations[0].Tokens || got.Summary.Tokens != want.Summary.Tokens {
		t.Errorf("tokens counted: organizations %+v, summary %d; want %d", got.Organizations, got.Summary.Tokens, want.Summary.Tokens)
	}
	if !reflect.DeepEqual(got.Summary.ByRule, want.Summary.ByRule) {
		t.Errorf("summary.byRule = %+v, want %+v", got.Summary.ByRule, want.Summary.ByRule)
	}

	list := decodeTokenList(t, repeating.run("tokens", "list", "--org", "hygiene", "-o", "json"))
	listed := map[string]int{}
	for _, tok := range list.Tokens {
		listed[tok.UUID]++
	}
	for uuid, n := range listed {
		if n != 1 {
			t.Errorf("tokens list lists %s %d times", uuid, n)
		}
	}
	if len(list.Tokens) != want.Summary.Tokens {
		t.Errorf("tokens list lists %d tokens, want %d", len(list.Tokens), want.Summary.Tokens)
	}
}
