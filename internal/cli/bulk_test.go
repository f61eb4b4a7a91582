package cli

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/audit/audittest"
	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

const bulkRevokeOp = "RevokeAPIAccessToken"

func bulkWriteFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// bulkResults maps each result of a report to its token uuid (or what
// was requested, when the uuid is unknown).
func bulkResults(rep revoke.Report) map[string]revoke.Result {
	out := map[string]revoke.Result{}
	for _, r := range rep.Results {
		key := deref(r.Token.UUID)
		if key == "" {
			key = r.Requested
		}
		out[key] = r
	}
	return out
}

// bulkStatuses is uuid -> status of a report.
func bulkStatuses(rep revoke.Report) map[string]revoke.Status {
	out := map[string]revoke.Status{}
	for k, r := range bulkResults(rep) {
		out[k] = r.Status
	}
	return out
}

// bulkCheckAudit asserts that every mutation the emulator received has an
// intent written before an outcome, both carrying the mutation's
// clientMutationId, and returns the outcomes by token uuid.
func bulkCheckAudit(t *testing.T, recs []audit.Record, mutations int) map[string]audit.Record {
	t.Helper()
	intents := map[string]int{}
	outcomes := map[string]audit.Record{}
	for i, rec := range recs {
		if rec.ClientMutationID == "" || rec.Time.IsZero() || rec.Action != "organizationApiAccessTokenRevoke" {
			t.Errorf("record %d lacks its id, time or action: %+v", i, rec)
		}
		switch rec.Event {
		case audit.EventIntent:
			if _, dup := intents[rec.ClientMutationID]; dup {
				t.Errorf("two intents for %s", rec.ClientMutationID)
			}
			intents[rec.ClientMutationID] = i
		case audit.EventOutcome:
			at, ok := intents[rec.ClientMutationID]
			if !ok || at > i {
				t.Errorf("outcome for %s without an intent before it", rec.ClientMutationID)
			}
			if rec.Result == "" {
				t.Errorf("outcome for %s has no result", rec.ClientMutationID)
			}
			outcomes[rec.Token.UUID] = rec
		default:
			t.Errorf("record %d has event %q", i, rec.Event)
		}
	}
	if len(intents) != mutations || len(outcomes) != mutations {
		t.Errorf("audit log has %d intents and %d outcomes; the emulator received %d mutations", len(intents), len(outcomes), mutations)
	}
	return outcomes
}

func TestRevokeFromFile(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		file := bulkWriteFile(t, "leavers.txt", `# Mo left on 2026-05-31
	`+et.CIDeployBotUUID+`   # CI deploy bot

	`+strings.ToUpper(et.OldLaptopTokenUUID)+`
	`+h.srv.NodeID("APIAccessToken", et.HackathonTokenUUID)+`
	`+et.CIDeployBotUUID+`
		# indented comment
	`)
		r := h.run("revoke", "--org", "acme", "--from-file", file, "-o", "json")
		if r.code != 0 {
			t.Fatalf("revoke --from-file failed:\n%s", r)
		}
		rep := decodeReport(t, r)
		if rep.Summary.Requested != 3 || rep.Summary.Revoked != 3 {
			t.Errorf("summary = %+v, want 3 requested (duplicates removed) and revoked", rep.Summary)
		}
		for _, u := range []string{et.CIDeployBotUUID, et.OldLaptopTokenUUID, et.HackathonTokenUUID} {
			if n := h.srv.RevocationCount("acme", u); n != 1 {
				t.Errorf("%s revoked %d times, want once", u, n)
			}
		}
		if !h.srv.TokenHasOrg(et.TerraformTokenUUID, "acme") {
			t.Error("a token not in the file lost access")
		}
		if n := h.requests("OrganizationTokensBySlug"); n != 1 {
			t.Errorf("listing requests = %d, want 1 for the whole batch", n)
		}
		if r.stderr != "" {
			t.Errorf("stderr without a terminal and without errors: %q", r.stderr)
		}
	})
}

