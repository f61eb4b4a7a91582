package redact

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// A server that repeats part of the credential ("the token starting
// bkua_1a2b…") gives away that part: every prefix of 8 characters or more
// is hidden, wherever it stands in the text, as is every run of 16 or more
// from a Buildkite token's secret part.
func TestKnownHidesPartsOfTheSecret(t *testing.T) {
	const token = "bkua_7f3c9a1e5b2d8f604c1a9e7b3d5f2a8c6e0b4d91"
	for n := MinKnownRun; n <= len(token); n++ {
		part := token[:n]
		for _, text := range []string{part, "Invalid credentials for token starting " + part + "...", `{"message":"` + part + `"}`} {
			got := Known(text, token)
			if strings.Contains(got, part) || !strings.Contains(got, Placeholder) {
				t.Errorf("prefix of %d: Known(%q) = %q", n, text, got)
			}
			if n > 8 && strings.Contains(got, token[5:min(n, 13)]) {
				t.Errorf("prefix of %d: Known(%q) = %q still shows part of it", n, text, got)
			}
		}
	}
	body := token[5:]
	for start := 0; start+minInnerRun <= len(body); start++ {
		for end := start + minInnerRun; end <= len(body); end += 3 {
			part := body[start:end]
			got := Known("seen "+part+" here", token)
			if got != "seen "+Placeholder+" here" {
				t.Errorf("run [%d:%d] of the secret part: got %q", start, end, got)
			}
		}
	}
	// A run that starts inside the prefix is hidden with the prefix's part.
	if got := Known("x ua_"+body[:16]+" y", token); got != "x "+Placeholder+" y" {
		t.Errorf("got %q", got)
	}
	// A uuid that shares 8 characters with the token's middle is an
	// identifier, not a leak: hiding it would break the listing.
	if uuid := body[4:12] + "-0000-4000-8000-000000000000"; Known(uuid, token) != uuid {
		t.Errorf("Known(%q) = %q", uuid, Known(uuid, token))
	}
	// Shorter runs, and text that only looks alike, are left alone.
	for _, kept := range []string{token[:MinKnownRun-1], body[3:10], body[3:18], body[:15], "bkua_ is the prefix", "bkua_7f0000", "1e5b2d8X604c"} {
		if got := Known(kept, token); got != kept {
			t.Errorf("Known(%q) = %q, want it unchanged", kept, got)
		}
	}
}

// A legacy token (40 hex characters, no prefix) is hidden whole in any
// case, even when it starts with 8 digits that the prefix rule finds
// first, and by any run of 16 or more from anywhere in it.
func TestKnownLegacyToken(t *testing.T) {
	const token = "83920471ab3fcd5e9a01b2c3d4e5f6a7b8c9d0e1"
	for _, text := range []string{
		"denied for " + strings.ToUpper(token),
		"denied for " + token[8:],
		"denied for " + strings.ToUpper(token[8:]),
		"denied for " + token[10:30],
		"denied for " + token[24:],
	} {
		if got := Known(text, token); got != "denied for "+Placeholder {
			t.Errorf("Known(%q) = %q", text, got)
		}
	}
	// A uuid that shares a group of 12 with it, or 15 when written
	// without dashes, keeps its place in an answer.
	for _, kept := range []string{"11111111-1111-4111-8111-111111111111", "00000000-0000-4000-8000-" + token[8:20], "00000000000000000" + token[9:24]} {
		if got := Known(kept, token); got != kept {
			t.Errorf("Known(%q) = %q, want it unchanged", kept, got)
		}
	}
}

