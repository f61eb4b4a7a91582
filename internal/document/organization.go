package document

import "github.com/tokenctl/tokenctl/internal/buildkite"

// An organization is printed in three shapes, one type each, and every
// document names its organization with one of them. The shapes differ in
// keys because their documents' contracts already did when they were
// made one: fields are never removed or made non-null.

// Organization is an organization as a listing knows it: the token
// listing, whoami, and the organization a `tokens list` file records.
type Organization struct {
	ID   string `json:"id"`
	UUID string `json:"uuid"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// OrganizationOf is the document's view of the client's organization.
func OrganizationOf(o buildkite.Organization) Organization {
	return Organization{ID: o.ID, UUID: o.UUID, Slug: o.Slug, Name: o.Name}
}

// String is the organization as --org takes it: slug, else id.
func (o Organization) String() string {
	return OrgName(buildkite.Organization{ID: o.ID, Slug: o.Slug})
}

// Describe names the organization for people: "slug (Name)".
func (o Organization) Describe() string { return describeOrg(o.Slug, o.Name) }

// OrganizationRef names the organization a document is about, without its
// uuid: the revocation setting, the audit log (history, tokens activity,
// reconcile) and, with counts beside it, each organization a check read.
type OrganizationRef struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// OrganizationRefOf is the reference to the client's organization.
func OrganizationRefOf(o buildkite.Organization) OrganizationRef {
	return OrganizationRef{ID: o.ID, Slug: o.Slug, Name: o.Name}
}

// Describe names the organization for people: "slug (Name)".
func (o OrganizationRef) Describe() string { return describeOrg(o.Slug, o.Name) }

// OrgRef names the organization a revocation acts in, as a result row and
// a plan entry print it: the id, and the slug, null when the organization
// was given by id and not looked up.
type OrgRef struct {
	ID   string  `json:"id"`
	Slug *string `json:"slug"`
}

// OrgRefOf is the reference to the client's organization; its slug is
// null when unknown.
func OrgRefOf(o buildkite.Organization) OrgRef {
	return OrgRef{ID: o.ID, Slug: Optional(o.Slug)}
}

// Name is the organization as --org takes it: slug, else id.
func (o OrgRef) Name() string { return OrgName(buildkite.Organization{ID: o.ID, Slug: Deref(o.Slug)}) }