func TestRevokeFromStandardInput(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.exec(false, et.CIDeployBotUUID+"\n"+et.OldLaptopTokenUUID+"\n", "revoke", "--org", "acme", "--from-file", "-", "-o", "json")
	if r.code != 0 || decodeReport(t, r).Summary.Revoked != 2 {
		t.Fatalf("revoke --from-file -:\n%s", r)
	}
	// --from-file adds to --token.
	r = h.exec(false, et.HackathonTokenUUID+"\n", "revoke", "--org", "acme", "--from-file", "-", "--token", et.TerraformTokenUUID, "-o", "json")
	if st := bulkStatuses(decodeReport(t, r)); st[et.HackathonTokenUUID] != revoke.StatusRevoked || st[et.TerraformTokenUUID] != revoke.StatusRevoked || len(st) != 2 {
		t.Errorf("--token with --from-file: %v", st)
	}
}

// The JSON of `tokens list` is a from-file: list, review, revoke.
func TestRevokeFromTokensListJSON(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		listed := h.run("tokens", "list", "--org", "acme", "--owner", "mo@acme.example", "--stale", "90d", "-o", "json")
		want := listedUUIDs(decodeTokenList(t, listed))
		if !slices.Equal(want, []string{et.CIDeployBotUUID, et.HackathonTokenUUID}) {
			t.Fatalf("listing selected %q", want)
		}
		file := bulkWriteFile(t, "review.json", listed.stdout)
		r := h.run("revoke", "--org", "acme", "--from-file", file, "-o", "json")
		if r.code != 0 {
			t.Fatalf("revoke --from-file review.json:\n%s", r)
		}
		st := bulkStatuses(decodeReport(t, r))
		if len(st) != 2 || st[et.CIDeployBotUUID] != revoke.StatusRevoked || st[et.HackathonTokenUUID] != revoke.StatusRevoked {
			t.Errorf("statuses = %v", st)
		}
		// A --jq selection of the listing works too: an array of tokens.
		selection := h.run("tokens", "list", "--org", "acme", "--never-used", "--jq", "[.tokens[] | {uuid}]")
		r = h.exec(false, selection.stdout, "revoke", "--org", "acme", "--from-file", "-", "--dry-run", "-o", "json")
		if st := bulkStatuses(decodeReport(t, r)); len(st) != 2 || st[et.OldLaptopTokenUUID] != revoke.StatusDryRun || st[et.AnalyticsTokenUUID] != revoke.StatusDryRun {
			t.Errorf("from a --jq array: %v\n%s", st, r)
		}
	})
}

// A tokens list file names its organization. Token uuids are the same in
// every organization a token can access, so a file listed from acme given
// to a run on globex would revoke the same tokens from globex: refused
// before anything is sent, however the organization was chosen.
func TestRevokeFromTokensListJSONOfAnotherOrganization(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	listed := h.run("tokens", "list", "--org", "acme", "--owner", "mo@acme.example", "--stale", "90d", "-o", "json")
	if listed.code != 0 {
		t.Fatalf("tokens list:\n%s", listed)
	}
	file := bulkWriteFile(t, "acme.json", listed.stdout)
	globexID := emulator.NodeID("Organization", et.GlobexOrgUUID)
	// The same tokens named by id only: nothing needs a listing, so the
	// organization must be looked up to be compared.
	byID := bulkWriteFile(t, "acme-ids.json", `{"organization": {"id": "`+emulator.NodeID("Organization", et.AcmeOrgUUID)+`", "slug": "acme"}, "tokens": [{"id": "`+emulator.NodeID("APIAccessToken", et.CIDeployBotUUID)+`"}]}`)

	h.env["BUILDKITE_API_TOKEN"] = et.GlobexAdminToken // administers globex
	for _, tc := range []struct {
		name string
		env  string
		args []string
	}{
		{"organization from the environment", "globex", []string{"--from-file", file}},
		{"organization from --org", "", []string{"--org", "globex", "--from-file", file, "--yes"}},
		{"organization by id, tokens by id", "", []string{"--org", globexID, "--from-file", byID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.env["BUILDKITE_ORGANIZATION_SLUG"] = tc.env
			before := h.requests("RevokeAPIAccessToken")
			r := h.run(append([]string{"revoke"}, tc.args...)...)
			if exitcode.Code(r.code) != exitcode.Usage {
				t.Fatalf("exit %d, want usage (2)\n%s", r.code, r)
			}
			mustContain(t, "stderr", r.stderr, "the tokens were listed from organization acme, but this run acts on organization globex", "nothing was sent", "--org acme")
			if n := h.requests("RevokeAPIAccessToken") - before; n != 0 {
				t.Errorf("%d mutations sent", n)
			}
			if !h.srv.TokenHasOrg(et.CIDeployBotUUID, "globex") {
				t.Error("CI deploy bot lost globex")
			}
		})
	}
	// The message says where the other organization came from.
	h.env["BUILDKITE_ORGANIZATION_SLUG"] = "globex"
	r := h.run("revoke", "--from-file", file)
	mustContain(t, "stderr", r.stderr, "(from BUILDKITE_ORGANIZATION_SLUG)")

	// A file naming its organization by uuid alone still gets a fix that
	// names something: the uuid, and what --org needs instead.
	byUUID := bulkWriteFile(t, "acme-uuid.json", `{"organization": {"uuid": "`+et.AcmeOrgUUID+`"}, "tokens": [{"uuid": "`+et.CIDeployBotUUID+`"}]}`)
	h.env["BUILDKITE_ORGANIZATION_SLUG"] = ""
	r = h.run("revoke", "--org", "globex", "--from-file", byUUID)
	if exitcode.Code(r.code) != exitcode.Usage {
		t.Fatalf("uuid-only file: exit %d, want usage (2)\n%s", r.code, r)
	}
	mustContain(t, "stderr", r.stderr, "slug with --org (the file names it by uuid "+et.AcmeOrgUUID+")")
	if strings.Contains(r.stderr, "pass --org ,") {
		t.Errorf("the fix names no organization:\n%s", r.stderr)
	}
}

