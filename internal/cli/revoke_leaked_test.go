package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	revokeCmd "github.com/tokenctl/tokenctl/internal/cli/revoke"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/audit/audittest"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// leakedValueFile writes a token value to a private file, as a user would
// save one found in a log.
func leakedValueFile(t *testing.T, value string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "leaked-token")
	if err := os.WriteFile(p, []byte(value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// fixtureValue is the secret value of a fixture's token.
func fixtureValue(t *testing.T, f *emulator.Fixture, uuid string) string {
	t.Helper()
	for _, tok := range f.Tokens {
		if tok.UUID == uuid {
			return tok.Value
		}
	}
	t.Fatalf("no token %s in the fixture", uuid)
	return ""
}

// runLeaked runs tokenctl and fails the test if the leaked value shows up
// in anything it printed.
func (h *harness) runLeaked(value string, tty bool, input string, args ...string) result {
	h.t.Helper()
	r := h.exec(tty, input, args...)
	for where, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		if strings.Contains(text, value) {
			h.t.Errorf("the leaked value appears on %s:\n%s", where, text)
		}
	}
	return r
}

// readAudit returns the audit log's records, failing if it holds the value.
func readAudit(t *testing.T, path, value string) []audit.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), value) {
		t.Errorf("the audit log holds the leaked value:\n%s", data)
	}
	return audittest.Records(t, path)
}

func TestLeakedTokenRevokedFromOneOrganization(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		value := et.CIDeployBotToken
		auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
		r := h.runLeaked(value, false, "", "revoke", "--org", "acme", "--token-value-file", leakedValueFile(t, value),
			"-o", "json", "--audit-log", auditPath, "--debug")
		if r.code != 0 {
			t.Fatalf("revoke failed:\n%s", r)
		}
		rep := decodeReport(t, r)
		if len(rep.Results) != 1 {
			t.Fatalf("want 1 result:\n%s", r.stdout)
		}
		res := rep.Results[0]
		if res.Status != revoke.StatusRevoked || res.Requested != et.CIDeployBotUUID || deref(res.Token.UUID) != et.CIDeployBotUUID || deref(res.Organization.Slug) != "acme" {
			t.Errorf("result = %+v", res)
		}
		if h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") || !h.srv.TokenHasOrg(et.CIDeployBotUUID, "globex") {
			t.Error("want acme's access revoked and globex's kept")
		}
		// The trace was written (so the check above had something to check),
		// and the lookup was made with the value as the credential.
		mustContain(t, "debug trace", r.stderr, "GET "+h.srv.RESTEndpoint+"/v2/access-token", "Authorization: Bearer [redacted]", "RevokeAPIAccessToken")
		if n := h.requests("GET /v2/access-token"); n != 2 {
			t.Errorf("REST lookups = %d, want 2 (the leaked value, then tokenctl's own token)", n)
		}
		recs := readAudit(t, auditPath, value)
		if len(recs) != 2 || recs[0].Event != audit.EventIntent || recs[1].Result != string(revoke.StatusRevoked) || recs[1].Token.UUID != et.CIDeployBotUUID {
			t.Errorf("audit records = %+v", recs)
		}
	})
}

func TestLeakedTokenFromStandardInput(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.runLeaked(et.CIDeployBotToken, false, et.CIDeployBotToken+"\n", "revoke", "--org", "acme", "--token-value-file", "-", "--jq", ".results[].status")
	if r.code != 0 || r.stdout != "revoked\n" {
		t.Fatalf("revoke from stdin:\n%s", r)
	}
}

