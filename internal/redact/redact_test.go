package redact

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Every token shape the API notes and the scanners know is hidden, alone
// or inside text; identifiers tokenctl prints are not.
func TestSecrets(t *testing.T) {
	for _, secret := range []string{
		"bkua_" + strings.Repeat("a1", 20),                  // TruffleHog v2, Kingfisher
		"bkua_" + strings.Repeat("0f", 20),                  // hex
		"bkua_" + strings.Repeat("Ab3", 16),                 // 53 characters, mixed case
		"bkua_CanaryLeaked8h3J6k1L9g4F2d7S5a0Q",             // test canaries
		"bkaa_" + strings.Repeat("x", 30),                   // agent
		"bkpat_" + strings.Repeat("y9", 12),                 // package
		strings.Repeat("9f", 20),                            // legacy hex
		strings.Repeat("ab", 10) + strings.Repeat("z1", 10), // TruffleHog v1, no prefix
		strings.ToUpper(strings.Repeat("9f", 20)),           // upper-case hex
		strings.ToUpper("bkua_" + strings.Repeat("a1", 20)), // typed in capitals
		"Bkua_" + strings.Repeat("a1", 20),                  // a capital prefix
		"BKPAT_" + strings.Repeat("y9", 12),                 // package, in capitals
	} {
		for _, text := range []string{secret, "reason: " + secret + " was pasted", "token=" + secret, "(" + secret + ")"} {
			got := Secrets(text)
			if strings.Contains(got, secret) || strings.Contains(got, secret[len(secret)-12:]) || !strings.Contains(got, Placeholder) {
				t.Errorf("Secrets(%q) = %q", text, got)
			}
		}
		if !IsSecret(secret) || !HoldsSecret("x "+secret) {
			t.Errorf("%q not recognised as a secret", secret)
		}
	}
	for _, kept := range []string{
		"11111111-1111-4111-8111-111111111111",
		"QVBJQWNjZXNzVG9rZW4tLS0xMTExMTExMS0xMTExLTQxMTEtODExMS0xMTExMTExMTExMTE=",
		"KF56DSVXJHA4ORO5NAJH4OOQT",
		"admin-scopes-held-by-member",
		"Ada Admin <ada@acme.example>",
		"api, token dddddddd-dddd-4ddd-8ddd-dddddddddddd",
		"owner-not-admin",
	} {
		if got := Secrets(kept); got != kept {
			t.Errorf("Secrets(%q) = %q, want it unchanged", kept, got)
		}
		if IsSecret(kept) {
			t.Errorf("IsSecret(%q)", kept)
		}
	}
}

// Quote shows what a user typed, but never a token value in it, and never
// more than a line's worth of it.
// The quick test never lets through text the expression would change.
func FuzzQuickTestAgreesWithExpression(f *testing.F) {
	for _, s := range []string{"bkua_0123456789abcdef0123", "x " + strings.Repeat("a1", 20) + " y", strings.Repeat("F", 40), "00000000-0000-4000-8000-000000000000", "a_b", "", "holds WRITE_TEAMS", "x BKUA_" + strings.Repeat("Z", 16), "bk\u212aa_" + strings.Repeat("0", 16), "b\u212aua_" + strings.Repeat("0", 16), "bkuſa_" + strings.Repeat("0", 16)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if within.MatchString(s) && !mayHoldSecret(s) {
			t.Fatalf("quick test skips %q, which the expression matches", s)
		}
	})
}

