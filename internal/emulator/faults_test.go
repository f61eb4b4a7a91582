package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// rawResult is what rawRevoke got, the body already read and closed.
type rawResult struct {
	StatusCode int
	Header     http.Header
}

// rawRevoke sends the revoke mutation with a plain client, so tests can see
// transport errors and unparsable bodies.
func rawRevoke(t *testing.T, srv *emulatortest.Server, client *http.Client, tokenUUID string) (*rawResult, []byte, error) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"query":         revokeMutation,
		"operationName": "Revoke",
		"variables":     map[string]any{"org": orgID(emulatortest.AcmeOrgUUID), "token": tokenID(tokenUUID)},
	})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.GraphQLEndpoint, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+emulatortest.DemoToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	return &rawResult{StatusCode: resp.StatusCode, Header: resp.Header}, raw, err
}

func startWithFaults(t *testing.T, faults ...emulator.Fault) *emulatortest.Server {
	t.Helper()
	return emulatortest.Start(t, emulator.Options{Now: newClock().Now, Faults: faults})
}

func lastFault(srv *emulatortest.Server) string {
	reqs := srv.Requests()
	return reqs[len(reqs)-1].Fault
}

// Each fault kind does what it says to a request it matches. The test is
// long because it is one table, a row per kind with the check of its
// answer.
func TestFaultKinds(t *testing.T) {
	target := emulatortest.OldLaptopTokenUUID
	tests := []struct {
		fault     emulator.Fault
		executed  bool
		checkResp func(t *testing.T, resp *rawResult, body []byte, err error)
	}{
		{emulator.Fault{Kind: "status", Status: 502}, false, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusBadGateway {
				t.Errorf("got %v %v", resp, err)
			}
		}},
		{emulator.Fault{Kind: "status"}, false, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("default status: got %v %v", resp, err)
			}
		}},
		{emulator.Fault{Kind: "throttle", RetryAfter: 7}, false, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" || resp.Header.Get("RateLimit-Reset") != "7" || resp.Header.Get("RateLimit-Remaining") != "0" {
				t.Errorf("got %v %v", resp, err)
			}
		}},
		{emulator.Fault{Kind: "drop-before"}, false, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err == nil {
				t.Errorf("want a transport error, got %d", resp.StatusCode)
			}
		}},
		{emulator.Fault{Kind: "drop-after"}, true, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err == nil {
				t.Errorf("want a transport error, got %d", resp.StatusCode)
			}
		}},
		{emulator.Fault{Kind: "status-after"}, true, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("want 500 after executing, got %v %v", resp, err)
			}
		}},
		{emulator.Fault{Kind: "status-after", Status: 502}, true, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusBadGateway {
				t.Errorf("want 502 after executing, got %v %v", resp, err)
			}
		}},
		{emulator.Fault{Kind: "truncate"}, true, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusOK || json.Valid(body) || len(body) == 0 || body[0] != '{' {
				t.Errorf("want a cut-off JSON body, got %v %q", err, body)
			}
		}},
		{emulator.Fault{Kind: "non-json"}, false, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<html>") {
				t.Errorf("got %v %v %q", resp, err, body)
			}
		}},
		{emulator.Fault{Kind: "graphql-error"}, false, func(t *testing.T, resp *rawResult, body []byte, err error) {
			var out struct {
				Data   map[string]any
				Errors []struct {
					Message string
					Path    []string
				}
			}
			if err != nil || resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil {
				t.Fatalf("got %v %q", err, body)
			}
			if v, ok := out.Data["organizationApiAccessTokenRevoke"]; !ok || v != nil || len(out.Errors) != 1 || out.Errors[0].Path[0] != "organizationApiAccessTokenRevoke" {
				t.Errorf("want null data and one error, got %s", body)
			}
		}},
		{emulator.Fault{Kind: "no-data", Answer: "empty-data"}, false, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusOK || string(body) != `{"data":{}}` {
				t.Errorf("want {\"data\":{}}, got %v %q", err, body)
			}
		}},
		{emulator.Fault{Kind: "no-data"}, false, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusOK || string(body) != `{}` {
				t.Errorf("want {}, got %v %q", err, body)
			}
		}},
		{emulator.Fault{Kind: "false-answer", Answer: "no-mutation-id"}, false, func(t *testing.T, resp *rawResult, body []byte, err error) {
			var out struct {
				Data struct {
					Payload map[string]any `json:"organizationApiAccessTokenRevoke"`
				}
			}
			if err != nil || resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil {
				t.Fatalf("got %v %q", err, body)
			}
			_, echoed := out.Data.Payload["clientMutationId"]
			if _, named := out.Data.Payload["revokedApiAccessTokenId"]; echoed || !named {
				t.Errorf("want a token id and no clientMutationId, got %s", body)
			}
		}},
		{emulator.Fault{Kind: "latency", Delay: 150 * time.Millisecond}, true, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("got %v %v", resp, err)
			}
		}},
		{emulator.Fault{Kind: "slow-body", Delay: 150 * time.Millisecond}, true, func(t *testing.T, resp *rawResult, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusOK || !json.Valid(body) {
				t.Errorf("want the whole body in the end, got %v %q", err, body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			srv := startWithFaults(t, tt.fault)
			start := time.Now()
			resp, body, err := rawRevoke(t, srv, &http.Client{}, target)
			tt.checkResp(t, resp, body, err)
			if tt.fault.Delay > 0 && time.Since(start) < tt.fault.Delay {
				t.Errorf("answered in %v, before the %v delay", time.Since(start), tt.fault.Delay)
			}
			if got := srv.RevocationCount("acme", target); got != map[bool]int{true: 1, false: 0}[tt.executed] {
				t.Errorf("RevocationCount %d, executed should be %v", got, tt.executed)
			}
			if f := lastFault(srv); f != tt.fault.Kind {
				t.Errorf("logged fault %q", f)
			}
			if strings.HasPrefix(tt.fault.Kind, "drop") {
				if st := srv.Requests()[0].Status; st != 0 {
					t.Errorf("dropped request logged with status %d", st)
				}
			}
		})
	}
}