func TestLeakedTokenAllOrgs(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		fx := et.MultiOrgFixture(t)
		h := newHarness(t, emulator.Options{IDFormat: format, Fixture: fx})
		h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
		// A default organization must not narrow --all-orgs.
		h.env["BUILDKITE_ORGANIZATION_SLUG"] = "acme"
		value := fixtureValue(t, fx, et.SharedCITokenUUID)
		auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
		r := h.runLeaked(value, false, "", "revoke", "--all-orgs", "--yes", "--token-value-file", leakedValueFile(t, value), "-o", "json", "--audit-log", auditPath)
		// Revoked in acme and globex; initech, where the caller is only a
		// member, could not be looked in, so the run is incomplete.
		if exitcode.Code(r.code) != exitcode.Incomplete {
			t.Fatalf("revoke --all-orgs: want exit %d (initech not checked)\n%s", exitcode.Incomplete, r)
		}
		var rep revokeCmd.AllOrgsReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("stdout: %v\n%s", err, r.stdout)
		}
		if len(rep.Results) != 2 || deref(rep.Results[0].Organization.Slug) != "acme" || deref(rep.Results[1].Organization.Slug) != "globex" {
			t.Fatalf("want one result for acme and one for globex:\n%s", r.stdout)
		}
		for _, res := range rep.Results {
			if res.Status != revoke.StatusRevoked || res.Requested != et.SharedCITokenUUID {
				t.Errorf("result = %+v", res)
			}
		}
		if rep.Summary.Requested != 2 || rep.Summary.Revoked != 2 {
			t.Errorf("summary = %+v", rep.Summary)
		}
		if len(rep.NotChecked) != 1 || deref(rep.NotChecked[0].Organization.Slug) != et.MultiOrgMemberOnlyOrg ||
			!strings.Contains(rep.NotChecked[0].Reason, "administrator") {
			t.Errorf("notChecked = %+v", rep.NotChecked)
		}
		for _, org := range []string{"acme", "globex"} {
			if h.srv.TokenHasOrg(et.SharedCITokenUUID, org) {
				t.Errorf("Shared CI still has access to %s", org)
			}
		}
		if !h.srv.TokenHasOrg(et.SharedCITokenUUID, et.MultiOrgMemberOnlyOrg) {
			t.Error("initech changed although the caller does not administer it")
		}
		mustContain(t, "stderr", r.stderr, `tokenctl: initech: not checked: listing API access tokens of organization "initech": You must be an organization administrator`,
			"--org initech --token "+et.SharedCITokenUUID, "--everywhere")
		if n := h.requests("RevokeAPIAccessToken"); n != 2 {
			t.Errorf("mutations = %d, want 2", n)
		}
		if recs := readAudit(t, auditPath, value); len(recs) != 4 {
			t.Errorf("audit records = %d, want intent and outcome for two organizations", len(recs))
		}
		if format == emulator.IDBase64 { // the golden file holds base64 ids
			golden(t, "revoke_leaked.all-orgs.json.golden", r.stdout)
		}
	})
}

// manyOrgsHarness serves the many-orgs fixture with opts: the caller
// belongs to 106 organizations and Shared CI is in the first and the last
// it administers.
func manyOrgsHarness(t *testing.T, opts emulator.Options) (*harness, string) {
	t.Helper()
	fx := et.ManyOrgsFixture(t)
	opts.Fixture = fx
	// The emulator charges each request to every organization the
	// calling token can access; a look-up in each of a hundred, at a page
	// of 500 tokens, would spend that budget twice over and the run would
	// wait for it. Pacing is not what these tests are about.
	opts.RateLimit = 1 << 30
	h := newHarness(t, opts)
	h.env["BUILDKITE_API_TOKEN"] = et.ManyOrgsToken
	return h, fixtureValue(t, fx, et.SharedCITokenUUID)
}

// A token in the 104th organization is found even when Buildkite lists
// only 100 organizations per answer.
func TestLeakedTokenAllOrgsBeyondOneAnswer(t *testing.T) {
	et.ForEachIDFormat(t, testLeakedTokenAllOrgsBeyondOneAnswer)
}