func TestRevokeFromFileBadInputSendsNothing(t *testing.T) {
	cases := []struct {
		name    string
		content string // file content; "" with missing means no file
		missing bool
		args    []string
		want    string
	}{
		{name: "empty file", content: "", want: "no token in it"},
		{name: "comments only", content: "# nobody left\n\n", want: "no token in it"},
		{name: "empty tokens list JSON", content: `{"organization":{},"tokens":[]}`, want: "no token in it"},
		{name: "bad line", content: et.CIDeployBotUUID + "\n\nCI deploy bot\n", want: "line 3: more than one word"},
		{name: "bad token", content: "# x\n11111111-1111\n", want: `line 2: token "11111111-1111" is neither a uuid`},
		{name: "secret value", content: et.CIDeployBotToken + "\n", want: "line 1: that looks like a secret token value"},
		{name: "broken JSON", content: "{\"tokens\": [\n  {\"uuid\": }\n]}", want: "JSON: line 2, column"},
		{name: "missing file", missing: true, want: "cannot read it: no such file or directory"},
		{name: "with filters", content: et.CIDeployBotUUID, args: []string{"--stale", "90d", "--yes"}, want: "do not combine them with --token or --from-file"},
		{name: "with a token value file", content: et.CIDeployBotUUID, args: []string{"--token-value-file", "/nonexistent"}, want: "do not combine it with --from-file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			path := filepath.Join(t.TempDir(), "absent.txt")
			if !c.missing {
				path = bulkWriteFile(t, "tokens.txt", c.content)
			}
			r := h.run(append([]string{"revoke", "--org", "acme", "--from-file", path}, c.args...)...)
			if exitcode.Code(r.code) != exitcode.Usage {
				t.Fatalf("exit %d, want usage (2)\n%s", r.code, r)
			}
			mustContain(t, "stderr", r.stderr, c.want)
			if strings.Contains(r.stderr, et.CIDeployBotToken) || strings.Contains(r.stderr, "goroutine") {
				t.Errorf("stderr leaks a secret or a stack trace:\n%s", r.stderr)
			}
			if n := h.srv.CountRequests(nil); n != 0 {
				t.Errorf("%d requests sent for bad input", n)
			}
		})
	}
}

func TestRevokeFromFileAndTokenBothOnStandardInput(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	delete(h.env, "BUILDKITE_API_TOKEN")
	r := h.exec(false, et.DemoToken+"\n", "revoke", "--org", "acme", "--api-token-file", "-", "--from-file", "-")
	if exitcode.Code(r.code) != exitcode.Usage {
		t.Fatalf("exit %d, want usage\n%s", r.code, r)
	}
	mustContain(t, "stderr", r.stderr, "both want standard input")
	if strings.Contains(r.stderr, et.DemoToken) || h.srv.CountRequests(nil) != 0 {
		t.Errorf("echoed the token or sent requests:\n%s", r.stderr)
	}
}

