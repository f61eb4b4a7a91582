package buildkite

import "time"

// Organization is a Buildkite organization as tokenctl needs it.
type Organization struct {
	ID   string `json:"id"`
	UUID string `json:"uuid,omitempty"`
	Slug string `json:"slug"`
	Name string `json:"name,omitempty"`
}

// User is a token's owner or the caller.
type User struct {
	ID    string `json:"id,omitempty"`
	UUID  string `json:"uuid,omitempty"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Bot marks an official bot account managed by Buildkite.
	Bot bool `json:"-"`
	// MachineUser marks a machine user account (User.machineUser): one
	// the organization keeps for automation, not a person.
	MachineUser bool `json:"-"`
}

// Member is a user's membership of an organization.
type Member struct {
	User             User
	Role             string     // ADMIN or MEMBER
	LastSeenAt       *time.Time // nil: never seen in the organization
	TwoFactorEnabled bool
	SSOMode          string // OPTIONAL, REQUIRED, or "" when SSO does not apply
}

// Token is a user's API access token as one organization sees it.
type Token struct {
	ID             string
	UUID           string
	Description    string
	Scopes         []string
	CreatedAt      time.Time
	ExpiresAt      *time.Time // nil: never expires
	LastAccessedAt *time.Time // nil: never used
	IPAddress      string     // of the last request, not an allowlist
	Owner          *User
}

// RevokeResult is the mutation's payload.
type RevokeResult struct {
	RevokedAPIAccessTokenID string
	ClientMutationID        string
}

// AccessToken describes the token a REST request was made with.
type AccessToken struct {
	UUID        string    `json:"uuid"`
	Scopes      []string  `json:"scopes"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	User        struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"user"`
}

// Viewer is the caller as GraphQL sees it.
type Viewer struct {
	User          *User
	Organizations []Organization
	// OrganizationCount is how many organizations Buildkite says the user
	// belongs to; it can be more than it listed.
	OrganizationCount int
}

// Unlisted is how many of the user's organizations Buildkite counted but
// did not list.
func (v Viewer) Unlisted() int { return max(v.OrganizationCount-len(v.Organizations), 0) }