func testLeakedTokenAllOrgsBeyondOneAnswer(t *testing.T, format emulator.IDFormat) {
	h, value := manyOrgsHarness(t, emulator.Options{MaxViewerOrganizations: 100, IDFormat: format})
	r := h.runLeaked(value, false, "", "revoke", "--all-orgs", "--yes", "--token-value-file", leakedValueFile(t, value), "--jq", `.results[] | .organization.slug + " " + .status`)
	// hooli (not granted) and initech (a member only) could not be
	// looked in: incomplete, not success.
	if exitcode.Code(r.code) != exitcode.Incomplete || r.stdout != et.ManyOrgsFirstAdmin+" revoked\n"+et.ManyOrgsLastOrg+" revoked\n" {
		t.Fatalf("want %s and %s revoked, exit 9:\n%s", et.ManyOrgsFirstAdmin, et.ManyOrgsLastOrg, r)
	}
	for _, org := range []string{et.ManyOrgsFirstAdmin, et.ManyOrgsLastOrg} {
		if h.srv.TokenHasOrg(et.SharedCITokenUUID, org) {
			t.Errorf("Shared CI still has access to %s", org)
		}
	}
	// hooli: Ada administers it, but her token was not granted it.
	mustContain(t, "stderr", r.stderr, "tokenctl: hooli: not checked: ", "does not have access", "tokenctl: initech: not checked: ", "administrator")
}

// When Buildkite lists fewer organizations than it counts, even from both
// ends, the run says how many it could not look in and exits 9, although
// everything it did was done.
func TestLeakedTokenAllOrgsIncomplete(t *testing.T) {
	h, value := manyOrgsHarness(t, emulator.Options{MaxViewerOrganizations: 40})
	r := h.runLeaked(value, false, "", "revoke", "--all-orgs", "--yes", "--token-value-file", leakedValueFile(t, value), "-o", "json")
	if exitcode.Code(r.code) != exitcode.Incomplete {
		t.Fatalf("exit %d, want %d (incomplete)\n%s", r.code, exitcode.Incomplete, r)
	}
	var rep revokeCmd.AllOrgsReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout: %v\n%s", err, r.stdout)
	}
	if rep.NotListed == nil || *rep.NotListed != et.ManyOrgsCount-80 || rep.Summary.Revoked != 2 {
		t.Errorf("notListed %v, revoked %d; want %d and 2", rep.NotListed, rep.Summary.Revoked, et.ManyOrgsCount-80)
	}
	mustContain(t, "stderr", r.stderr, "Buildkite counts 26 more organization(s) of yours than it listed", "--orgs-file FILE")
}

