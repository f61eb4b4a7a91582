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
		{in: "acme/pipelines", wantErr: "neither a slug"},
		{in: nodeID("User---0b4a3f1e-8d7c-4a5b-9c2d-1e0f3a4b5c6d"), wantErr: "is a User id"},
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
		{in: nodeID("Organization---3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e"), wantErr: "is a Organization id"},
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

func TestUUIDFromID(t *testing.T) {
	uuid, ok := UUIDFromID(nodeID("APIAccessToken---3F1C1B9E-3c2a-4a55-9a8e-2d6f0b6c1a7e"))
	if !ok || uuid != "3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e" {
		t.Fatalf("UUIDFromID = %q, %v", uuid, ok)
	}
	if _, ok := UUIDFromID("acme"); ok {
		t.Fatalf("UUIDFromID accepted a slug")
	}
}

func TestPrintableBoundsLength(t *testing.T) {
	long := strings.Repeat("x", 500)
	_, err := ParseOrg(long)
	if err == nil || len(err.Error()) > 300 {
		t.Fatalf("error for a long argument is unbounded: %d chars", len(err.Error()))
	}
}
