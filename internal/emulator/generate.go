package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

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
		f.addGeneratedToken(orgSlug, owner, generatedProfiles[i%len(generatedProfiles)], i+1)
	}
}

// AddGeneratedOrganizations appends g.Count organizations, in order, after
// those already in f (Viewer.organizations lists them last), and grants
// each to the tokens g names. Their uuids derive from their slugs, so the
// same call always gives the same organizations. Call Validate (or pass the
// fixture to New) to check members and slugs.
func (f *Fixture) AddGeneratedOrganizations(g FixtureGenerateOrganizations) error {
	switch {
	case g.Count < 0:
		return fmt.Errorf("negative count %d", g.Count)
	case strings.Count(g.Slug, "%") != 1 || !strings.Contains(g.Slug, "d"):
		return fmt.Errorf("slug %q must be a pattern with one %%d, such as org-%%03d", g.Slug)
	}
	for _, id := range g.Tokens {
		if !slices.ContainsFunc(f.Tokens, func(t FixtureToken) bool { return strings.EqualFold(t.UUID, id) }) {
			return fmt.Errorf("token %s is not among the fixture's tokens", id)
		}
	}
	for n := 1; n <= g.Count; n++ {
		slug := fmt.Sprintf(g.Slug, n)
		if strings.Contains(slug, "%!") {
			return errors.New("slug pattern " + g.Slug + " does not format a number")
		}
		f.Organizations = append(f.Organizations, FixtureOrganization{
			UUID:    uuidFromName("organization " + slug),
			Slug:    slug,
			Name:    fmt.Sprintf("Generated organization %d", n),
			Members: slices.Clone(g.Members),
		})
		for i := range f.Tokens {
			if slices.ContainsFunc(g.Tokens, func(id string) bool { return strings.EqualFold(f.Tokens[i].UUID, id) }) {
				f.Tokens[i].Organizations = append(f.Tokens[i].Organizations, slug)
			}
		}
	}
	return nil
}

// addGeneratedToken appends one synthetic token of profile p, the nth of
// its batch, named by its position in f.Tokens.
func (f *Fixture) addGeneratedToken(orgSlug, owner string, p generatedProfile, nth int) {
	pos := len(f.Tokens)
	name := fmt.Sprintf("%s/%d", orgSlug, pos)
	sum := sha256.Sum256([]byte("tokenctl emulator value " + name))
	t := FixtureToken{
		UUID:           uuidFromName(name),
		Value:          "bkua_" + hex.EncodeToString(sum[:20]),
		Description:    fmt.Sprintf("Generated token %d (%s)", nth, p.kind),
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

// uuidFromName is a uuid that depends only on name, for synthetic objects.
func uuidFromName(name string) string {
	return uuid.NewSHA1(generatedNamespace, []byte(name)).String()
}