// Selection by filter without a terminal and without --yes is refused
// before anything is sent, not even the listing.
func TestRevokeSelectionNeedsYesWithoutTerminal(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "--stale", "90d")
	if exitcode.Code(r.code) != exitcode.Usage {
		t.Fatalf("exit %d, want usage (2)\n%s", r.code, r)
	}
	mustContain(t, "stderr", r.stderr, "needs confirmation", "--yes", "--dry-run")
	if n := h.srv.CountRequests(nil); n != 0 {
		t.Errorf("%d requests sent before refusing", n)
	}
	if !h.srv.TokenHasOrg(et.CIDeployBotUUID, "acme") || !h.srv.TokenHasOrg(et.HackathonTokenUUID, "acme") {
		t.Error("a stale token lost access")
	}
	// Bad and empty selections are usage errors too.
	for _, args := range [][]string{{"--never-used=false", "--yes"}, {"--owner", "", "--yes"}, {"--stale", "6 months", "--yes"}, {"--stale", "90d", "--never-used", "--yes"}} {
		r := h.run(append([]string{"revoke", "--org", "acme"}, args...)...)
		if exitcode.Code(r.code) != exitcode.Usage {
			t.Errorf("%v: exit %d, want usage\n%s", args, r.code, r)
		}
	}
	if n := h.srv.CountRequests(nil); n != 0 {
		t.Errorf("%d requests sent for bad selections", n)
	}
}

func TestRevokeSelectionWithYes(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
		r := h.run("revoke", "--org", "acme", "--stale", "180d", "--yes", "-o", "json", "--audit-log", auditPath)
		if r.code != 0 {
			t.Fatalf("revoke --stale 180d --yes:\n%s", r)
		}
		st := bulkStatuses(decodeReport(t, r))
		want := map[string]revoke.Status{et.CIDeployBotUUID: revoke.StatusRevoked, et.HackathonTokenUUID: revoke.StatusRevoked}
		if !maps.Equal(st, want) {
			t.Errorf("statuses = %v, want %v", st, want)
		}
		for _, u := range h.srv.Tokens("acme") {
			if u == et.CIDeployBotUUID || u == et.HackathonTokenUUID {
				t.Errorf("%s still listed in acme", u)
			}
		}
		// Never-used tokens are not stale: they keep access.
		for _, u := range acmeNeverUsed {
			if !h.srv.TokenHasOrg(u, "acme") {
				t.Errorf("never-used %s was revoked by --stale", u)
			}
		}
		if n := h.requests("OrganizationTokensBySlug"); n != 1 {
			t.Errorf("listing requests = %d, want 1", n)
		}
		if n := h.requests(bulkRevokeOp); n != 2 {
			t.Errorf("mutations = %d, want 2", n)
		}
		if r.stderr != "" {
			t.Errorf("stderr without a terminal (no progress bar, no plan): %q", r.stderr)
		}
		outcomes := bulkCheckAudit(t, audittest.Records(t, auditPath), 2)
		if rec := outcomes[et.HackathonTokenUUID]; rec.Token.Description != "Hackathon 2023" || rec.Token.Owner != "mo@acme.example" || rec.Result != "revoked" {
			t.Errorf("audit outcome = %+v", rec)
		}
	})
}

// One listing of all pages serves a selection, however many tokens match.
func TestRevokeSelectionLargeOrganization(t *testing.T) {
	h := largeOrgHarness(t)
	dry := h.run("revoke", "--org", largeOrgSlug, "--stale", "180d", "--dry-run", "-o", "json")
	want := decodeReport(t, dry).Summary.DryRun
	// Generated tokens cycle through eight profiles; one in eight was last
	// used 200 days ago.
	if want != 125 {
		t.Fatalf("dry run selected %d tokens, want 125\n%s", want, dry.stderr)
	}
	h.srv.ResetRequests()
	r := h.run("revoke", "--org", largeOrgSlug, "--stale", "180d", "--yes", "-o", "json", "--concurrency", "8", "--page-size", "100")
	if r.code != 0 {
		t.Fatalf("%s", r.stderr)
	}
	if rep := decodeReport(t, r); rep.Summary.Revoked != want || rep.Summary.Requested != want {
		t.Errorf("summary = %+v, want %d revoked", rep.Summary, want)
	}
	if n := h.requests("OrganizationTokensBySlug"); n != 10 {
		t.Errorf("listing requests = %d, want 10 (one pass over 1,000 tokens)", n)
	}
	if n := h.requests(bulkRevokeOp); n != want {
		t.Errorf("mutations = %d, want %d", n, want)
	}
	if max := h.srv.MaxInFlight(); max > 8 {
		t.Errorf("%d requests in flight at once, above --concurrency 8", max)
	}
	if left := len(h.srv.Tokens(largeOrgSlug)); left != largeOrgSize-want {
		t.Errorf("%d tokens left, want %d", left, largeOrgSize-want)
	}
}