func TestSlowBodyTimesOutClients(t *testing.T) {
	// The body takes a minute: a client that got it did not time out.
	srv := startWithFaults(t, emulator.Fault{Kind: "slow-body", Delay: time.Minute})
	_, _, err := rawRevoke(t, srv, &http.Client{Timeout: 100 * time.Millisecond}, emulatortest.OldLaptopTokenUUID)
	if err == nil {
		t.Fatal("a client with a short timeout got the whole body")
	}
	if srv.RevocationCount("acme", emulatortest.OldLaptopTokenUUID) != 1 {
		t.Error("slow-body must execute the operation")
	}
}

func TestFaultMatchingAndTimes(t *testing.T) {
	srv := startWithFaults(t, emulator.Fault{Kind: "status", Status: 500, Match: "mutation", Times: 2})
	if r := srv.GraphQL(t, emulatortest.DemoToken, `{ viewer { id } }`, nil); r.Status != 200 {
		t.Errorf("a query hit the mutation fault: %d", r.Status)
	}
	for i, want := range []int{500, 500, 200, 200} {
		r := revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.OldLaptopTokenUUID)
		if r.Status != want {
			t.Errorf("attempt %d: %d, want %d", i+1, r.Status, want)
		}
	}
	if n := srv.RevocationCount("acme", emulatortest.OldLaptopTokenUUID); n != 1 {
		t.Errorf("RevocationCount %d", n)
	}
	faulted := srv.CountRequests(func(r emulator.Request) bool { return r.Fault == "status" })
	if faulted != 2 {
		t.Errorf("%d requests logged with the fault, want 2", faulted)
	}

	cases := []struct {
		match string
		hit   map[string]bool // by request
	}{
		{"any", map[string]bool{"query": true, "mutation": true, "rest": true}},
		{"query", map[string]bool{"query": true}},
		{"graphql", map[string]bool{"query": true, "mutation": true}},
		{"rest", map[string]bool{"rest": true}},
		{"Revoke", map[string]bool{"mutation": true}},
		{"GET /v2/access-token", map[string]bool{"rest": true}},
	}
	for _, c := range cases {
		t.Run(c.match, func(t *testing.T) {
			srv := startWithFaults(t, emulator.Fault{Kind: "status", Status: 418, Match: c.match})
			got := map[string]bool{
				"query":    srv.GraphQL(t, emulatortest.DemoToken, `query Q { viewer { id } }`, nil).Status == 418,
				"mutation": revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.OldLaptopTokenUUID).Status == 418,
				"rest":     srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil).Status == 418,
			}
			for k := range got {
				if got[k] != c.hit[k] {
					t.Errorf("%s: faulted=%v", k, got[k])
				}
			}
		})
	}
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	pattern := func(seed int64) string {
		srv := emulatortest.Start(t, emulator.Options{Seed: seed, Faults: []emulator.Fault{{Kind: "status", Probability: 0.5}}})
		var b strings.Builder
		for range 40 {
			if srv.GraphQL(t, emulatortest.DemoToken, `{ viewer { id } }`, nil).Status == 503 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b := pattern(42), pattern(42)
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("probability 0.5 gave %s", a)
	}
	if pattern(43) == a {
		t.Errorf("different seeds gave the same pattern %s", a)
	}
}

