package revoke_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/audit/audittest"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/revoke"
)

const deleteOp = "DELETE /v2/access-token"

func planEverywhere(t *testing.T, c *buildkite.Client, value string, allowSelf bool) (*revoke.EverywherePlan, error) {
	t.Helper()
	tok, err := c.AccessTokenOf(t.Context(), value)
	if err != nil {
		t.Fatal(err)
	}
	return revoke.ResolveEverywhere(t.Context(), c, tok, allowSelf)
}

// The deletion of a token itself follows the revocation's sequence: when
// its answer is lost, the token's own value is asked whether it still
// works; a value that still works proves the DELETE did not apply, so it
// is sent again; the audit log has an intent and an outcome per attempt.
func TestDeleteEverywhereAnswerLost(t *testing.T) {
	cases := []struct {
		name    string
		kind    string
		deletes int      // DELETEs sent
		results []string // audit outcomes, in order
	}{
		{"dropped after the delete", emulator.FaultDropAfter, 1, []string{"revoked"}},
		{"dropped before the delete", emulator.FaultDropBefore, 2, []string{"failed", "revoked"}},
		{"gateway error before the delete", emulator.FaultStatus, 2, []string{"failed", "revoked"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, client, _ := startWithTokens(t, 0, emulator.Options{Faults: []emulator.Fault{
				{Kind: c.kind, Status: http.StatusBadGateway, Match: deleteOp, Times: 1},
			}})
			plan, err := planEverywhere(t, client, et.CIDeployBotToken, false)
			if err != nil {
				t.Fatal(err)
			}
			log, path := openAudit(t)
			var waits []time.Duration
			note, err := (&revoke.Executor{Client: client, Audit: log, Backoff: noWait(&waits)}).DeleteEverywhere(t.Context(), plan, et.CIDeployBotToken)
			if err != nil || note != "" {
				t.Fatalf("DeleteEverywhere = %q, %v; want the token deleted", note, err)
			}
			if !srv.TokenRevoked(et.CIDeployBotUUID) {
				t.Error("emulator: the token was not deleted")
			}
			if n := srv.CountRequests(func(r emulator.Request) bool { return r.Operation == deleteOp }); n != c.deletes {
				t.Errorf("DELETE sent %d times, want %d", n, c.deletes)
			}
			var outcomes []string
			for _, r := range audittest.Records(t, path) {
				if r.Action != "accessTokenDelete" || r.Token.UUID != et.CIDeployBotUUID || r.ClientMutationID != "" {
					t.Errorf("audit record %+v", r)
				}
				if r.Event == "outcome" {
					outcomes = append(outcomes, r.Result)
				}
			}
			if strings.Join(outcomes, ",") != strings.Join(c.results, ",") {
				t.Errorf("audit outcomes %v, want %v", outcomes, c.results)
			}
		})
	}
}

// When the DELETE's answer is lost and the value cannot be checked either,
// the outcome is unknown: an error, never a deletion reported.
func TestDeleteEverywhereUndecidedIsUnknown(t *testing.T) {
	srv, client, _ := startWithTokens(t, 0, emulator.Options{})
	plan, err := planEverywhere(t, client, et.CIDeployBotToken, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetFaults([]emulator.Fault{
		{Kind: emulator.FaultDropAfter, Match: deleteOp, Times: 1},
		{Kind: emulator.FaultStatus, Status: http.StatusBadRequest, Match: "GET /v2/access-token", Times: 1},
	}); err != nil {
		t.Fatal(err)
	}
	log, path := openAudit(t)
	_, err = (&revoke.Executor{Client: client, Audit: log}).DeleteEverywhere(t.Context(), plan, et.CIDeployBotToken)
	if buildkite.KindOf(err) != buildkite.KindOutcomeUnknown || !strings.Contains(err.Error(), "unknown") {
		t.Fatalf("err = %v, want an unknown outcome", err)
	}
	if recs := audittest.Records(t, path); len(recs) != 2 || recs[1].Result != "unknown" {
		t.Errorf("audit log %+v, want an unknown outcome", recs)
	}
}

// tokenctl's own token is never planned for deletion without AllowSelf.
func TestResolveEverywhereRefusesOwnToken(t *testing.T) {
	srv, client, _ := startWithTokens(t, 0, emulator.Options{})
	_, err := planEverywhere(t, client, et.DemoToken, false)
	if exitcode.Of(err) != exitcode.Refused || !strings.Contains(err.Error(), "--allow-self") {
		t.Fatalf("err = %v, want refused naming --allow-self", err)
	}
	if _, err := planEverywhere(t, client, et.DemoToken, true); err != nil {
		t.Errorf("with AllowSelf: %v", err)
	}
	if srv.TokenRevoked(et.DemoTokenUUID) {
		t.Error("planning deleted the token")
	}
}

// A 401 to the DELETE is no proof that the value stopped working (it was
// just seen alive): the value is asked again. Still alive: the DELETE did
// not apply, so it is sent again, and never reported done while the value
// works.
func TestDeleteEverywhere401IsRechecked(t *testing.T) {
	for _, c := range []struct {
		name    string
		times   int
		deleted bool
	}{
		{"401 once, then deleted", 1, true},
		{"401 every time", 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, client, _ := startWithTokens(t, 0, emulator.Options{Faults: []emulator.Fault{
				{Kind: emulator.FaultStatus, Status: http.StatusUnauthorized, Match: deleteOp, Times: c.times},
			}})
			plan, err := planEverywhere(t, client, et.CIDeployBotToken, false)
			if err != nil {
				t.Fatal(err)
			}
			log, path := openAudit(t)
			var waits []time.Duration
			_, err = (&revoke.Executor{Client: client, Audit: log, Backoff: noWait(&waits)}).DeleteEverywhere(t.Context(), plan, et.CIDeployBotToken)
			if srv.TokenRevoked(et.CIDeployBotUUID) != c.deleted {
				t.Fatalf("emulator: deleted = %v, want %v", srv.TokenRevoked(et.CIDeployBotUUID), c.deleted)
			}
			if c.deleted != (err == nil) {
				t.Fatalf("DeleteEverywhere err = %v with the token deleted = %v", err, c.deleted)
			}
			if !c.deleted && !strings.Contains(err.Error(), "still works") {
				t.Errorf("err = %v, want it to say the value still works", err)
			}
			last := ""
			for _, r := range audittest.Records(t, path) {
				if r.Event == "outcome" {
					last = r.Result
				}
			}
			if (last == "revoked") != c.deleted {
				t.Errorf("audit log's last outcome %q with the token deleted = %v", last, c.deleted)
			}
		})
	}
}