// Callers with more organizations than Buildkite lists name them: with
// repeated --org or --orgs-file. Named organizations that cannot be
// checked make the run incomplete.
func TestLeakedTokenNamedOrganizations(t *testing.T) {
	t.Run("repeated --org", func(t *testing.T) {
		et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
			h, value := manyOrgsHarness(t, emulator.Options{MaxViewerOrganizations: 10, IDFormat: format})
			r := h.runLeaked(value, false, "", "revoke", "--token-value-file", leakedValueFile(t, value), "--org", et.ManyOrgsLastOrg, "--org", "org-050", "--jq", `.results[] | .organization.slug + " " + .status`)
			if r.code != 0 || r.stdout != et.ManyOrgsLastOrg+" revoked\n" || h.srv.TokenHasOrg(et.SharedCITokenUUID, et.ManyOrgsLastOrg) {
				t.Fatalf("want %s revoked, exit 0:\n%s", et.ManyOrgsLastOrg, r)
			}
			if !h.srv.TokenHasOrg(et.SharedCITokenUUID, et.ManyOrgsFirstAdmin) {
				t.Errorf("%s was not named, but changed", et.ManyOrgsFirstAdmin)
			}
		})
	})
	t.Run("--orgs-file", func(t *testing.T) {
		h, value := manyOrgsHarness(t, emulator.Options{MaxViewerOrganizations: 10})
		file := filepath.Join(t.TempDir(), "orgs.txt")
		if err := os.WriteFile(file, []byte("# every organization\n"+et.ManyOrgsFirstAdmin+"\n\n"+et.ManyOrgsLastOrg+"  # the last\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := h.runLeaked(value, false, "", "revoke", "--token-value-file", leakedValueFile(t, value), "--orgs-file", file, "--jq", ".summary.revoked")
		if r.code != 0 || r.stdout != "2\n" || h.srv.TokenHasOrg(et.SharedCITokenUUID, et.ManyOrgsLastOrg) || h.srv.TokenHasOrg(et.SharedCITokenUUID, et.ManyOrgsFirstAdmin) {
			t.Fatalf("want both revoked, exit 0:\n%s", r)
		}
	})
	t.Run("a named organization not checked", func(t *testing.T) {
		h, value := manyOrgsHarness(t, emulator.Options{HideUngrantedOrganizations: true})
		r := h.runLeaked(value, false, "", "revoke", "--token-value-file", leakedValueFile(t, value), "--org", et.ManyOrgsLastOrg, "--org", et.ManyOrgsUngranted)
		if exitcode.Code(r.code) != exitcode.Incomplete || h.srv.TokenHasOrg(et.SharedCITokenUUID, et.ManyOrgsLastOrg) {
			t.Fatalf("exit %d, want %d with %s revoked\n%s", r.code, exitcode.Incomplete, et.ManyOrgsLastOrg, r)
		}
		mustContain(t, "stderr", r.stderr, "tokenctl: hooli: not checked: your API token has no access there")
	})
}

func TestLeakedTokenAllOrgsWithoutAccessAnywhere(t *testing.T) {
	fx := et.MultiOrgFixture(t)
	value := fixtureValue(t, fx, et.InitechDeployUUID)
	h := newHarness(t, emulator.Options{Fixture: fx})
	h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
	file := leakedValueFile(t, value)

	// The token is in initech only, where the caller is a member and
	// cannot look: it still works there, so the run is incomplete (never
	// "not found"), with or without --ignore-missing.
	r := h.runLeaked(value, false, "", "revoke", "--all-orgs", "--yes", "--token-value-file", file)
	if exitcode.Code(r.code) != exitcode.Incomplete {
		t.Fatalf("exit %d, want %d (incomplete)\n%s", r.code, exitcode.Incomplete, r)
	}
	mustContain(t, "stderr", r.stderr, "initech: not checked")

	r = h.runLeaked(value, false, "", "revoke", "--all-orgs", "--yes", "--token-value-file", file, "--ignore-missing", "-o", "json")
	if exitcode.Code(r.code) != exitcode.Incomplete {
		t.Fatalf("--ignore-missing: exit %d, want %d\n%s", r.code, exitcode.Incomplete, r)
	}
	if !h.srv.TokenHasOrg(et.InitechDeployUUID, "initech") {
		t.Fatal("the token lost initech; the test proves nothing")
	}
	var rep revokeCmd.AllOrgsReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Results) != 0 || len(rep.NotChecked) != 1 {
		t.Errorf("report = %+v (%v)\n%s", rep, err, r.stdout)
	}
	if n := h.requests("RevokeAPIAccessToken"); n != 0 {
		t.Errorf("mutations = %d", n)
	}
}

func TestLeakedTokenAllOrgsDryRunAndConfirmation(t *testing.T) {
	fx := et.MultiOrgFixture(t)
	value := fixtureValue(t, fx, et.SharedCITokenUUID)
	setup := func(t *testing.T) *harness {
		h := newHarness(t, emulator.Options{Fixture: fx})
		h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
		return h
	}
	args := []string{"revoke", "--all-orgs", "--token-value-file", leakedValueFile(t, value)}

	t.Run("dry run", func(t *testing.T) {
		h := setup(t)
		r := h.runLeaked(value, false, "", append(args, "--dry-run", "--jq", ".results[] | .organization.slug + \" \" + .status")...)
		if exitcode.Code(r.code) != exitcode.Incomplete || r.stdout != "acme dry-run\nglobex dry-run\n" {
			t.Fatalf("dry run:\n%s", r)
		}
		if n := h.requests("RevokeAPIAccessToken"); n != 0 {
			t.Errorf("dry run sent %d mutations", n)
		}
	})
	t.Run("terminal, answered no", func(t *testing.T) {
		h := setup(t)
		r := h.runLeaked(value, true, "n\n", args...)
		if exitcode.Code(r.code) != exitcode.Refused {
			t.Fatalf("exit %d, want refused\n%s", r.code, r)
		}
		mustContain(t, "prompt", r.stderr, "About to revoke 2 organization(s)' access", "acme", "globex", "Shared CI", "Revoke its access to 2 organization(s)? [y/N]")
		if n := h.requests("RevokeAPIAccessToken"); n != 0 || !h.srv.TokenHasOrg(et.SharedCITokenUUID, "acme") {
			t.Errorf("declined revocation was sent (%d mutations)", n)
		}
	})
	t.Run("terminal, answered yes", func(t *testing.T) {
		h := setup(t)
		r := h.runLeaked(value, true, "y\n", args...)
		if exitcode.Code(r.code) != exitcode.Incomplete || h.srv.TokenHasOrg(et.SharedCITokenUUID, "acme") || h.srv.TokenHasOrg(et.SharedCITokenUUID, "globex") {
			t.Fatalf("confirmed revocation failed:\n%s", r)
		}
	})
}

