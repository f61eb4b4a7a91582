package cli

import (
	"context"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// benchRun runs tokenctl in-process against srv as the demo admin, failing
// the benchmark unless it exits 0.
func benchRun(b *testing.B, srv *et.Server, token string, args ...string) {
	b.Helper()
	env := map[string]string{
		"BUILDKITE_API_TOKEN":         token,
		"BUILDKITE_GRAPHQL_ENDPOINT":  srv.GraphQLEndpoint,
		"BUILDKITE_REST_API_ENDPOINT": srv.RESTEndpoint,
		"TOKENCTL_CONFIG":             "",
	}
	ios, _, errOut := iostreams.Test("")
	f := &Factory{IO: ios, Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, Now: func() time.Time { return fixedNow }}
	if code := Run(context.Background(), f, args); code != 0 {
		b.Fatalf("tokenctl %v: exit %d: %s", args, code, errOut)
	}
}

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
