package revoke

import (
	"context"
	"strings"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// OtherOrganizationError is a token file listed from one organization
// given to a run that acts on another. Token uuids are the same in every
// organization a token can access, so acting on such a file would revoke
// the same tokens from the wrong organization.
type OtherOrganizationError struct {
	Listed buildkite.Organization // as the file records it
	Acting buildkite.Organization // as Buildkite resolved the run's
}

func (e *OtherOrganizationError) Error() string {
	return "the tokens were listed from organization " + orgLabel(e.Listed) + ", but this run acts on organization " + orgLabel(e.Acting)
}

func orgLabel(o buildkite.Organization) string {
	for _, s := range []string{o.Slug, o.ID, o.UUID} {
		if s != "" {
			return s
		}
	}
	return "(unnamed)"
}

// CheckListedFrom refuses, with an *OtherOrganizationError, a plan whose
// organization is not the one a token file was listed from. It compares
// what Buildkite says of the organization acted on with what the file
// recorded, strongest identity first (uuid, then id, then slug, which an
// organization can change). A plan that needed no look-up (organization
// and tokens all named by id) has only the id the user typed, so the
// organization is looked up first. It sends no mutation.
func CheckListedFrom(ctx context.Context, c *buildkite.Client, plan *Plan, listed buildkite.Organization) error {
	acting := plan.Organization
	if acting.UUID == "" && acting.Slug == "" {
		found, err := c.Organization(ctx, ident.Org{ID: acting.ID})
		if err != nil {
			return err
		}
		acting = found
	}
	if sameOrganization(acting, listed) {
		return nil
	}
	return &OtherOrganizationError{Listed: listed, Acting: acting}
}

func sameOrganization(a, b buildkite.Organization) bool {
	switch {
	case a.UUID != "" && b.UUID != "":
		return strings.EqualFold(a.UUID, b.UUID)
	case a.ID != "" && b.ID != "":
		return a.ID == b.ID
	case a.Slug != "" && b.Slug != "":
		return strings.EqualFold(a.Slug, b.Slug)
	}
	return false
}