func TestRevokeSelectionDryRun(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "--admin-capable", "--dry-run")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	mustContain(t, "plan", r.stdout, "Hackathon 2023", "Terraform provider", "dry-run")
	if strings.Count(r.stdout, "dry-run") != 2 {
		t.Errorf("plan is not the two admin-capable tokens:\n%s", r.stdout)
	}
	if n := h.requests(bulkRevokeOp); n != 0 {
		t.Errorf("dry run sent %d mutations", n)
	}
	// A selection that matches nothing is not an error.
	r = h.run("revoke", "--org", "acme", "--owner", "nobody@example.com", "--yes", "-o", "json")
	if rep := decodeReport(t, r); r.code != 0 || len(rep.Results) != 0 {
		t.Errorf("empty selection: exit %d, %d results", r.code, len(rep.Results))
	}
}

func TestRevokeSelectionOnTerminal(t *testing.T) {
	t.Run("plan, question, no", func(t *testing.T) {
		h := newHarness(t, emulator.Options{})
		r := h.runTTY("n\n", "revoke", "--org", "acme", "--stale", "1y")
		if exitcode.Code(r.code) != exitcode.Refused {
			t.Fatalf("exit %d, want refused\n%s", r.code, r)
		}
		mustContain(t, "stderr", r.stderr, "About to revoke organization acme's access from 2 API access token(s)", "CI deploy bot", "Hackathon 2023", "Revoke 2 token(s)? [y/N]")
		if h.requests(bulkRevokeOp) != 0 {
			t.Error("declined selection was sent")
		}
	})
	t.Run("plan, question, yes, progress", func(t *testing.T) {
		h := newHarness(t, emulator.Options{})
		r := h.runTTY("y\n", "revoke", "--org", "acme", "--stale", "1y")
		if r.code != 0 {
			t.Fatalf("%s", r)
		}
		// The bar is drawn, then erased so the report follows cleanly.
		mustContain(t, "stderr", r.stderr, "Hackathon 2023", "[y/N]", "Revoking", "/2)")
		if !strings.HasSuffix(r.stderr, "\r") {
			t.Errorf("the progress bar was not erased: %q", r.stderr[max(0, len(r.stderr)-120):])
		}
		if h.srv.TokenHasOrg(et.HackathonTokenUUID, "acme") {
			t.Error("confirmed selection not revoked")
		}
	})
	t.Run("--yes shows the plan and does not ask", func(t *testing.T) {
		h := newHarness(t, emulator.Options{})
		r := h.runTTY("", "revoke", "--org", "acme", "--stale", "1y", "--yes")
		if r.code != 0 || strings.Contains(r.stderr, "[y/N]") {
			t.Fatalf("%s", r)
		}
		mustContain(t, "stderr", r.stderr, "About to revoke", "Hackathon 2023")
	})
}

// The tool's own credential is never selected into a revocation silently:
// it is refused and reported, and the others go ahead.
func TestRevokeSelectionRefusesOwnToken(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "--owner", "ada@acme.example", "--no-expiry", "--yes", "-o", "json")
	if exitcode.Code(r.code) != exitcode.Partial {
		t.Fatalf("exit %d, want partial (6)\n%s", r.code, r)
	}
	st := bulkStatuses(decodeReport(t, r))
	want := map[string]revoke.Status{et.TerraformTokenUUID: revoke.StatusRevoked, et.DemoTokenUUID: revoke.StatusRefused}
	if !maps.Equal(st, want) {
		t.Errorf("statuses = %v, want %v", st, want)
	}
	if !h.srv.TokenHasOrg(et.DemoTokenUUID, "acme") {
		t.Error("tokenctl revoked its own credential")
	}
}

