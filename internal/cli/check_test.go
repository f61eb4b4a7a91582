package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	checkCmd "github.com/tokenctl/tokenctl/internal/cli/check"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/hygiene"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// Fake emulator credentials from the hygiene fixture.
const (
	hygieneToken     = "bkua_hygiene000000000000000000000000000000000"
	hygieneIdleToken = "bkua_hygieneidle0000000000000000000000000000"
	hygienePolicy    = "../hygiene/testdata/hygiene-policy.yaml"
)

// Hand-written tokens of the hygiene fixture.
const (
	hIdleYear   = "c1000000-0000-4000-8000-000000000002"
	hIdle       = "c1000000-0000-4000-8000-000000000003"
	hNeverUsed  = "c1000000-0000-4000-8000-000000000004"
	hForever    = "c1000000-0000-4000-8000-000000000005"
	hLongLived  = "c1000000-0000-4000-8000-000000000006"
	hExpiring   = "c1000000-0000-4000-8000-000000000007"
	hAdminScope = "c1000000-0000-4000-8000-000000000008"
	hLeaver     = "c1000000-0000-4000-8000-000000000009"
	hNo2FA      = "c1000000-0000-4000-8000-00000000000a"
	hGraphQL    = "c1000000-0000-4000-8000-00000000000b"
	hBot        = "c1000000-0000-4000-8000-00000000000c"
	hExcepted   = "c1000000-0000-4000-8000-00000000000d"
	hBreakGlass = "c1000000-0000-4000-8000-00000000000e"
	hLapsed     = "c1000000-0000-4000-8000-00000000000f"
	hAbandoned  = "c1000000-0000-4000-8000-000000000010"
)

// hygieneFixture is the hygiene seed; small keeps only its hand-written
// users and tokens, for golden files a person can read.
func hygieneFixture(t *testing.T, small bool) *emulator.Fixture {
	t.Helper()
	f, err := emulator.BuiltinFixture("hygiene")
	if err != nil {
		t.Fatal(err)
	}
	if small {
		f.Users, f.Tokens = f.Users[:6], f.Tokens[:16]
		f.Organizations[0].Members = f.Organizations[0].Members[:6]
	}
	return f
}

func newHygieneHarness(t *testing.T, small bool) *harness {
	t.Helper()
	h := newHarness(t, emulator.Options{Fixture: hygieneFixture(t, small)})
	h.env["BUILDKITE_API_TOKEN"] = hygieneToken
	return h
}

func decodeCheckReport(t *testing.T, r result) hygiene.Report {
	t.Helper()
	var rep hygiene.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("decoding the report: %v\n%s", err, r)
	}
	return rep
}