// A secret echoed whole in an encoding (every byte percent-encoded, JSON
// \u escapes, HTML entities), hex digits in either case, is hidden.
func TestKnownEncodedSecret(t *testing.T) {
	for _, token := range []string{"bkua_7f3c9a1e5b2d8f604c1a9e7b3d5f2a8c6e0b4d91", "83920471ab3fcd5e9a01b2c3d4e5f6a7b8c9d0e1", "pw\"1"} {
		var pct, uesc, mixed, dec, hex strings.Builder
		for i, c := range []byte(token) {
			fmt.Fprintf(&pct, "%%%02X", c)
			fmt.Fprintf(&uesc, "\\u%04X", c)
			if i%2 == 0 {
				fmt.Fprintf(&mixed, "\\u%04X", c)
			} else {
				fmt.Fprintf(&mixed, "\\u%04x", c)
			}
			fmt.Fprintf(&dec, "&#%d;", c)
			fmt.Fprintf(&hex, "&#x%x;", c)
		}
		// The escapes as a JSON string spells them, each backslash
		// escaped: the decoded text of such an answer holds \u00XX.
		quoted := strings.ReplaceAll(uesc.String(), `\`, `\\`)
		for _, enc := range []string{
			pct.String(), strings.ToLower(pct.String()), uesc.String(), strings.ToLower(uesc.String()), mixed.String(),
			quoted, strings.ToLower(quoted), strings.ReplaceAll(mixed.String(), `\`, `\\`),
			dec.String(), hex.String(), strings.ToUpper(hex.String()),
		} {
			text := `{"message":"bad token ` + enc + `"}`
			if got := Known(text, token); got != `{"message":"bad token `+Placeholder+`"}` {
				t.Errorf("Known(%q) = %q", text, got)
			}
		}
	}
}

// A secret of no known shape (a leaked value, a legacy token) is hidden
// whole and by its prefixes of 8 or more; one shorter than 8 only whole.
func TestKnownOtherSecrets(t *testing.T) {
	const secret = "s3cr3t-value-of-no-known-shape"
	tests := []struct{ text, want string }{
		{"a " + secret + " b", "a [redacted] b"},
		{"a " + secret[:8] + " b", "a [redacted] b"},
		{"a " + secret[:7] + " b", "a " + secret[:7] + " b"},
		{"a " + secret[4:20] + " b", "a [redacted] b"}, // 16 from within a secret of 24 or more
		{"a " + secret[4:19] + " b", "a " + secret[4:19] + " b"},
		{"a " + strings.ToUpper(secret) + " b", "a [redacted] b"},
		{secret + secret[:9], "[redacted]"},
	}
	for _, tt := range tests {
		if got := Known(tt.text, secret); got != tt.want {
			t.Errorf("Known(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
	if got := Known("pw=abc1 and abc1", "abc1"); got != "pw=[redacted] and [redacted]" {
		t.Errorf("short secret: got %q", got)
	}
	if got := Known("text", "", "  "); got != "text" {
		t.Errorf("empty secrets: got %q", got)
	}
	if b := []byte("nothing here"); &KnownBytes(b, secret)[0] != &b[0] {
		t.Error("KnownBytes copied text that holds no secret")
	}
}

func BenchmarkKnownBytes(b *testing.B) {
	const token = "bkua_7f3c9a1e5b2d8f604c1a9e7b3d5f2a8c6e0b4d91"
	page := []byte(strings.Repeat(`{"node":{"uuid":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","description":"CI deploy token for acme","scopes":["read_builds","write_builds"],"createdAt":"2026-11-06T22:55:06Z"}},`, 500))
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		KnownBytes(page, token)
	}
}

// Whatever surrounds it, no prefix of 8 or more of the token, and no run
// of 16 or more from its secret part, survives Known.
func FuzzKnownLeavesNoPart(f *testing.F) {
	const token = "bkua_7f3c9a1e5b2d8f604c1a9e7b3d5f2a8c6e0b4d91"
	f.Add("starting ", "...", 0, 20)
	f.Add("bkua_7f", "f604c1a9", 3, 12)
	f.Fuzz(func(t *testing.T, before, after string, start, n int) {
		start, n = int(uint(start)%uint(len(token))), MinKnownRun+int(uint(n)%uint(len(token)))
		if start > 0 && start < 5 {
			start = 5 // a run that starts in the prefix is found from the secret part
		}
		part := token[start:min(len(token), start+n)]
		if len(part) < MinKnownRun || start > 0 && len(part) < minInnerRun {
			return
		}
		if got := Known(before+part+after, token); strings.Contains(got, part) {
			t.Errorf("Known(%q) = %q", before+part+after, got)
		}
	})
}

// lowerASCII, eight bytes at a time, lowers the 26 capitals and nothing
// else, at every offset.
func TestLowerASCII(t *testing.T) {
	all := make([]byte, 0, 256+7)
	for c := range 256 {
		all = append(all, byte(c))
	}
	all = append(all, "ABCXYZ@"...)
	for off := range 8 {
		got := lowerASCII(all[off:], new([]byte))
		for i, c := range all[off:] {
			want := c
			if 'A' <= c && c <= 'Z' {
				want = c + 'a' - 'A'
			}
			if got[i] != want {
				t.Fatalf("offset %d: byte %#x became %#x, want %#x", off, c, got[i], want)
			}
		}
	}
}

// innerSpansByPieces is how inner runs were found before innerSpans: every
// occurrence of each four-byte piece of the secret part that starts at a
// multiple of 4 from the prefix, grown both ways. innerSpans must hide
// exactly what it hid.
func innerSpansByPieces(text, sec []byte, p int) []span {
	var spans []span
	for k := p; k+4 <= len(sec); k += 4 {
		piece := sec[k : k+4]
		for i := 0; ; {
			j := bytes.Index(text[i:], piece)
			if j < 0 {
				break
			}
			t := i + j
			back := 0
			for t-back > 0 && k-back > 0 && text[t-back-1] == sec[k-back-1] {
				back++
			}
			fwd := 4
			for t+fwd < len(text) && k+fwd < len(sec) && text[t+fwd] == sec[k+fwd] {
				fwd++
			}
			if n := k + fwd - max(k-back, p); n >= minInnerRun {
				spans = append(spans, span{t - back, t + fwd})
			}
			i = t + 1
		}
	}
	return spans
}

// merged is spans sorted and with overlapping ones joined, as known joins
// them.
func merged(spans []span) []span {
	spans = slices.Clone(spans)
	slices.SortFunc(spans, func(x, y span) int { return x.start - y.start })
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// KnownBytes, reading the text once 8 bytes at a time, hides what the
// searches of the whole text for each spelling of the secret hid
// (knownByScans): for secrets with and without a prefix, long and short,
// with repeating characters, in texts made of their pieces and encodings
// at every offset, in any letter case.
func TestKnownAgreesWithScans(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, secret := range knownTestSecrets {
		sp := spellingsOf(secret)
		for range 3000 {
			text := knownTestText(rng, sp)
			if got, want := KnownBytes(text, secret), knownByScans(text, secret); !bytes.Equal(got, want) {
				t.Fatalf("secret %q, text %q:\n got %q\nwant %q", secret, text, got, want)
			}
		}
	}
	// Two secrets at once.
	for range 3000 {
		a, b := knownTestSecrets[rng.IntN(len(knownTestSecrets))], knownTestSecrets[rng.IntN(len(knownTestSecrets))]
		text := append(knownTestText(rng, spellingsOf(a)), knownTestText(rng, spellingsOf(b))...)
		if got, want := KnownBytes(text, a, b), knownByScans(text, a, b); !bytes.Equal(got, want) {
			t.Fatalf("secrets %q and %q, text %q:\n got %q\nwant %q", a, b, text, got, want)
		}
	}
}

var knownTestSecrets = []string{
	"bkua_7f3c9a1e5b2d8f604c1a9e7b3d5f2a8c6e0b4d91",
	"bkua_bench00000000000000000000000000000000000",
	"83920471ab3fcd5e9a01b2c3d4e5f6a7b8c9d0e1",
	"bkpat_abababababababababababab",
	"leaked-value-with-no-prefix-at-all-0123456789",
	"abcabcabcabc",   // an encoding that overlaps itself
	"Mixed_Case_Key", // no prefix, too short for inner runs
	"short",          // shorter than MinKnownRun: hidden whole
	"aaaaaaaa",
}

func FuzzKnownAgreesWithScans(f *testing.F) {
	f.Add("x bkua_7f3c9a1e5b2d8f604c1a9e7b3d5f2a8c6 y", 0)
	f.Add("0000000000000000000000000000000000000000", 1)
	f.Add("%61%62%63%61%62%63%61%62%63%61%62%63%61%62%63", 5)
	f.Fuzz(func(t *testing.T, text string, which int) {
		secret := knownTestSecrets[int(uint(which)%uint(len(knownTestSecrets)))]
		if got, want := KnownBytes([]byte(text), secret), knownByScans([]byte(text), secret); !bytes.Equal(got, want) {
			t.Errorf("secret %q, text %q:\n got %q\nwant %q", secret, text, got, want)
		}
	})
}

// knownTestText is a text of random bytes, pieces of the secret and of its
// encodings, some long enough to be hidden, some one byte off, some in
// capitals.
func knownTestText(rng *rand.Rand, sp *spellings) []byte {
	var text []byte
	for range 1 + rng.IntN(8) {
		var src []byte
		switch rng.IntN(4) {
		case 0:
			for range rng.IntN(12) {
				text = append(text, "0ab-_x%&#;\\u"[rng.IntN(12)])
			}
			continue
		case 1:
			src = sp.encoded[rng.IntN(len(sp.encoded))]
		default:
			src = sp.sec
		}
		start := rng.IntN(len(src))
		if rng.IntN(3) == 0 {
			start = 0
		}
		end := min(len(src), start+1+rng.IntN(2*len(src)))
		piece := slices.Clone(src[start:end])
		if rng.IntN(4) == 0 {
			piece[rng.IntN(len(piece))] ^= 1
		}
		switch rng.IntN(6) {
		case 0, 1:
			piece = bytes.ToUpper(piece)
		case 2: // some letters in capitals: mixed-case hex digits, say
			for i := range piece {
				if rng.IntN(2) == 0 {
					piece[i] = bytes.ToUpper(piece[i : i+1])[0]
				}
			}
		}
		text = append(text, piece...)
	}
	return text
}
