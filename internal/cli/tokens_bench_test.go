package cli

import (
	"testing"
	"time"

	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// BenchmarkTokensListLarge measures `tokens list` over a whole organization
// with filters and a sort, JSON out: paging, selection and rendering
// together, at Buildkite's largest page.
func BenchmarkTokensListLarge(b *testing.B) {
	benchLargeOrgs(b, "tokens", "list", "--org", "acme", "--page-size", "500", "-o", "json", "--stale", "90d", "--sort", "-last-used")
}

// BenchmarkTokensListLatency lists 1,000 tokens at the default page size
// from a server 10ms away. Paging by cursor is sequential, so a run costs
// at least ten latencies (latencies/op); the rest is the emulator's work
// and decoding the pages.
func BenchmarkTokensListLatency(b *testing.B) {
	const latency = 10 * time.Millisecond
	srv := startLargeOrg(b, 990, latency) // 1,000 with the demo's ten
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		benchRun(b, srv, et.DemoToken, "tokens", "list", "--org", "acme", "-o", "json")
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(latency), "latencies/op")
}