// findings maps token uuid to "rule:status" of each of its findings.
func findingsByToken(rep hygiene.Report) map[string][]string {
	out := map[string][]string{}
	for _, f := range rep.Findings {
		s := f.Rule + ":" + f.Status
		if f.Bot {
			s += ":bot"
		}
		if f.Exception != nil && f.Exception.Expired {
			s += ":exception-expired"
		}
		out[f.Token.UUID] = append(out[f.Token.UUID], s)
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// Every rule of the example policy finds the token written to break it,
// over the wire; exceptions hide (active) or do not (expired); bots apart.
func TestCheckFindsEachRule(t *testing.T) {
	h := newHygieneHarness(t, true)
	r := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "json")
	if r.code != int(exitcode.Findings) {
		t.Fatalf("exit %d, want %d (findings)\n%s", r.code, exitcode.Findings, r)
	}
	got := findingsByToken(decodeCheckReport(t, r))
	want := map[string][]string{
		hIdleYear:   {"idle-a-year:open", "idle:open", "lifetime:open"},
		hIdle:       {"idle:open"},
		hNeverUsed:  {"never-used:open"},
		hForever:    {"lifetime:open"},
		hLongLived:  {"lifetime:open"},
		hExpiring:   {"expiring:open"},
		hAdminScope: {"admin-scopes-held-by-member:open"},
		hLeaver:     {"owner-inactive:open"},
		hNo2FA:      {"owner-no-2fa:open"},
		hGraphQL:    {"owner-not-admin:open"},
		hBot:        {"idle:open:bot", "lifetime:open:bot", "owner-no-2fa:open:bot"},
		hExcepted:   {"idle-a-year:excepted", "idle:excepted", "lifetime:excepted"},
		hBreakGlass: {"lifetime:excepted"},
		hLapsed:     {"idle:open:exception-expired"},
		hAbandoned:  {"idle-a-year:open", "idle:open", "lifetime:open"},
	}
	for _, w := range []map[string][]string{want} {
		for tok, rules := range w {
			if !slices.Equal(got[tok], rules) {
				t.Errorf("token %s: findings %v, want %v", tok, got[tok], rules)
			}
		}
	}
	for tok := range got {
		if _, ok := want[tok]; !ok {
			t.Errorf("token %s: unexpected findings %v", tok, got[tok])
		}
	}
}

// Only rules that need members make the check list them, alongside the
// tokens; without such rules no member is read.
func TestCheckListsMembersOnlyWhenNeeded(t *testing.T) {
	dir := t.TempDir()
	noOwners := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(noOwners, []byte("version: 1\nrules:\n  - {rule: lifetime, severity: info}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHygieneHarness(t, false)
	if r := h.run("check", "--org", "hygiene", "--policy", noOwners, "-o", "json"); r.code != 0 {
		t.Fatalf("info findings only, yet exit %d\n%s", r.code, r)
	}
	if n := h.requests("OrganizationMembersBySlug"); n != 0 {
		t.Errorf("%d member listings for a policy without owner rules", n)
	}
	if r := h.run("check", "--org", "hygiene", "--page-size", "100", "-o", "json"); r.code != int(exitcode.Findings) {
		t.Fatalf("default policy: exit %d\n%s", r.code, r)
	}
	// 256 tokens in pages of 100, 66 members in one page, at once.
	if n, m := h.requests("OrganizationTokensBySlug"), h.requests("OrganizationMembersBySlug"); n != 4 || m != 1 {
		t.Errorf("%d token pages (want 1 + 3) and %d member pages (want 1)", n, m)
	}
}

// Tokens are judged page by page as they arrive, in pages that come
// before the members are in and after: whatever the page size, the report
// is the same, byte for byte, findings in the same order and exceptions
// counted once.
func TestCheckPageSizeDoesNotChangeTheReport(t *testing.T) {
	exceptions := filepath.Join(t.TempDir(), "exceptions.yaml")
	if err := os.WriteFile(exceptions, []byte("version: 1\nexceptions:\n  - {owner: mo@hygiene.example, reason: r, until: 2099-01-01}\n  - {description: '.', rules: [lifetime], reason: r, until: 2000-01-01}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHygieneHarness(t, false)
	want := h.run("check", "--org", "hygiene", "--exceptions", exceptions, "-o", "json")
	if want.code != int(exitcode.Findings) {
		t.Fatalf("exit %d\n%s", want.code, want)
	}
	rep := decodeCheckReport(t, want)
	if len(rep.Findings) < 100 || rep.ExceptionsApplied[0].Findings == 0 || rep.ExceptionsApplied[1].Findings == 0 {
		t.Fatalf("the fixture judges too little to tell: %d findings, exceptions %+v", len(rep.Findings), rep.ExceptionsApplied)
	}
	for _, size := range []string{"1", "7", "100"} {
		got := h.run("check", "--org", "hygiene", "--exceptions", exceptions, "--page-size", size, "-o", "json")
		if got.code != want.code || got.stdout != want.stdout {
			t.Errorf("--page-size %s: exit %d, and the report differs from one listed in a single page: %v", size, got.code, got.stdout != want.stdout)
		}
	}
}

func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	warnOnly := write("warn.yaml", "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n")
	errorIdle := write("error.yaml", "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: error}\n")
	excepted := write("exceptions.yaml", "version: 1\nexceptions:\n"+
		"  - {owner: mo@hygiene.example, reason: r, until: 2099-01-01}\n  - {owner: eve@hygiene.example, reason: r, until: 2099-01-01}\n"+
		"  - {owner: bot@hygiene.example, reason: r, until: 2099-01-01}\n")
	bad := write("bad.yaml", "version: 1\nrules:\n  - rule: idle\n    afterr: 90d\n")
	h := newHygieneHarness(t, true)
	tests := []struct {
		name string
		args []string
		code exitcode.Code
		err  string
	}{
		{"warnings only", []string{"--policy", warnOnly}, exitcode.OK, ""},
		{"errors", []string{"--policy", errorIdle}, exitcode.Findings, ""},
		{"errors all excepted", []string{"--policy", errorIdle, "--exceptions", excepted}, exitcode.OK, ""},
		{"bad policy", []string{"--policy", bad}, exitcode.Usage, "--policy " + bad + ": line 4: field afterr not found in a rule"},
		{"missing policy", []string{"--policy", filepath.Join(dir, "none.yaml")}, exitcode.Usage, "cannot read it"},
		{"markdown elsewhere", nil, exitcode.Usage, ""},
		{"unknown organization", []string{"--org", "nope"}, exitcode.NotFound, `organization "nope" not found`},
		{"all-orgs with org", []string{"--all-orgs"}, exitcode.Usage, "--all-orgs checks every organization"},
		{"yaml", []string{"-o", "yaml"}, exitcode.Usage, "--output yaml: this command prints table, json, csv or markdown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"check", "--org", "hygiene"}, tt.args...)
			if tt.name == "markdown elsewhere" {
				args = []string{"tokens", "list", "--org", "hygiene", "-o", "markdown"}
				tt.err = "--output markdown: this command prints table, wide, json, yaml or csv"
			}
			r := h.run(args...)
			if r.code != int(tt.code) || !strings.Contains(r.stderr, tt.err) {
				t.Errorf("exit %d, want %d; stderr should contain %q\n%s", r.code, tt.code, tt.err, r)
			}
			if tt.code == exitcode.Usage && strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
				t.Errorf("a usage error takes more than a line and its hint:\n%s", r.stderr)
			}
		})
	}
}

// Every output format of the small hygiene organization, as golden files.
func TestCheckGoldenFormats(t *testing.T) {
	h := newHygieneHarness(t, true)
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		r := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", format)
		if r.code != int(exitcode.Findings) || r.stderr != "" {
			t.Fatalf("-o %s: %s", format, r)
		}
		golden(t, "check."+format+".golden", r.stdout)
	}
	r := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "--jq", `.findings[] | select(.severity == "revoke" and .status == "open") | .token.uuid`)
	if strings.TrimSpace(r.stdout) != hIdleYear+"\n"+hAbandoned {
		t.Errorf("--jq: %s", r)
	}
	r = h.run("check", "--print-default-policy")
	if r.code != 0 || r.stdout != string(hygiene.DefaultPolicyYAML) {
		t.Errorf("--print-default-policy: %s", r)
	}
}

