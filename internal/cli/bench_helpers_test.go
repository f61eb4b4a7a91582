package cli

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
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
	clitest.SetEnv(b, env)
	f := &cmdutil.Factory{IO: ios, Now: func() time.Time { return fixedNow }}
	if code := Run(context.Background(), f, args); code != 0 {
		b.Fatalf("tokenctl %v: exit %d: %s", args, code, errOut)
	}
}

// startLargeOrg starts the emulator with the demo seed plus extra
// generated tokens in acme, each answer delayed by latency. Rate limits
// are out of reach, so a benchmark measures tokenctl, not waiting.
func startLargeOrg(b *testing.B, extra int, latency time.Duration) *et.Server {
	b.Helper()
	fx := emulator.DemoFixture()
	fx.AddGeneratedTokens("acme", extra, et.DemoAdminEmail)
	return et.Start(b, emulator.Options{Fixture: fx, Latency: latency, RateLimit: 1 << 30, RESTRateLimit: 1 << 30, Now: func() time.Time { return fixedNow }})
}

// benchLargeOrgs runs tokenctl with args as the demo admin against acme
// grown by 1,000 and by 10,000 generated tokens, one sub-benchmark each.
func benchLargeOrgs(b *testing.B, args ...string) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			srv := startLargeOrg(b, n, 0)
			b.ResetTimer()
			for b.Loop() {
				benchRun(b, srv, et.DemoToken, args...)
			}
		})
	}
}
