package revoke_test

import (
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

// A revocation by ids, run again after it succeeded, reports the token
// not found (a finished job), under every error wording. With
// ignoreMissing it still fails: an id the listing no longer shows proves
// nothing (the server may spell ids anew); the same token named by uuid,
// missing from the listing, counts as done.
func TestRevokeByIDsAgainIsNotFound(t *testing.T) {
	for _, w := range emulator.ErrorWordings {
		t.Run(string(w), func(t *testing.T) {
			srv := et.Start(t, emulator.Options{ErrorWording: w})
			c := buildkite.New(buildkite.Config{
				GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: et.DemoToken,
			})
			var tokenID string
			org, err := c.ListTokens(t.Context(), ident.Org{Slug: et.DemoOrgSlug}, func(p buildkite.TokenPage) bool {
				for _, tok := range p.Tokens {
					if tok.UUID == et.CIDeployBotUUID {
						tokenID = tok.ID
					}
				}
				return tokenID == ""
			})
			if err != nil {
				t.Fatal(err)
			}
			orgRef, err := ident.ParseOrg(org.ID)
			if err != nil {
				t.Fatal(err)
			}
			tokRef, err := ident.ParseToken(tokenID)
			if err != nil {
				t.Fatal(err)
			}
			run := func(tokRef ident.Token) []revoke.Result {
				plan, err := revoke.Resolve(t.Context(), c, revoke.Request{Org: orgRef, Tokens: []ident.Token{tokRef}})
				if err != nil {
					t.Fatal(err)
				}
				return (&revoke.Executor{Client: c}).Execute(t.Context(), plan)
			}
			if first := run(tokRef); first[0].Status != revoke.StatusRevoked {
				t.Fatalf("first run: %v", statuses(first))
			}
			again := run(tokRef)
			if again[0].Status != revoke.StatusNotFound {
				t.Errorf("second run: %v, want not-found", statuses(again))
			}
			if got := revoke.ExitCode(again, false); got != exitcode.NotFound {
				t.Errorf("exit code %d, want %d", got, exitcode.NotFound)
			}
			if got := revoke.ExitCode(again, true); got != exitcode.NotFound {
				t.Errorf("exit code with ignoreMissing %d, want %d: a never-listed id proves nothing", got, exitcode.NotFound)
			}
			byUUID := run(ident.Token{UUID: et.CIDeployBotUUID})
			if byUUID[0].Status != revoke.StatusNotFound || revoke.ExitCode(byUUID, true) != exitcode.OK {
				t.Errorf("by uuid: %v, exit %d with ignoreMissing, want not-found counted as done", statuses(byUUID), revoke.ExitCode(byUUID, true))
			}
		})
	}
}