func decodeEverywhere(t *testing.T, r result) revokeCmd.EverywhereReport {
	t.Helper()
	var rep revokeCmd.EverywhereReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not the --everywhere document: %v\n%s", err, r)
	}
	return rep
}

func TestLeakedTokenEverywhere(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		value := et.CIDeployBotToken
		file := leakedValueFile(t, value)
		auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
		r := h.runLeaked(value, false, "", "revoke", "--token-value-file", file, "--everywhere", "--yes", "-o", "json", "--audit-log", auditPath, "--debug")
		if r.code != 0 {
			t.Fatalf("--everywhere failed:\n%s", r)
		}
		rep := decodeEverywhere(t, r)
		if rep.Status != revoke.StatusRevoked || rep.DryRun || rep.Token == nil || rep.Token.UUID != et.CIDeployBotUUID ||
			rep.Token.Owner.Email != "mo@acme.example" || deref(rep.Token.Description) != "CI deploy bot" {
			t.Errorf("report = %+v", rep)
		}
		if !h.srv.TokenRevoked(et.CIDeployBotUUID) {
			t.Error("the token was not deleted")
		}
		if n := h.requests("DELETE /v2/access-token"); n != 1 {
			t.Errorf("DELETE requests = %d, want 1", n)
		}
		mustContain(t, "debug trace", r.stderr, "DELETE "+h.srv.RESTEndpoint+"/v2/access-token")
		// The value itself is dead now.
		if resp := h.srv.Do(t, http.MethodGet, "/v2/access-token", value, nil); resp.Status != http.StatusUnauthorized {
			t.Errorf("GET /v2/access-token with the value: HTTP %d, want 401", resp.Status)
		}
		recs := readAudit(t, auditPath, value)
		if len(recs) != 2 || recs[0].Action != "accessTokenDelete" || recs[0].Event != audit.EventIntent ||
			recs[1].Result != string(revoke.StatusRevoked) || recs[1].Token.UUID != et.CIDeployBotUUID || recs[1].Caller.TokenUUID != et.DemoTokenUUID {
			t.Errorf("audit records = %+v", recs)
		}

		// A second run finds the value dead.
		r = h.runLeaked(value, false, "", "revoke", "--token-value-file", file, "--everywhere", "--yes")
		if exitcode.Code(r.code) != exitcode.NotFound {
			t.Fatalf("second run: exit %d, want not found\n%s", r.code, r)
		}
		mustContain(t, "stderr", r.stderr, "the token is already revoked or expired: nothing to do")
		r = h.runLeaked(value, false, "", "revoke", "--token-value-file", file, "--everywhere", "--yes", "--ignore-missing", "-o", "json")
		if r.code != 0 {
			t.Fatalf("second run with --ignore-missing: exit %d\n%s", r.code, r)
		}
		if rep := decodeEverywhere(t, r); rep.Status != revoke.StatusNotFound || rep.Token != nil {
			t.Errorf("report = %+v", rep)
		}
		if n := h.requests("DELETE /v2/access-token"); n != 1 {
			t.Errorf("DELETE requests = %d, want still 1", n)
		}
	})
}

