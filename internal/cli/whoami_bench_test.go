package cli

import (
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// BenchmarkWhoamiLatency measures whoami against a server with a fixed
// per-request latency. REST and GraphQL are asked at once, so a run should
// cost about one latency, not two: the latencies/op metric shows it.
func BenchmarkWhoamiLatency(b *testing.B) {
	const latency = 20 * time.Millisecond
	srv := et.Start(b, emulator.Options{Latency: latency, RESTRateLimit: 1 << 30, Now: func() time.Time { return fixedNow }})
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		benchRun(b, srv, et.DemoToken, "whoami", "-o", "json")
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(latency), "latencies/op")
}