// --compare against the last report: a token used since is resolved, a
// newly idle one is new, the rest unchanged.
func TestCheckCompare(t *testing.T) {
	h := newHygieneHarness(t, true)
	dir := t.TempDir()
	prev := filepath.Join(dir, "prev.json")
	r := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "json")
	if err := os.WriteFile(prev, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	// The idle token is used (its owner runs the old script once more).
	if resp := h.srv.Do(t, "GET", "/v2/access-token", hygieneIdleToken, nil); resp.Status != 200 {
		t.Fatalf("using the token: %d %s", resp.Status, resp.Body)
	}
	r = h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "json", "--compare", prev)
	rep := decodeCheckReport(t, r)
	changes := map[string]int{}
	for _, f := range rep.Findings {
		changes[*f.Change]++
		if f.Token.UUID == hIdleYear && f.Kind == hygiene.KindIdle && *f.Change != hygiene.ChangeResolved {
			t.Errorf("%s/%s: %s, want resolved", f.Token.UUID, f.Rule, *f.Change)
		}
	}
	if changes[hygiene.ChangeResolved] != 2 || changes[hygiene.ChangeNew] != 0 || changes[hygiene.ChangeUnchanged] != len(rep.Findings)-2 {
		t.Errorf("changes %v", changes)
	}
	md := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "markdown", "--compare", prev)
	mustContain(t, "markdown", md.stdout, "since the last report: 0 new, 2 resolved", "#### Resolved since the last report (2)")
	if bad := h.run("check", "--org", "hygiene", "--compare", hygienePolicy); bad.code != int(exitcode.Usage) || !strings.Contains(bad.stderr, "not a tokenctl check JSON report") {
		t.Errorf("--compare with a policy file: %s", bad)
	}
}

