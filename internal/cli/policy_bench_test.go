package cli

import (
	"fmt"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// BenchmarkPolicyShowLarge measures policy show on an organization with
// many tokens: one policy query and one listing, paged at the maximum size.
func BenchmarkPolicyShowLarge(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			fx := emulator.DemoFixture()
			fx.AddGeneratedTokens("acme", n, et.DemoAdminEmail)
			srv := et.Start(b, emulator.Options{Fixture: fx, RateLimit: 1 << 30, RESTRateLimit: 1 << 30, Now: func() time.Time { return fixedNow }})
			b.ResetTimer()
			for b.Loop() {
				benchRun(b, srv, et.DemoToken, "policy", "show", "--org", "acme", "--page-size", "500", "-o", "json")
			}
		})
	}
}
