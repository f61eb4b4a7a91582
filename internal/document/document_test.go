package document

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

func TestFormatUser(t *testing.T) {
	for _, c := range []struct{ name, email, want string }{
		{"Mo Member", "mo@acme.example", "Mo Member <mo@acme.example>"},
		{"Mo Member", "", "Mo Member"},
		{"", "mo@acme.example", "mo@acme.example"},
		{"", "", ""},
	} {
		if got := FormatUser(c.name, c.email); got != c.want {
			t.Errorf("FormatUser(%q, %q) = %q, want %q", c.name, c.email, got, c.want)
		}
		// Every user shape says the same.
		for _, s := range []string{User{Name: c.name, Email: c.email}.String(), Owner{Name: c.name, Email: c.email}.String(), WhoamiUser{Name: c.name, Email: c.email}.String()} {
			if s != c.want {
				t.Errorf("String() = %q, want %q", s, c.want)
			}
		}
	}
}

func TestOrganizationNames(t *testing.T) {
	o := Organization{ID: "T3Jn", Slug: "acme", Name: "Acme Inc"}
	if o.String() != "acme" || o.Describe() != "acme (Acme Inc)" {
		t.Errorf("String %q, Describe %q", o.String(), o.Describe())
	}
	if o := (Organization{ID: "T3Jn"}); o.String() != "T3Jn" {
		t.Errorf("without a slug: %q, want the id", o.String())
	}
	if p := (OrganizationRef{Slug: "acme"}); p.Describe() != "acme" {
		t.Errorf("without a name: %q", p.Describe())
	}
}

// Absent text is null, never "", times are UTC, and lists are never null.
func TestTokenOfNullsAndTimes(t *testing.T) {
	zone := time.FixedZone("x", 3600)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, zone)
	got, err := json.Marshal(TokenOf(buildkite.Token{ID: "id", UUID: "u", CreatedAt: created, LastAccessedAt: &created}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"id","uuid":"u","description":null,"owner":null,"scopes":[],"createdAt":"2026-01-02T02:04:05Z","lastAccessedAt":"2026-01-02T02:04:05Z","expiresAt":null,"ipAddress":null}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	at, err := json.Marshal(AccessTokenOf(buildkite.AccessToken{UUID: "u", CreatedAt: created.UTC()}))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"uuid":"u","description":null,"scopes":[],"createdAt":"2026-01-02T02:04:05Z"}`; string(at) != want {
		t.Errorf("got  %s\nwant %s", at, want)
	}
	if OwnerOf(nil) != nil {
		t.Error("OwnerOf(nil) is not nil")
	}
}