func TestLeakedTokenEverywhereConfirmation(t *testing.T) {
	value := et.CIDeployBotToken
	file := leakedValueFile(t, value)
	args := []string{"revoke", "--token-value-file", file, "--everywhere"}
	cases := []struct {
		name    string
		tty     bool
		input   string
		extra   []string
		want    exitcode.Code
		deleted bool
		stderr  []string
	}{
		{name: "no terminal needs --yes", want: exitcode.Usage, stderr: []string{"no terminal to confirm on", "pass --yes"}},
		{name: "terminal, y is not enough", tty: true, input: "y\n", want: exitcode.Refused,
			stderr: []string{"stops working for every organization", "Type 11111111", "not confirmed: the token was not deleted"}},
		{name: "terminal, no answer", tty: true, input: "", want: exitcode.Refused},
		{name: "terminal, typed the uuid's start", tty: true, input: "11111111\n", want: exitcode.OK, deleted: true},
		{name: "terminal with --yes does not ask", tty: true, extra: []string{"--yes"}, want: exitcode.OK, deleted: true},
		{name: "dry run needs no confirmation", extra: []string{"--dry-run"}, want: exitcode.OK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			r := h.runLeaked(value, c.tty, c.input, append(args, c.extra...)...)
			if exitcode.Code(r.code) != c.want {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.want, r)
			}
			mustContain(t, "stderr", r.stderr, c.stderr...)
			if h.srv.TokenRevoked(et.CIDeployBotUUID) != c.deleted {
				t.Errorf("deleted = %v, want %v", h.srv.TokenRevoked(et.CIDeployBotUUID), c.deleted)
			}
			if !c.deleted && h.requests("DELETE /v2/access-token") != 0 {
				t.Error("a DELETE was sent")
			}
		})
	}
}

// The self-guard applies to a value that is tokenctl's own credential.
func TestLeakedTokenIsOwnCredential(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		value := et.DemoToken
		file := leakedValueFile(t, value)
		for _, args := range [][]string{
			{"--org", "acme"},
			{"--everywhere", "--yes"},
		} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				h := newHarness(t, emulator.Options{IDFormat: format})
				r := h.runLeaked(value, false, "", append([]string{"revoke", "--token-value-file", file}, args...)...)
				if exitcode.Code(r.code) != exitcode.Refused {
					t.Fatalf("exit %d, want refused\n%s", r.code, r)
				}
				mustContain(t, "stderr", r.stderr, "--allow-self")
				if h.srv.TokenRevoked(et.DemoTokenUUID) || !h.srv.TokenHasOrg(et.DemoTokenUUID, "acme") {
					t.Error("tokenctl's own token was revoked")
				}
			})
		}
	})
}

func TestLeakedTokenDeadValue(t *testing.T) {
	for _, value := range []string{et.RevokedToken, et.ExpiredToken} {
		for _, mode := range [][]string{{"--org", "acme"}, {"--all-orgs", "--yes"}, {"--everywhere", "--yes"}} {
			t.Run(strings.Join(mode, " "), func(t *testing.T) {
				h := newHarness(t, emulator.Options{})
				args := append([]string{"revoke", "--token-value-file", leakedValueFile(t, value)}, mode...)
				r := h.runLeaked(value, false, "", args...)
				if exitcode.Code(r.code) != exitcode.NotFound {
					t.Fatalf("exit %d, want not found\n%s", r.code, r)
				}
				if r.stderr != "tokenctl: the token is already revoked or expired: nothing to do (Buildkite rejects its value with HTTP 401)\n" {
					t.Errorf("stderr = %q", r.stderr)
				}
				r = h.runLeaked(value, false, "", append(args, "--ignore-missing", "-o", "json")...)
				if r.code != 0 || !json.Valid([]byte(r.stdout)) || !strings.Contains(r.stdout, `"dryRun": false`) {
					t.Errorf("--ignore-missing:\n%s", r)
				}
				if n := h.requests("RevokeAPIAccessToken") + h.requests("DELETE /v2/access-token") + h.requests("Viewer"); n != 0 {
					t.Errorf("%d requests beyond the lookup", n)
				}
			})
		}
	}
}

func TestLeakedTokenUsageErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return clitest.WritePrivateFile(t, dir, name, content) }
	value := et.CIDeployBotToken
	good := write("good", value+"\n")
	cases := []struct {
		name   string
		tty    bool
		input  string
		noOrg  bool
		args   []string
		stderr string
	}{
		{name: "--token and --token-value-file", args: []string{"--org", "acme", "--token", et.CIDeployBotUUID, "--token-value-file", good},
			stderr: "--token and --token-value-file are mutually exclusive"},
		{name: "--all-orgs alone", args: []string{"--all-orgs"}, stderr: "give its value with --token-value-file"},
		{name: "--everywhere alone", args: []string{"--everywhere", "--yes"}, stderr: "give its value with --token-value-file"},
		{name: "--all-orgs and --everywhere", args: []string{"--token-value-file", good, "--all-orgs", "--everywhere"}, stderr: "mutually exclusive"},
		{name: "--org and --all-orgs", args: []string{"--token-value-file", good, "--org", "acme", "--all-orgs"}, stderr: "use one or the other"},
		{name: "--orgs-file and --all-orgs", args: []string{"--token-value-file", good, "--orgs-file", good, "--all-orgs"}, stderr: "use one or the other"},
		{name: "--orgs-file without a value", args: []string{"--orgs-file", good}, stderr: "give its value with --token-value-file"},
		{name: "--orgs-file with a bad line", args: []string{"--token-value-file", good, "--orgs-file", good}, stderr: "--orgs-file " + good + ": line 1: "},
		{name: "--org twice, by uuid", args: []string{"--org", "acme", "--org", "globex", "--token", et.CIDeployBotUUID}, stderr: "--org was given 2 times"},
		{name: "--org and --everywhere", args: []string{"--token-value-file", good, "--org", "acme", "--everywhere"}, stderr: "drop them"},
		{name: "no organization", noOrg: true, args: []string{"--token-value-file", good}, stderr: "no organization given"},
		{name: "both on standard input", input: et.DemoToken + "\n", args: []string{"--org", "acme", "--api-token-file", "-", "--token-value-file", "-"},
			stderr: "both want standard input"},
		{name: "values and organizations on standard input", input: value + "\n", args: []string{"--orgs-file", "-", "--token-value-file", "-"},
			stderr: "--token-value-file - and --orgs-file - both want standard input"},
		{name: "standard input is a terminal", tty: true, input: value + "\n", args: []string{"--org", "acme", "--token-value-file", "-"},
			stderr: "standard input is a terminal"},
		{name: "empty file", args: []string{"--org", "acme", "--token-value-file", write("empty", "\n\n")}, stderr: "is empty"},
		{name: "two lines", args: []string{"--org", "acme", "--token-value-file", write("two", value+"\n"+value+"\n")}, stderr: "holds more than one line"},
		{name: "space inside", args: []string{"--org", "acme", "--token-value-file", write("space", value+" x\n")}, stderr: "contains characters that never appear"},
		{name: "missing file", args: []string{"--org", "acme", "--token-value-file", filepath.Join(dir, "nope")}, stderr: "cannot read it: no such file or directory"},
		{name: "empty standard input", args: []string{"--org", "acme", "--token-value-file", "-"}, stderr: "--token-value-file - (standard input): is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			if c.noOrg {
				delete(h.env, "BUILDKITE_ORGANIZATION_SLUG")
			}
			r := h.runLeaked(value, c.tty, c.input, append([]string{"revoke"}, c.args...)...)
			if exitcode.Code(r.code) != exitcode.Usage {
				t.Fatalf("exit %d, want usage\n%s", r.code, r)
			}
			mustContain(t, "stderr", r.stderr, c.stderr)
			if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "Run 'tokenctl revoke --help'") {
				t.Errorf("want one line and the usage hint:\n%s", r.stderr)
			}
			if n := len(h.srv.Requests()); n != 0 {
				t.Errorf("sent %d requests before rejecting the input", n)
			}
		})
	}
}
