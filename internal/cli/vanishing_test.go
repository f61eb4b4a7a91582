package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	revokeCmd "github.com/tokenctl/tokenctl/internal/cli/revoke"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// vanishingHarness is a multi-org harness whose requests pass through a
// stand-in for Buildkite that answers organization (or node) null, as the
// schema allows, for every page of the tokens of the organization with
// this slug and uuid after the first, as when the organization is removed,
// or the token's access to it withdrawn, while it is listed. Pages hold
// one token each, and every organization has a token older than the rest,
// listed first, so that a token looked for is on a later page.
func vanishingHarness(t *testing.T, slug, uuid string) *harness {
	t.Helper()
	f := et.MultiOrgFixture(t)
	f.Tokens = append(f.Tokens, emulator.FixtureToken{
		UUID: "e0000000-0000-4000-8000-0000000000f1", Value: "bkua_oldest0000000000000000000000000000000000",
		Owner: "mo@acme.example", Scopes: []string{"READ_BUILDS"}, Organizations: []string{"acme", "globex", "initech"}, CreatedAt: "now-900d",
	})
	h := newHarness(t, emulator.Options{Fixture: f})
	upstream, err := url.Parse(h.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	standIn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var req struct {
			OperationName string `json:"operationName"`
			Variables     struct {
				Slug  string  `json:"slug"`
				ID    string  `json:"id"`
				After *string `json:"after"`
			} `json:"variables"`
		}
		if json.Unmarshal(body, &req) == nil && req.Variables.After != nil {
			answer := ""
			switch {
			case req.OperationName == "OrganizationTokensBySlug" && req.Variables.Slug == slug:
				answer = `{"data":{"organization":null}}`
			case req.OperationName == "OrganizationTokensByID" && req.Variables.ID == emulator.NodeID(emulator.TypeOrganization, uuid):
				answer = `{"data":{"node":null}}`
			}
			if answer != "" {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, answer)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(standIn.Close)
	h.env["BUILDKITE_GRAPHQL_ENDPOINT"] = standIn.URL + "/v1"
	h.env["BUILDKITE_REST_API_ENDPOINT"] = standIn.URL
	h.env["BUILDKITE_API_TOKEN"] = et.MultiOrgToken
	h.env["TOKENCTL_PAGE_SIZE"] = "1"
	return h
}

// An organization named with others that answers its first page of tokens
// and is then not found is not an unknown organization: it is not checked,
// with the cause, while the others are reported, and the run is
// incomplete (exit 9), for check as for revoke.
func TestNamedOrganizationGoneWhileListedIsNotChecked(t *testing.T) {
	h := vanishingHarness(t, "globex", et.GlobexOrgUUID)
	r := h.run("check", "--org", "globex", "--org", "acme", "--policy", idlePolicy(t, "warn"), "-o", "json")
	if r.code != int(exitcode.Incomplete) {
		t.Fatalf("check: exit %d, want %d (incomplete)\n%s", r.code, exitcode.Incomplete, r)
	}
	rep := decodeCheckReport(t, r)
	if len(rep.Organizations) != 1 || rep.Organizations[0].Slug != "acme" || rep.Organizations[0].Tokens == 0 {
		t.Errorf("checked %+v, want acme and its tokens", rep.Organizations)
	}
	if len(rep.NotChecked) != 1 || rep.NotChecked[0].Cause != revoke.CauseError ||
		!strings.Contains(rep.NotChecked[0].Reason, "while it was listed") {
		t.Errorf("not checked %+v, want globex with cause error", rep.NotChecked)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: globex: not checked: ")

	h = vanishingHarness(t, "globex", et.GlobexOrgUUID)
	value := fixtureValue(t, et.MultiOrgFixture(t), et.SharedCITokenUUID)
	r = h.runLeaked(value, false, "", "revoke", "--token-value-file", leakedValueFile(t, value), "-o", "json", "--org", "globex", "--org", "acme")
	if r.code != int(exitcode.Incomplete) {
		t.Fatalf("revoke: exit %d, want %d (incomplete)\n%s", r.code, exitcode.Incomplete, r)
	}
	var rev revokeCmd.AllOrgsReport
	if err := json.Unmarshal([]byte(r.stdout), &rev); err != nil {
		t.Fatalf("stdout: %v\n%s", err, r.stdout)
	}
	if rev.Summary.Revoked != 1 || h.srv.TokenHasOrg(et.SharedCITokenUUID, "acme") {
		t.Errorf("revoked %d, want 1 (acme)\n%s", rev.Summary.Revoked, r.stdout)
	}
	if len(rev.NotChecked) != 1 || deref(rev.NotChecked[0].Organization.Slug) != "globex" || rev.NotChecked[0].Cause != revoke.CauseError {
		t.Errorf("notChecked = %+v", rev.NotChecked)
	}
}