func TestSetFaultsAndFixtureFaults(t *testing.T) {
	f := emulator.DemoFixture()
	f.Faults = []emulator.Fault{{Kind: "status", Status: 502, Match: "rest"}}
	srv := emulatortest.Start(t, emulator.Options{Fixture: f})
	if r := srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil); r.Status != 502 {
		t.Errorf("fixture fault: %d", r.Status)
	}
	if err := srv.SetFaults(nil); err != nil {
		t.Fatal(err)
	}
	if r := srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil); r.Status != 200 {
		t.Errorf("after clearing faults: %d", r.Status)
	}
	if err := srv.SetFaults([]emulator.Fault{{Kind: "meteor"}}); err == nil {
		t.Error("SetFaults accepted an unknown kind")
	}
}

func TestParseFault(t *testing.T) {
	good := map[string]emulator.Fault{
		"kind=status,status=503,match=mutation,times=2":        {Kind: "status", Status: 503, Match: "mutation", Times: 2},
		"drop-after,match=RevokeAPIAccessToken":                {Kind: "drop-after", Match: "RevokeAPIAccessToken"},
		"latency,delay=250ms,probability=0.25":                 {Kind: "latency", Delay: 250 * time.Millisecond, Probability: 0.25},
		"throttle,retry-after=3":                               {Kind: "throttle", RetryAfter: 3},
		"redirect,status=307,location=http://x.test/v1":        {Kind: "redirect", Status: 307, Location: "http://x.test/v1"},
		"false-answer,answer=other-mutation-id":                {Kind: "false-answer", Answer: "other-mutation-id"},
		"false-answer,answer=null-mutation-id":                 {Kind: "false-answer", Answer: "null-mutation-id"},
		"no-data,answer=null-data,match=query":                 {Kind: "no-data", Answer: "null-data", Match: "query"},
		"false-answer,answer=proof-with-error,error=not-admin": {Kind: "false-answer", Answer: "proof-with-error", Error: "not-admin"},
	}
	for spec, want := range good {
		got, err := emulator.ParseFault(spec)
		if err != nil || got != want {
			t.Errorf("%s: got %+v, %v", spec, got, err)
		}
		if again, err := emulator.ParseFault(got.String()); err != nil || again != want {
			t.Errorf("%s does not survive String: %q", spec, got.String())
		}
	}
	for _, spec := range []string{"", "kind=boom", "status,status=abc", "status,flavor=red", "latency", "status,probability=2", "status,times=-1", "status,oops", "redirect", "redirect,status=200,location=http://x.test/", "status,location=http://x.test/", "false-answer,answer=maybe", "status,answer=other-token", "no-data,answer=other-token", "false-answer,answer=null-data", "false-answer,answer=other-token,error=internal", "false-answer,answer=proof-with-error,error=no-route"} {
		if _, err := emulator.ParseFault(spec); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
}

func TestLatencyHonoursCancellation(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Latency: time.Minute})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v2/access-token", nil)
	req.Header.Set("Authorization", "Bearer "+emulatortest.DemoToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatal("request finished despite a minute's latency")
	}
	// The server gives up too, logging no status, long before the minute
	// it would otherwise have waited.
	deadline := time.Now().Add(20 * time.Second)
	for srv.CountRequests(nil) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Status != 0 {
		t.Errorf("server did not abandon the request: %+v", reqs)
	}
	if srv.TokenRevoked(emulatortest.DemoTokenUUID) {
		t.Error("unexpected state change")
	}
}
