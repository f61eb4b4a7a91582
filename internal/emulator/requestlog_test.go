package emulator_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

func TestRequestLog(t *testing.T) {
	srv, _ := startDemo(t)
	srv.GraphQL(t, emulatortest.DemoToken, `query Who { viewer { id } }`, nil)
	revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.OldLaptopTokenUUID)
	srv.Do(t, "GET", "/v2/access-token", emulatortest.CIDeployBotToken, nil)
	srv.GraphQL(t, "", `{ viewer { id } }`, nil)

	want := []emulator.Request{
		{Time: epoch, Method: "POST", Path: "/v1", Kind: "graphql", Operation: "Who", OperationType: "query", Status: 200, Caller: emulatortest.DemoTokenUUID, Complexity: 1},
		{Time: epoch, Method: "POST", Path: "/v1", Kind: "graphql", Operation: "Revoke", OperationType: "mutation", Status: 200, Caller: emulatortest.DemoTokenUUID, Complexity: 1},
		{Time: epoch, Method: "GET", Path: "/v2/access-token", Kind: "rest", Operation: "GET /v2/access-token", Status: 200, Caller: emulatortest.CIDeployBotUUID},
		{Time: epoch, Method: "POST", Path: "/v1", Kind: "graphql", OperationType: "query", Status: 401},
	}
	got := srv.Requests()
	if len(got) != len(want) {
		t.Fatalf("logged %d requests, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if n := srv.CountRequests(func(r emulator.Request) bool { return r.OperationType == "mutation" }); n != 1 {
		t.Errorf("CountRequests(mutations) = %d", n)
	}
	srv.ResetRequests()
	if n := srv.CountRequests(nil); n != 0 {
		t.Errorf("after reset: %d", n)
	}
}

func TestMaxInFlight(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Latency: 200 * time.Millisecond})
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			srv.GraphQL(t, emulatortest.DemoToken, `{ viewer { id } }`, nil)
		})
	}
	wg.Wait()
	if got := srv.MaxInFlight(); got != 5 {
		t.Errorf("MaxInFlight = %d, want 5", got)
	}
	// A client that waits for each answer never has two requests in flight.
	srv.ResetRequests()
	for range 5 {
		srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil)
		if n := srv.CountRequests(nil); n == 0 {
			t.Fatal("answered request missing from the log")
		}
	}
	if got := srv.MaxInFlight(); got != 1 {
		t.Errorf("sequential requests: MaxInFlight = %d, want 1", got)
	}
}

// TestLatencyAndJitter holds the emulator to its delays without timing an
// upper bound on a shared machine: every answer takes at least the latency
// (a sleep is never shorter), and each jitter draw lies in [0, jitter) and
// the draws differ.
func TestLatencyAndJitter(t *testing.T) {
	const latency, jitter = 60 * time.Millisecond, 40 * time.Millisecond
	opts := emulator.Options{Latency: latency, Jitter: jitter, Seed: 7}
	srv := emulatortest.Start(t, opts)
	for range 3 {
		start := time.Now()
		srv.Do(t, "GET", "/v2/access-token", emulatortest.DemoToken, nil)
		if d := time.Since(start); d < latency {
			t.Errorf("answered in %v, want at least the latency %v", d, latency)
		}
	}
	draws, err := emulator.JitterDraws(opts, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[time.Duration]bool{}
	for _, d := range draws {
		if d < 0 || d >= jitter {
			t.Fatalf("jitter draw %v, want within [0, %v)", d, jitter)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Errorf("%d distinct jitter draws of 1000, want them spread", len(seen))
	}
}