func TestQuote(t *testing.T) {
	secret := "bkua_" + strings.Repeat("a1", 20)
	for in, want := range map[string]string{
		"90days":                  `"90days"`,
		secret:                    "(a value shaped like a secret token, not shown)",
		"x " + secret:             `"x [redacted]"`,
		strings.Repeat("no ", 20): `"` + strings.Repeat("no ", 13) + `n…"`,
		"tab\there":               `"tab\there"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// Without underscores, the quick test is the run of 40 letters and digits
// it reads window by window: the same answer as counting byte by byte.
func TestQuickTestFindsEveryRunOfForty(t *testing.T) {
	naive := func(s string) bool {
		run := 0
		for i := 0; i < len(s); i++ {
			if c := s[i]; '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				if run++; run >= 40 {
					return true
				}
				continue
			}
			run = 0
		}
		return false
	}
	rnd := rand.New(rand.NewPCG(40, 40))
	for range 20000 {
		var b strings.Builder
		for range rnd.IntN(120) {
			b.WriteByte("aZ9 -.\xc3"[rnd.IntN(7)])
			if rnd.IntN(30) == 0 {
				b.WriteString(strings.Repeat("x", 30+rnd.IntN(15)))
			}
		}
		s := b.String()
		if got, want := mayHoldSecret(s), naive(s); got != want {
			t.Fatalf("mayHoldSecret(%q) = %v, want %v", s, got, want)
		}
	}
}

// A hash labelled as one (a policy's digest, sha256:…) is data, not a
// token: Secrets keeps it, whole and exact. Anything else shaped like a
// token beside or inside such a label is hidden as before, and a known
// secret is hidden even where it is spelled as a digest.
func TestSecretsKeepsLabelledDigests(t *testing.T) {
	hex64 := strings.Repeat("38e477aa", 8)
	for _, kept := range []string{
		"sha256:" + hex64,
		`"digest":"sha256:` + hex64 + `","rules":[]`,
		"policy digest SHA256:" + strings.ToUpper(hex64) + ".",
		"sha384:" + strings.Repeat("0f", 48),
		"sha512:" + strings.Repeat("a1", 64),
	} {
		if got := Secrets(kept); got != kept {
			t.Errorf("Secrets(%q) = %q, want it unchanged", kept, got)
		}
	}
	legacy := strings.Repeat("9f", 20)
	for _, hidden := range []string{
		"sha256:" + hex64[:63],                    // not a sha256's length
		"sha256:" + hex64 + "0",                   // longer
		"sha256:" + hex64 + "z",                   // something glued on
		"sha256:" + hex64 + "_x",                  // likewise
		"sha1:" + legacy,                          // a legacy token's length
		"sha512:" + hex64,                         // the wrong length for its label
		"md5:" + hex64,                            // not a label kept
		"sha256 " + hex64,                         // not a label
		"sha256:" + hex64 + " and " + legacy,      // the digest kept, the token not
		"sha256:bkua_" + strings.Repeat("a1", 20), // a token after the label
		"sha256:" + strings.Repeat("z1", 20),      // not hex
	} {
		got := Secrets(hidden)
		if !strings.Contains(got, Placeholder) {
			t.Errorf("Secrets(%q) = %q, want something hidden", hidden, got)
		}
		if strings.Contains(got, legacy) || strings.Contains(got, strings.Repeat("a1", 20)) {
			t.Errorf("Secrets(%q) = %q shows the token", hidden, got)
		}
	}
	// A token glued to a hex run, labelled or not: the run does not take
	// the b of its prefix, and a value glued to a run is still found.
	for text, want := range map[string]string{
		"sha256:" + hex64 + "bkua_" + strings.Repeat("g", 40):          "sha256:[redacted][redacted]",
		"sha256:" + hex64 + "bkua_" + strings.Repeat("1", 20):          "sha256:[redacted][redacted]",
		"sha256:" + hex64 + "BKUA_" + strings.Repeat("g", 40) + " end": "sha256:[redacted][redacted] end",
		"sha256:" + hex64[:63] + "bkua_" + strings.Repeat("1", 40):     "sha256:[redacted][redacted]",
		strings.Repeat("0", 39) + "bkua_" + strings.Repeat("g", 40):    strings.Repeat("0", 39) + "[redacted]",
		"sha256:" + hex64 + strings.Repeat("g", 40):                    "sha256:[redacted][redacted]",
		"sha256:" + hex64 + " bkua_" + strings.Repeat("g", 40):         "sha256:" + hex64 + " [redacted]",
		legacy + "bk": "[redacted]k", // no token after it
	} {
		if got := Secrets(text); got != want {
			t.Errorf("Secrets(%q) = %q, want %q", text, got, want)
		}
	}
	if got := Secrets("sha256:" + hex64 + " and " + legacy); got != "sha256:"+hex64+" and "+Placeholder {
		t.Errorf("got %q, want the digest kept and the token hidden", got)
	}
	// A known secret spelled as a labelled digest, or inside one, is
	// still hidden where Known runs first (the answers, the audit log).
	for secret, text := range map[string]string{
		hex64:  "sha256:" + hex64,
		legacy: "sha256:" + legacy + hex64[:24],
	} {
		if got := Secrets(Known(text, secret)); strings.Contains(got, secret) || !strings.Contains(got, Placeholder) {
			t.Errorf("known secret %q shown in %q", secret, got)
		}
	}
}

// A remembered credential is taken out by Secrets whatever its shape:
// whole, its first 8 characters and 16 from within it.
func TestSecretsHidesRemembered(t *testing.T) {
	const secret = "x9y8z7w6-legacy-credential-v5u4t3s2"
	for _, s := range []string{"token " + secret + " refused", "starts X9Y8Z7W6-L…", "at /tmp/legacy-credential-v5u4.log"} {
		if got := Secrets(s); got != s {
			t.Fatalf("Secrets(%q) = %q before the secret is remembered", s, got)
		}
	}
	Remember(secret)
	for s, want := range map[string]string{
		"token " + secret + " refused":       "token [redacted] refused",
		"starts X9Y8Z7W6-L…":                 "starts [redacted]…",
		"at /tmp/legacy-credential-v5u4.log": "at /tmp/[redacted].log",
		"no part of it here: x9y8z7w":        "no part of it here: x9y8z7w",
	} {
		if got := Secrets(s); got != want {
			t.Errorf("Secrets(%q) = %q, want %q", s, got, want)
		}
	}
}

// Secrets on table cells, with the API token remembered as every command
// that reads one does: the cost of hiding it from every cell. (The token
// stays remembered for the rest of the run.)
func BenchmarkSecretsRemembered(b *testing.B) {
	cells := []string{"dddddddd-dddd-4ddd-8ddd-dddddddddddd", "CI deploy token for acme", "READ_BUILDS WRITE_BUILDS", "2026-11-06T22:55:06Z", "Ada Admin <ada@x.example>"}
	Remember("bkua_7f3c9a1e5b2d8f604c1a9e7b3d5f2a8c6e0b4d91")
	for b.Loop() {
		for _, c := range cells {
			Secrets(c)
		}
	}
}
