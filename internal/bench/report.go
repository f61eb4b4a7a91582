package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Targets `make bench` holds tokenctl to, for bulk revocation at the
// default settings.
const (
	// MinSpeedupOverNaive: bulk revocation must beat the naive runbook loop
	// by at least this factor.
	MinSpeedupOverNaive = 25
	// MaxOverFloor: bulk revocation and a check must take at most this
	// many times the floor measured in the run (Result.ServerWait): the
	// latency and the emulator's own time answering, along the chain of
	// requests the job waits for one after another.
	MaxOverFloor = 1.5
	// MaxCheckHeap: a check of the large organization must peak below this
	// Go heap.
	MaxCheckHeap = 64 << 20
)

// find returns the result of the named scenario.
func find(results []Result, name string) (Result, bool) {
	for _, r := range results {
		if r.Scenario.Name == name {
			return r, true
		}
	}
	return Result{}, false
}

// WriteTable prints the results as a Markdown table.
func WriteTable(w io.Writer, results []Result) error {
	var b strings.Builder
	b.WriteString("| Scenario | Requests | Sequential round trips (floor) | Wall time | Floor | × floor | Server wait | × server wait | Speed-up | Peak heap | Allocated |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range results {
		var speedups []string
		for _, name := range r.Scenario.Against {
			if base, ok := find(results, name); ok && r.Speedup[name] > 0 {
				speedups = append(speedups, fmt.Sprintf("%.1f× vs %s", r.Speedup[name], base.Scenario.Short))
			}
		}
		speedup := strings.Join(speedups, ", ")
		switch {
		case r.Scenario.Baseline:
			speedup = "baseline"
		case speedup == "":
			speedup = "—"
		}
		requests := fmt.Sprintf("%d", r.GraphQL)
		if r.REST > 0 {
			requests += fmt.Sprintf(" + %d REST", r.REST)
		}
		if r.Throttled > 0 {
			requests += fmt.Sprintf(" (%d throttled)", r.Throttled)
		}
		fmt.Fprintf(&b, "| %s | %s | %d (%d) | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Scenario.Describe(r.Targets), requests, r.RoundTrips, r.FloorTrips,
			duration(r.Wall), duration(r.Floor()), ratio(r.OverFloor()),
			duration(r.ServerWait), ratio(r.OverServer()), speedup,
			bytes(r.PeakHeap), bytes(r.Allocated))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Check holds the results to the targets and says what missed.
func Check(results []Result) []string {
	var missed []string
	for _, r := range results {
		if r.Throttled > 0 {
			missed = append(missed, fmt.Sprintf("%s: %d requests were throttled (HTTP 429)", r.Scenario.Name, r.Throttled))
		}
	}
	// Once the identity and the own token's id are remembered, nothing
	// is left to look up before the mutations.
	if r, ok := find(results, NameRepeatIDs); ok && r.RoundTrips > r.FloorTrips {
		missed = append(missed, fmt.Sprintf("%s: %d sequential round trips, want the mutations' %d", r.Scenario.Name, r.RoundTrips, r.FloorTrips))
	}
	if check, ok := find(results, NameCheck); ok {
		if o := check.OverServer(); o > MaxOverFloor {
			missed = append(missed, fmt.Sprintf("check took %.2f× the emulator's answers along its chain of requests; the target is at most %.1f×", o, MaxOverFloor))
		}
		if check.PeakHeap >= MaxCheckHeap {
			missed = append(missed, fmt.Sprintf("check peaked at %s of heap; the target is under %s", bytes(check.PeakHeap), bytes(MaxCheckHeap)))
		}
	}
	bulk, ok := find(results, NameBulk)
	if !ok {
		return missed
	}
	if s, ok := bulk.Speedup[NameNaiveBulk]; ok && s < MinSpeedupOverNaive {
		missed = append(missed, fmt.Sprintf("bulk revoke is %.1f× faster than the naive loop (median of paired runs); the target is %d×", s, MinSpeedupOverNaive))
	}
	if o := bulk.OverServer(); o > MaxOverFloor {
		missed = append(missed, fmt.Sprintf("bulk revoke took %.2f× the emulator's answers along its chain of requests; the target is at most %.1f×", o, MaxOverFloor))
	}
	return missed
}

func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func ratio(x float64) string {
	if x <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", x)
}

func bytes(n uint64) string {
	const mib = 1 << 20
	if n >= 10*mib {
		return fmt.Sprintf("%d MiB", n/mib)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/mib)
}
