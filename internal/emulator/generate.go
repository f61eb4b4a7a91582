package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/google/uuid"
)

// generatedNamespace seeds the uuids of synthetic tokens so that the same
// fixture always produces the same tokens.
var generatedNamespace = uuid.MustParse("6f1d3c1e-6b43-4c1a-9a8e-2f8a7f1b0c00")

// generatedProfile is one kind of token a real organization accumulates.
// Synthetic tokens cycle through these so any page of them has a mix.
type generatedProfile struct {
	kind       string
	lastUsed   string // relative to the creation of the token set; "" = never
	expires    string // "" = never
	scopes     []string
	lastUsedIP bool
}

var generatedProfiles = []generatedProfile{
	{kind: "never used", scopes: []string{"GRAPHQL", "READ_BUILDS"}},
	{kind: "stale", lastUsed: "now-200d", scopes: []string{"READ_BUILDS", "READ_PIPELINES"}, lastUsedIP: true},
	{kind: "recent", lastUsed: "now-2h", expires: "now+60d", scopes: []string{"GRAPHQL", "READ_BUILDS", "WRITE_BUILDS"}, lastUsedIP: true},
	{kind: "expiring soon", lastUsed: "now-10d", expires: "now+3d", scopes: []string{"READ_AGENTS"}, lastUsedIP: true},
	{kind: "expired", lastUsed: "now-40d", expires: "now-5d", scopes: []string{"GRAPHQL", "READ_ARTIFACTS"}, lastUsedIP: true},
	{kind: "recent admin", lastUsed: "now-1d", scopes: []string{"GRAPHQL", "READ_ORGANIZATIONS", "WRITE_ORGANIZATIONS"}, lastUsedIP: true},
	{kind: "stale teams", lastUsed: "now-95d", scopes: []string{"READ_TEAMS", "WRITE_TEAMS"}, lastUsedIP: true},
	{kind: "never used, expiring", expires: "now+90d", scopes: []string{"READ_SUITES", "WRITE_SUITES"}},
}

// AddGeneratedTokens appends n synthetic tokens owned by owner (an email) that
// can access orgSlug. Their uuids and values derive from the organization and
// the token's position in f.Tokens, so the same sequence of calls always
// gives the same tokens. Creation times increase with the position, which
// keeps paging order equal to generation order. Call Validate (or pass the
// fixture to New) to check owner and slug.
func (f *Fixture) AddGeneratedTokens(orgSlug string, n int, owner string) {
	for i := range n {
		pos := len(f.Tokens)
		p := generatedProfiles[i%len(generatedProfiles)]
		name := fmt.Sprintf("%s/%d", orgSlug, pos)
		sum := sha256.Sum256([]byte("tokenctl emulator value " + name))
		t := FixtureToken{
			UUID:           uuid.NewSHA1(generatedNamespace, []byte(name)).String(),
			Value:          "bkua_" + hex.EncodeToString(sum[:20]),
			Description:    fmt.Sprintf("Generated token %d (%s)", i+1, p.kind),
			Owner:          owner,
			Scopes:         append([]string(nil), p.scopes...),
			Organizations:  []string{orgSlug},
			CreatedAt:      fmt.Sprintf("now-800d+%dm", pos),
			ExpiresAt:      p.expires,
			LastAccessedAt: p.lastUsed,
		}
		if p.lastUsedIP {
			t.IPAddress = fmt.Sprintf("10.%d.%d.%d", pos/65536%256, pos/256%256, pos%256)
		}
		f.Tokens = append(f.Tokens, t)
	}
}
