package cli

import "testing"

// BenchmarkPolicyShowLarge measures policy show on an organization with
// many tokens: one policy query and one listing, paged at the maximum size.
func BenchmarkPolicyShowLarge(b *testing.B) {
	benchLargeOrgs(b, "policy", "show", "--org", "acme", "--page-size", "500", "-o", "json")
}