// --all-orgs checks every organization the token reaches and lists those
// it may not read as not checked, without failing the run for them.
func TestCheckAllOrgs(t *testing.T) {
	h := newHarness(t, emulator.Options{Fixture: et.MultiOrgFixture(t)})
	h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
	r := h.run("check", "--all-orgs", "-o", "json")
	if r.code != 0 && r.code != int(exitcode.Findings) {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	rep := decodeCheckReport(t, r)
	var slugs []string
	for _, o := range rep.Organizations {
		slugs = append(slugs, o.Slug)
	}
	if strings.Join(slugs, ",") != "acme,globex" {
		t.Errorf("checked %v, want acme and globex", slugs)
	}
	if len(rep.NotChecked) != 1 || rep.NotChecked[0].Organization.Slug != et.MultiOrgMemberOnlyOrg || rep.NotChecked[0].Cause != revoke.CauseNotPermitted {
		t.Errorf("notChecked = %+v", rep.NotChecked)
	}
	if rep.NotListed != 0 {
		t.Errorf("notListed = %d, want 0: Buildkite listed every organization", rep.NotListed)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: initech: not checked: ", "administrator")
}

// When Buildkite lists fewer of the caller's organizations than it counts,
// even from both ends, the check says how many it never saw and a clean
// report exits 9, not 0, as it does for organizations it could not check.
func TestCheckAllOrgsIncomplete(t *testing.T) {
	policy := filepath.Join(t.TempDir(), "warn.yaml")
	if err := os.WriteFile(policy, []byte("version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		max       int
		notListed int
		code      exitcode.Code
	}{
		// The first 100 and the last 100 are all 106, but two of them are
		// not checked (hooli not granted, initech only a member): a clean
		// report is no clean bill for them.
		{100, 0, exitcode.Incomplete},
		{40, et.ManyOrgsCount - 80, exitcode.Incomplete},
	} {
		h, _ := manyOrgsHarness(t, emulator.Options{MaxViewerOrganizations: tt.max})
		r := h.run("check", "--all-orgs", "--policy", policy, "-o", "json")
		if exitcode.Code(r.code) != tt.code {
			t.Fatalf("at most %d organizations an answer: exit %d, want %d\n%s", tt.max, r.code, tt.code, r)
		}
		rep := decodeCheckReport(t, r)
		if rep.NotListed != tt.notListed || len(rep.Organizations) != et.ManyOrgsCount-tt.notListed-2 {
			t.Errorf("at most %d organizations an answer: notListed %d, %d checked; want %d and %d", tt.max, rep.NotListed, len(rep.Organizations), tt.notListed, et.ManyOrgsCount-tt.notListed-2)
		}
		if tt.notListed > 0 {
			mustContain(t, "stderr", r.stderr, fmt.Sprintf("Buildkite counts %d more organization(s) of yours than it listed", tt.notListed))
		}
	}
}

// Flags become options without a request: several organizations, the
// policy files read, and the combinations refused.
func TestCheckFlags(t *testing.T) {
	tests := []struct {
		args []string
		orgs string
		err  string
	}{
		{[]string{"--org", "acme", "--org", "globex"}, "acme,globex", ""},
		{[]string{"--org", "acme", "--policy", hygienePolicy}, "acme", ""},
		{[]string{"--all-orgs"}, "", ""},
		{[]string{"--org", "acme", "--org", "bkua_0123456789012345678901234567890123456789"}, "", "looks like"},
		{[]string{"--print-default-policy"}, "", ""},
		{[]string{"--org", "acme", "--policy", "-", "--exceptions", "-"}, "", "--policy - and --exceptions - both want standard input"},
		{[]string{"--policy", hygienePolicy}, "", "organization"},
	}
	for _, tt := range tests {
		ios, _, errOut := iostreams.Test("")
		clitest.SetEnv(t, nil)
		f := &cmdutil.Factory{IO: ios, Now: func() time.Time { return fixedNow }}
		var got *checkCmd.CheckOptions
		cmd := checkCmd.NewCmdCheck(f, func(_ context.Context, o *checkCmd.CheckOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		cmd.SetOut(ios.Out)
		cmd.SetErr(ios.ErrOut)
		err := cmd.Execute()
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: err = %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || got == nil {
			t.Errorf("%v: %v %s", tt.args, err, errOut)
			continue
		}
		var orgs []string
		for _, o := range got.Orgs {
			orgs = append(orgs, o.String())
		}
		if strings.Join(orgs, ",") != tt.orgs || (got.Policy == nil) != got.PrintDefaultPolicy {
			t.Errorf("%v: orgs %v, policy %v", tt.args, orgs, got.Policy != nil)
		}
	}
}
