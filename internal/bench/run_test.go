package bench

import (
	"strings"
	"testing"
)

// TestRunMeasuresEveryScenario runs the whole bench small and without added
// latency: each scenario must do its job, with the requests its floor
// implies, and the table must show every one.
func TestRunMeasuresEveryScenario(t *testing.T) {
	sizes := Sizes{SmallOrg: 20, LargeOrg: 95, BulkOrg: 60, BulkTokens: 6, CheckOrg: 95, CheckUsers: 20}
	settings := Settings{PageSize: 10, Concurrency: 2}
	results, err := Run(t.Context(), Options{Settings: settings, Sizes: sizes})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(Scenarios(sizes)) {
		t.Fatalf("%d results for %d scenarios", len(results), len(Scenarios(sizes)))
	}
	// GraphQL and REST requests each scenario must send: the listing pages
	// its floor counts plus one mutation per token, and tokenctl's
	// self-check once, unless an earlier run remembered its answer.
	want := map[string]struct{ graphQL, rest, mutations int }{
		NameSingleSmall: {2 + 1, 1, 1},   // 20 tokens: two pages, the token on the second
		NameSingleLarge: {10 + 1, 1, 1},  // 95 tokens: ten pages
		NameSingleIDs:   {10 + 1, 1, 1},  // ten pages, to the page that lists the named id
		NameRepeatIDs:   {0 + 1, 0, 1},   // the mutation alone: the dry run before it listed the named id for another token
		NameBulk:        {6 + 6, 1, 6},   // every tenth of 60: six pages
		NameNaiveBulk:   {6*6 + 6, 0, 6}, // the whole listing (six pages, 60 down to 55 tokens) each time
		NameLoopBulk:    {21 + 6, 1, 6},  // each run pages up to its token: 1+2+3+4+5+6 pages; the first asks
		NameList:        {10, 0, 0},
		NameCheck:       {10 + 3, 0, 0}, // ten pages of tokens and, alongside, three of 22 members
	}
	for _, r := range results {
		w := want[r.Scenario.Name]
		if r.GraphQL != w.graphQL || r.REST != w.rest || r.Mutations != w.mutations {
			t.Errorf("%s: %d GraphQL (%d mutations) and %d REST requests, want %d (%d) and %d",
				r.Scenario.Name, r.GraphQL, r.Mutations, r.REST, w.graphQL, w.mutations, w.rest)
		}
		if r.Throttled != 0 {
			t.Errorf("%s: %d requests throttled", r.Scenario.Name, r.Throttled)
		}
		// Requests that had to wait for one another cannot number fewer
		// than the floor, whatever overlapped.
		if r.RoundTrips < r.FloorTrips {
			t.Errorf("%s: %d sequential round trips, below the floor of %d", r.Scenario.Name, r.RoundTrips, r.FloorTrips)
		}
		if r.Scenario.Name == NameRepeatIDs && r.RoundTrips != 1 {
			t.Errorf("%s: %d sequential round trips, want 1", r.Scenario.Name, r.RoundTrips)
		}
		if r.Wall <= 0 || r.Allocated == 0 || r.PeakHeap == 0 {
			t.Errorf("%s: nothing measured: %+v", r.Scenario.Name, r)
		}
		// The run waited for every answer on its chain, and did more.
		if r.ServerWait <= 0 || r.ServerWait > r.Wall {
			t.Errorf("%s: server wait %v, wall time %v", r.Scenario.Name, r.ServerWait, r.Wall)
		}
		if r.Scenario.Name == NameBulk {
			for _, b := range r.Scenario.Against {
				if r.Speedup[b] <= 0 {
					t.Errorf("%s: no speed-up over %s: %v", r.Scenario.Name, b, r.Speedup)
				}
			}
		}
	}

	var table strings.Builder
	if err := WriteTable(&table, results); err != nil {
		t.Fatal(err)
	}
	for _, sc := range Scenarios(sizes) {
		if !strings.Contains(table.String(), "| "+sc.Name) {
			t.Errorf("table has no row for %q:\n%s", sc.Name, table.String())
		}
	}
	if !strings.Contains(table.String(), "× vs naive loop, ") || !strings.Contains(table.String(), "× vs shell loop |") {
		t.Errorf("table does not compare bulk revoke with the naive loop:\n%s", table.String())
	}
}

// TestRunInterleavesBaselines: each baseline run sits between two runs of
// the scenario compared with it, and the speed-up is their ratio.
func TestRunInterleavesBaselines(t *testing.T) {
	sizes := Sizes{SmallOrg: 20, LargeOrg: 95, BulkOrg: 60, BulkTokens: 6, CheckOrg: 95, CheckUsers: 20}
	var progress strings.Builder
	only := func(sc *Scenario) bool { return sc.Name == NameBulk || sc.Name == NameNaiveBulk }
	results, err := Run(t.Context(), Options{Settings: Settings{PageSize: 10, Concurrency: 2}, Sizes: sizes, Runs: 1, BaselineRuns: 2, Only: only, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, line := range strings.Split(strings.TrimSpace(progress.String()), "\n") {
		order = append(order, strings.TrimSuffix(strings.TrimPrefix(line, "bench: "), " (org of 60)"))
	}
	want := []string{NameBulk, NameNaiveBulk, NameBulk, NameNaiveBulk, NameBulk}
	if strings.Join(order, "|") != strings.Join(want, "|") {
		t.Errorf("runs in the order\n%q\nwant\n%q", order, want)
	}
	if len(results) != 2 || results[0].Scenario.Name != NameBulk || results[1].Scenario.Name != NameNaiveBulk {
		t.Fatalf("results %+v", results)
	}
	if s := results[0].Speedup[NameNaiveBulk]; s <= 1 {
		t.Errorf("bulk revoke %.2f× faster than the naive loop, which sends six times the requests", s)
	}
}
