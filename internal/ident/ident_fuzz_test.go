package ident

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// secretInInput finds every part of an input shaped like a token value:
// what an error message must never repeat, however it was pasted.
var secretInInput = regexp.MustCompile(`bk[a-z]{2}_[A-Za-z0-9]{16,}|[0-9a-f]{40,}`)

// quotedByte is how strconv.Quote writes a byte or rune it cannot show.
var quotedByte = regexp.MustCompile(`\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})`)

// checkRejection holds every rejection to the same rules: a message that
// is one non-empty line and that repeats no 16-character run of anything
// secret-shaped in the input.
func checkRejection(t *testing.T, input string, err error) {
	t.Helper()
	msg := err.Error()
	if strings.TrimSpace(msg) == "" {
		t.Fatalf("rejection of %q has an empty message", input)
	}
	if strings.ContainsAny(msg, "\r\n") {
		t.Fatalf("rejection of %q is not one line: %q", input, msg)
	}
	if !utf8.ValidString(msg) {
		t.Fatalf("rejection of %q is not valid UTF-8: %q", input, msg)
	}
	// A run the input also holds outside its secrets may be echoed.
	rest := secretInInput.ReplaceAllString(input, "\x00")
	// Quoting turns a stray byte into \xe0, whose hex digits could line
	// up with a run of the input; they are not an echo.
	msg = quotedByte.ReplaceAllString(msg, "\x00")
	for _, secret := range secretInInput.FindAllString(input, -1) {
		for i := 0; i+16 <= len(secret); i++ {
			if w := secret[i : i+16]; strings.Contains(msg, w) && !strings.Contains(rest, w) {
				t.Fatalf("rejection echoes the secret-shaped %q: %q", secret, msg)
			}
		}
	}
}

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
			checkRejection(t, in, err)
			return
		}
		if (org.Slug == "") == (org.ID == "") {
			t.Fatalf("ParseOrg(%q) = %+v: want exactly one of slug and id", in, org)
		}
		if LooksLikeSecret(org.String()) {
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
			checkRejection(t, in, err)
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
