package ident

import (
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/redact"
	"github.com/tokenctl/tokenctl/internal/rejection"
)

func identSeeds(f *testing.F) {
	for _, s := range []string{
		"acme", " acme-inc ", "Acme Inc", "acme/pipelines", "", "\x00", "a\nb",
		"https://buildkite.com/acme",
		nodeID("Organization---0b4a3f1e-8d7c-4a5b-9c2d-1e0f3a4b5c6d"),
		nodeID("APIAccessToken---3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e"),
		nodeID("User---3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e"),
		"3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e",
		"3F1C1B9E-3C2A-4A55-9A8E-2D6F0B6C1A7E",
		"bkua_0123456789abcdef0123456789abcdef01234567",
		"bkua_0123456789ABCDEF0123456789abcdef01234567",
		"0123456789abcdef0123456789abcdef01234567",
		"token=bkua_0123456789ABCDEF0123456789abcdef01234567",
		"Bearer bkua_0123456789abcdef0123456789abcdef01234567",
		strings.Repeat("x", 500),
	} {
		f.Add(s)
	}
}

// FuzzParseOrg: any --org value is either a slug or id that reads back the
// same, or a clear one-line refusal that does not repeat a pasted secret.
func FuzzParseOrg(f *testing.F) {
	identSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		org, err := ParseOrg(in)
		if err != nil {
			rejection.Check(t, in, err)
			return
		}
		if (org.Slug == "") == (org.ID == "") {
			t.Fatalf("ParseOrg(%q) = %+v: want exactly one of slug and id", in, org)
		}
		if redact.IsSecret(org.String()) {
			t.Fatalf("ParseOrg(%q) accepted a secret-shaped value as an organization", in)
		}
		again, err := ParseOrg(org.String())
		if err != nil || again != org {
			t.Fatalf("ParseOrg(%q) = %+v does not round-trip: %+v, %v", in, org, again, err)
		}
	})
}

// FuzzParseToken: any --token value is either a uuid or id that reads back
// the same, or a clear one-line refusal that does not repeat a pasted
// secret.
func FuzzParseToken(f *testing.F) {
	identSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		tok, err := ParseToken(in)
		if err != nil {
			rejection.Check(t, in, err)
			return
		}
		if (tok.UUID == "") == (tok.ID == "") {
			t.Fatalf("ParseToken(%q) = %+v: want exactly one of uuid and id", in, tok)
		}
		if tok.UUID != "" && tok.UUID != strings.ToLower(tok.UUID) {
			t.Fatalf("ParseToken(%q) kept a mixed-case uuid %q; de-duplication needs one spelling", in, tok.UUID)
		}
		again, err := ParseToken(tok.String())
		if err != nil || again != tok || again.Key() != tok.Key() {
			t.Fatalf("ParseToken(%q) = %+v does not round-trip: %+v, %v", in, tok, again, err)
		}
	})
}
