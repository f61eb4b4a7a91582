package cli

import (
	"fmt"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// BenchmarkTokensListLarge measures `tokens list` over a whole organization
// with filters and a sort, JSON out: paging, selection and rendering
// together, at Buildkite's largest page.
func BenchmarkTokensListLarge(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			fx := emulator.DemoFixture()
			fx.AddGeneratedTokens("acme", n, et.DemoAdminEmail)
			srv := et.Start(b, emulator.Options{Fixture: fx, RateLimit: 1 << 30, RESTRateLimit: 1 << 30, Now: func() time.Time { return fixedNow }})
			b.ResetTimer()
			for b.Loop() {
				benchRun(b, srv, et.DemoToken, "tokens", "list", "--org", "acme", "--page-size", "500", "-o", "json", "--stale", "90d", "--sort", "-last-used")
			}
		})
	}
}

// BenchmarkTokensListLatency lists 1,000 tokens at the default page size
// from a server 10ms away. Paging by cursor is sequential, so a run costs
// at least ten latencies (latencies/op); the rest is the emulator's work
// and decoding the pages.
func BenchmarkTokensListLatency(b *testing.B) {
	const latency = 10 * time.Millisecond
	fx := emulator.DemoFixture()
	fx.AddGeneratedTokens("acme", 990, et.DemoAdminEmail) // 1,000 with the demo's ten
	srv := et.Start(b, emulator.Options{Fixture: fx, Latency: latency, RateLimit: 1 << 30, RESTRateLimit: 1 << 30, Now: func() time.Time { return fixedNow }})
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		benchRun(b, srv, et.DemoToken, "tokens", "list", "--org", "acme", "-o", "json")
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(latency), "latencies/op")
}