func TestRevokeBulkPartialFailure(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		// The second mutation is refused (HTTP 400, so nothing ran and it is
		// not sent again); the others succeed.
		h := newHarness(t, emulator.Options{IDFormat: format, Faults: []emulator.Fault{{Kind: emulator.FaultStatus, Status: http.StatusBadRequest, Match: bulkRevokeOp, Times: 1}}})
		auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
		file := bulkWriteFile(t, "tokens.txt", strings.Join([]string{et.CIDeployBotUUID, et.OldLaptopTokenUUID, et.HackathonTokenUUID, et.AnalyticsTokenUUID}, "\n"))
		r := h.run("revoke", "--org", "acme", "--from-file", file, "--concurrency", "1", "-o", "json", "--audit-log", auditPath)
		if exitcode.Code(r.code) != exitcode.Partial {
			t.Fatalf("exit %d, want partial (6)\n%s", r.code, r)
		}
		rep := decodeReport(t, r)
		if len(rep.Results) != 4 || rep.Summary.Revoked != 3 || rep.Summary.Failed != 1 {
			t.Fatalf("summary = %+v, want a row each: 3 revoked, 1 failed", rep.Summary)
		}
		for u, res := range bulkResults(rep) {
			if has := h.srv.TokenHasOrg(u, "acme"); has != (res.Status == revoke.StatusFailed) {
				t.Errorf("%s: status %s but emulator says has access = %v", u, res.Status, has)
			}
			if res.Status == revoke.StatusFailed {
				mustContain(t, "stderr", r.stderr, "tokenctl: "+res.Requested+": failed: ")
			}
		}
		outcomes := bulkCheckAudit(t, audittest.Records(t, auditPath), h.requests(bulkRevokeOp))
		failed := 0
		for _, rec := range outcomes {
			if rec.Result == string(revoke.StatusFailed) {
				failed++
				if rec.Error == "" {
					t.Errorf("failed outcome without its error: %+v", rec)
				}
			}
		}
		if failed != 1 {
			t.Errorf("audit log records %d failures, want 1", failed)
		}
	})
}

// bulkRunInterruptible runs tokenctl like harness.exec, on a context the
// test cancels, as Ctrl-C does.
func bulkRunInterruptible(h *harness, ctx context.Context, args ...string) result {
	h.t.Helper()
	ios, out, errOut := iostreams.Test("")
	clitest.SetEnv(h.t, h.env)
	f := &cmdutil.Factory{
		IO:            ios,
		Now:           func() time.Time { return fixedNow },
		NewMutationID: func() string { return fmt.Sprintf("tokenctl-test-%d", h.ids.Add(1)) },
	}
	code := Run(ctx, f, args)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// Ctrl-C during a bulk run: no new mutation is sent, the one in flight
// finishes, every token is reported, the audit log pairs every mutation
// sent, and the exit status is 130.
func TestRevokeBulkInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	sent := 0
	fx, err := emulator.BuiltinFixture("large-org")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, emulator.Options{Fixture: fx, OnRequest: func(r emulator.Request) {
		if r.Operation != bulkRevokeOp {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		// The second mutation has been applied and its answer is on its
		// way: interrupt now.
		if sent++; sent == 2 {
			cancel()
		}
	}})
	h.env["BUILDKITE_API_TOKEN"] = largeOrgToken
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	tokens := h.srv.Tokens(largeOrgSlug)[1:21] // not the caller's own
	file := bulkWriteFile(t, "tokens.txt", strings.Join(tokens, "\n"))
	r := bulkRunInterruptible(h, ctx, "revoke", "--org", largeOrgSlug, "--from-file", file, "--concurrency", "1", "-o", "json", "--audit-log", auditPath)
	if exitcode.Code(r.code) != exitcode.Interrupted {
		t.Fatalf("exit %d, want 130\n%s", r.code, r)
	}
	rep := decodeReport(t, r)
	if len(rep.Results) != len(tokens) || rep.Summary.Revoked != 2 || rep.Summary.Skipped != 18 {
		t.Fatalf("summary = %+v, want a row for each of %d: 2 revoked, 18 skipped", rep.Summary, len(tokens))
	}
	for i, u := range tokens {
		want := revoke.StatusSkipped
		if i < 2 {
			want = revoke.StatusRevoked
		}
		if got := bulkResults(rep)[u].Status; got != want {
			t.Errorf("%s: %s, want %s", u, got, want)
		}
		if h.srv.TokenHasOrg(u, largeOrgSlug) != (want == revoke.StatusSkipped) {
			t.Errorf("%s: emulator disagrees with %s", u, want)
		}
	}
	if n := h.requests(bulkRevokeOp); n != 2 {
		t.Errorf("mutations = %d, want 2", n)
	}
	// The first unsent tokens are named, the rest counted.
	mustContain(t, "stderr", r.stderr, "interrupted: 2 revoked, 18 not sent", "... and 13 more token(s) not sent")
	if n := strings.Count(r.stderr, ": skipped: "); n != 5 {
		t.Errorf("stderr names %d unsent tokens, want %d:\n%s", n, 5, r.stderr)
	}
	outcomes := bulkCheckAudit(t, audittest.Records(t, auditPath), 2)
	for _, u := range tokens[:2] {
		if outcomes[u].Result != string(revoke.StatusRevoked) {
			t.Errorf("audit outcome for %s = %+v", u, outcomes[u])
		}
	}
}

