package ident

import (
	"encoding/base64"
	"strings"
	"testing"
)

func nodeID(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseOrg(t *testing.T) {
	orgID := nodeID("Organization---0b4a3f1e-8d7c-4a5b-9c2d-1e0f3a4b5c6d")
	cases := []struct {
		in      string
		want    Org
		wantErr string
	}{
		{in: "acme", want: Org{Slug: "acme"}},
		{in: "  acme-inc ", want: Org{Slug: "acme-inc"}},
		{in: orgID, want: Org{ID: orgID}},
		{in: "", wantErr: "no organization given"},
		{in: "Acme Inc", wantErr: "neither a slug"},
		{in: "https://buildkite.com/acme", wantErr: "is a URL"},
		{in: "0b4a3f1e-8d7c-4a5b-9c2d-1e0f3a4b5c6d", wantErr: "is a uuid"},
		{in: nodeID("User---0b4a3f1e-8d7c-4a5b-9c2d-1e0f3a4b5c6d"), wantErr: "is a User id"},
		// Ids are opaque: any other shape the API could give is accepted.
		{in: "OZ7QKXJ2M4TVB6WA3RLC", want: Org{ID: "OZ7QKXJ2M4TVB6WA3RLC"}},
		{in: "gid://buildkite/Organization/42", wantErr: "is a URL"},
		{in: nodeID("Organisation---0b4a3f1e-8d7c-4a5b-9c2d-1e0f3a4b5c6d"), want: Org{ID: nodeID("Organisation---0b4a3f1e-8d7c-4a5b-9c2d-1e0f3a4b5c6d")}},
	}
	for _, c := range cases {
		got, err := ParseOrg(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseOrg(%q) error = %v, want one containing %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseOrg(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParseToken(t *testing.T) {
	tokenID := nodeID("APIAccessToken---3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e")
	cases := []struct {
		in      string
		want    Token
		wantErr string
	}{
		{in: "3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e", want: Token{UUID: "3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e"}},
		{in: "3F1C1B9E-3C2A-4A55-9A8E-2D6F0B6C1A7E", want: Token{UUID: "3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e"}},
		{in: tokenID, want: Token{ID: tokenID}},
		{in: "", wantErr: "empty token identifier"},
		{in: "3f1c1b9e-3c2a-4a55-9a8e", wantErr: "neither a uuid"},
		{in: "not a token", wantErr: "neither a uuid"},
		{in: "a\x00b", wantErr: "neither a uuid"},
		{in: nodeID("Organization---3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e"), wantErr: "is a Organization id"},
		{in: nodeID("User---3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e"), wantErr: "is a User id"},
		{in: "token=bkua_0123456789ABCDEF0123456789abcdef01234567", wantErr: "secret"},
		// Ids are opaque: whatever the API could list is accepted, padded or
		// not, typed or not; only the server can say whether it names a token.
		{in: strings.TrimRight(tokenID, "="), want: Token{ID: strings.TrimRight(tokenID, "=")}},
		{in: nodeID("OrganizationAPIAccessToken---3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e"), want: Token{ID: nodeID("OrganizationAPIAccessToken---3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e")}},
		{in: "KT3QF6Z2XNB4M7WJAYRC5DUE", want: Token{ID: "KT3QF6Z2XNB4M7WJAYRC5DUE"}},
		{in: "1234-nope", wantErr: "not words joined by dashes"},
		{in: "not-a-uuid", wantErr: "not words joined by dashes"},
		{in: "ci_deploy_token", wantErr: "not words joined by dashes"},
		{in: "gid://buildkite/APIAccessToken/42", want: Token{ID: "gid://buildkite/APIAccessToken/42"}},
	}
	for _, c := range cases {
		got, err := ParseToken(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseToken(%q) error = %v, want one containing %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseToken(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

// A secret pasted where a uuid belongs must be refused without echoing it.
func TestParseTokenNeverEchoesSecrets(t *testing.T) {
	for _, secret := range []string{
		"bkua_0123456789abcdef0123456789abcdef01234567",
		"0123456789abcdef0123456789abcdef01234567",
	} {
		_, err := ParseToken(secret)
		if err == nil {
			t.Fatalf("ParseToken accepted a secret-shaped value")
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[5:20]) {
			t.Errorf("error echoes the secret: %v", err)
		}
	}
}

func TestPrintableBoundsLength(t *testing.T) {
	long := strings.Repeat("x", 600)
	_, err := ParseOrg(long)
	if err == nil || len(err.Error()) > 300 {
		t.Fatalf("error for a long argument is unbounded: %d chars", len(err.Error()))
	}
}

// One rule names a listed token: uuid in any case, id as listed or without
// its padding, never with more padding than listed.
func TestTokenNames(t *testing.T) {
	const uuid, id = "11111111-1111-4111-8111-111111111111", "QVBJ="
	for _, c := range []struct {
		ref  Token
		want bool
	}{
		{Token{UUID: uuid}, true},
		{Token{UUID: strings.ToUpper(uuid)}, true},
		{Token{ID: id}, true},
		{Token{ID: "QVBJ"}, true},
		{Token{ID: id + "="}, false},
		{Token{ID: "qvbj"}, false},
		{Token{UUID: "22222222-2222-4222-8222-222222222222"}, false},
	} {
		if got := c.ref.Names(id, uuid); got != c.want {
			t.Errorf("%+v.Names(%q, %q) = %v, want %v", c.ref, id, uuid, got, c.want)
		}
	}
}
