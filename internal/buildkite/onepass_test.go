package buildkite

import (
	"encoding/json"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
)

// The listing pages are the largest answers tokenctl reads (hundreds of
// kilobytes each, a hundred of them in a large organization). A type
// genqlient gives its own UnmarshalJSON (a fragment spread beside other
// fields, an interface) decodes its whole JSON a second time; none of the
// types on the path from a slug listing's answer to its tokens or members
// may have one.
func TestListingPagesDecodeInOnePass(t *testing.T) {
	for _, v := range []any{
		&gql.OrganizationTokensBySlugResponse{},
		&gql.OrganizationTokensBySlugOrganization{},
		&gql.APIAccessTokenPage{},
		&gql.APIAccessTokenPageEdgesOrganizationAPIAccessTokenEdge{},
		&gql.APIAccessTokenFields{},
		&gql.OrganizationMembersBySlugResponse{},
		&gql.OrganizationMembersBySlugOrganization{},
		&gql.OrganizationMemberPage{},
		&gql.OrganizationMemberPageEdgesOrganizationMemberEdge{},
		&gql.OrganizationMemberFields{},
	} {
		if _, ok := v.(json.Unmarshaler); ok {
			t.Errorf("%T has its own UnmarshalJSON: its pages would be decoded twice; spell out the fields instead of spreading a fragment beside them", v)
		}
	}
}