// The audit trail: intent and outcome per mutation, with who did what to
// which token, from the flag or the config key; never the secret.
func TestRevokeAuditTrail(t *testing.T) {
	et.ForEachIDFormat(t, func(t *testing.T, format emulator.IDFormat) {
		h := newHarness(t, emulator.Options{IDFormat: format})
		auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
		if r := h.run("config", "set", "audit-log", auditPath); r.code != 0 {
			t.Fatalf("config set audit-log: %s", r)
		}
		// Mo's tokens that can use GraphQL: CI deploy bot, old laptop,
		// GraphQL token, Hackathon.
		r := h.run("revoke", "--org", "acme", "--owner", "mo", "--scope", "graphql", "--yes", "-o", "json")
		if r.code != 0 {
			t.Fatalf("%s", r)
		}
		rep := decodeReport(t, r)
		mutations := h.requests(bulkRevokeOp)
		if mutations != 4 || rep.Summary.Revoked != 4 {
			t.Fatalf("mutations = %d, revoked = %d; want 4", mutations, rep.Summary.Revoked)
		}
		recs := audittest.Records(t, auditPath)
		outcomes := bulkCheckAudit(t, recs, mutations)
		for _, res := range rep.Results {
			u := deref(res.Token.UUID)
			rec, ok := outcomes[u]
			if !ok {
				t.Errorf("no audit outcome for %s", u)
				continue
			}
			wantOrg := audit.Organization{ID: h.srv.NodeID("Organization", et.AcmeOrgUUID), Slug: "acme"}
			wantCaller := audit.Caller{TokenUUID: et.DemoTokenUUID, User: "Ada Admin <ada@acme.example>"}
			if rec.Organization != wantOrg || rec.Caller != wantCaller || rec.Token.ID != deref(res.Token.ID) ||
				rec.Token.Description != deref(res.Token.Description) || rec.Token.Owner != "mo@acme.example" ||
				rec.ClientMutationID != deref(res.ClientMutationID) || rec.Result != "revoked" {
				t.Errorf("audit outcome for %s = %+v", u, rec)
			}
		}
		data, _ := os.ReadFile(auditPath)
		if strings.Contains(string(data), et.DemoToken) || strings.Contains(string(data), "bkua_") {
			t.Error("the audit log contains a token value")
		}
		info, err := os.Stat(auditPath)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("audit log mode = %v, %v; want 0600", info.Mode().Perm(), err)
		}
		// A dry run writes nothing.
		before := len(recs)
		h.run("revoke", "--org", "acme", "--never-used", "--dry-run")
		if after := len(audittest.Records(t, auditPath)); after != before {
			t.Errorf("dry run added %d audit records", after-before)
		}
	})
}

// Two runs appending to one audit log at once keep it valid JSON Lines.
func TestRevokeAuditLogSharedByConcurrentRuns(t *testing.T) {
	h := largeOrgHarness(t)
	all := h.srv.Tokens(largeOrgSlug)[1:] // not the caller's own
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	files := []string{
		bulkWriteFile(t, "a.txt", strings.Join(all[:60], "\n")),
		bulkWriteFile(t, "b.txt", strings.Join(all[60:120], "\n")),
	}
	var wg sync.WaitGroup
	results := make([]result, len(files))
	for i, file := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = h.run("revoke", "--org", largeOrgSlug, "--from-file", file, "--concurrency", "8", "--audit-log", auditPath, "-o", "json")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("run %d: %s", i, r)
		}
	}
	outcomes := bulkCheckAudit(t, audittest.Records(t, auditPath), h.requests(bulkRevokeOp))
	if len(outcomes) != 120 {
		t.Errorf("audit log has outcomes for %d tokens, want 120", len(outcomes))
	}
}
