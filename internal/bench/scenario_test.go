package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func fakeOrg(n int) *Emulator {
	e := &Emulator{}
	for i := range n {
		e.Tokens = append(e.Tokens, fmt.Sprintf("token-%d", i))
	}
	return e
}

func TestSpreadReachesTheLastToken(t *testing.T) {
	tokens := fakeOrg(2000).Tokens
	got := spread(tokens, 100)
	if len(got) != 100 || got[0] != "token-19" || got[99] != "token-1999" {
		t.Errorf("spread = %d tokens, first %s, last %s", len(got), got[0], got[len(got)-1])
	}
	if got := spread(tokens[:3], 5); len(got) != 3 {
		t.Errorf("spread of 3 asked for 5 = %v", got)
	}
}

func TestFloors(t *testing.T) {
	s := Settings{PageSize: 500, Concurrency: 4}
	org := fakeOrg(2000)
	bulk := spread(org.Tokens, 100)
	cases := []struct {
		name    string
		floor   func(Settings, *Emulator, []string) int
		org     *Emulator
		targets []string
		want    int
	}{
		// Four pages to see the last token, then 25 rounds of 4.
		{"bulk 100 of 2,000", batchFloor, org, bulk, 4 + 25},
		{"single on the first page", batchFloor, fakeOrg(50), []string{"token-49"}, 1 + 1},
		{"single on the last page", batchFloor, fakeOrg(5000), []string{"token-4999"}, 10 + 1},
		// Four pages then the mutation, a hundred times.
		{"naive bulk", naiveFloor, org, bulk, 100 * (4 + 1)},
		{"naive bulk, listing shrinks below a page boundary", naiveFloor, fakeOrg(501), []string{"token-0", "token-1"}, (2 + 1) + (1 + 1)},
		{"list 5,000", listFloor, fakeOrg(5000), nil, 10},
		// One run per token, each paging up to its token: tokens 19, 39, ...
		// sit on page 1 until the listing has shrunk past them.
		{"shell loop, two tokens", loopFloor, fakeOrg(1000), []string{"token-499", "token-999"}, (1 + 1) + (2 + 1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.floor(s, tc.org, tc.targets); got != tc.want {
				t.Errorf("floor = %d round trips, want %d", got, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	scs := Scenarios(DefaultSizes())
	byName := map[string]*Scenario{}
	for _, sc := range scs {
		byName[sc.Name] = sc
	}
	// Bulk revocation waited 600 ms for the emulator's answers; the speed-up
	// is the paired one Run measured.
	results := func(bulkWall time.Duration, speedup float64, throttled int) []Result {
		return []Result{
			{Scenario: byName[NameBulk], FloorTrips: 29, Latency: 20 * time.Millisecond, ServerWait: 600 * time.Millisecond, Wall: bulkWall, Throttled: throttled, Speedup: map[string]float64{NameNaiveBulk: speedup}},
			{Scenario: byName[NameNaiveBulk], FloorTrips: 500, Latency: 20 * time.Millisecond, ServerWait: 15 * time.Second, Wall: 20 * time.Second},
		}
	}
	check := func(wall, wait time.Duration) []Result {
		return []Result{{Scenario: byName[NameCheck], FloorTrips: 10, Latency: 20 * time.Millisecond, ServerWait: wait, Wall: wall}}
	}
	if missed := Check(results(800*time.Millisecond, 25, 0)); len(missed) != 0 {
		t.Errorf("targets met, yet Check says %q", missed)
	}
	// 2.5× the 200 ms floor, but 1.25× what the emulator's answers took.
	if missed := Check(check(500*time.Millisecond, 400*time.Millisecond)); len(missed) != 0 {
		t.Errorf("check within 1.5× its server wait, yet Check says %q", missed)
	}
	for name, tc := range map[string]struct {
		results []Result
		want    string
	}{
		"too close to naive":        {results(800*time.Millisecond, 24.9, 0), "24.9× faster than the naive loop"},
		"too far from server wait":  {results(901*time.Millisecond, 30, 0), "bulk revoke took 1.50× the emulator's answers"},
		"throttled":                 {results(800*time.Millisecond, 25, 3), "3 requests were throttled"},
		"check too far from server": {check(601*time.Millisecond, 400*time.Millisecond), "check took 1.50× the emulator's answers"},
	} {
		missed := Check(tc.results)
		if len(missed) != 1 || !strings.Contains(missed[0], tc.want) {
			t.Errorf("%s: Check = %q, want one complaint about %q", name, missed, tc.want)
		}
	}
	repeat := func(trips int) []Result {
		return []Result{{Scenario: byName[NameRepeatIDs], RoundTrips: trips, FloorTrips: 1}}
	}
	if missed := Check(repeat(1)); len(missed) != 0 {
		t.Errorf("a repeat run by ids at its floor, yet Check says %q", missed)
	}
	if missed := Check(repeat(2)); len(missed) != 1 || !strings.Contains(missed[0], "2 sequential round trips, want the mutations' 1") {
		t.Errorf("a repeat run by ids listing first: Check = %q", missed)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 50: "50", 999: "999", 1000: "1,000", 5000: "5,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
