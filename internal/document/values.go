package document

import (
	"fmt"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// Optional is s, or null when it is empty: documents print an unknown or
// absent text as null rather than "".
func Optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Deref is the text of an optional field, "" when it is null.
func Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// UTC is t in UTC, nil staying nil: documents print times in UTC.
func UTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// FormatUser names a person as a mail client does: "Name <email>", or
// whichever of the two is known.
func FormatUser(name, email string) string {
	switch {
	case name == "" && email == "":
		return ""
	case email == "":
		return name
	case name == "":
		return email
	}
	return name + " <" + email + ">"
}

// OrgName names an organization in a message the way --org takes it: its
// slug, or its GraphQL id when the slug is not known.
func OrgName(o buildkite.Organization) string {
	if o.Slug != "" {
		return o.Slug
	}
	return o.ID
}

// describeOrg names an organization for people: "slug (Name)".
func describeOrg(slug, name string) string {
	if name == "" {
		return slug
	}
	return fmt.Sprintf("%s (%s)", slug, name)
}
