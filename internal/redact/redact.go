// Package redact is the one place that decides what text looks like a
// secret token value, the type that carries a credential without ever
// printing it (Secret), and the one function that takes such values out of
// text before it reaches an output, a hint or an error: tables, reports,
// stderr lines and messages all pass through Secrets (output.Printable
// calls it), and text read from files a user hands tokenctl (a policy's
// rule names and reasons, an audit log given to --reconcile) is redacted
// as it is read, so that no format, JSON included, repeats it.
//
// The shapes are those Buildkite's tokens and the secret scanners that find
// them use: user API access tokens are bkua_ followed by 40 lower-case
// letters and digits, or by hex, or 53 characters in all; agent, cluster,
// portal and package tokens carry other bk…_ prefixes (bkaa_, bkct_,
// bkpt_, bkpat_); legacy tokens, and what TruffleHog's older detector
// reports, are 40 characters without a prefix. The prefixes are matched
// in any case: BKUA_… is hidden like bkua_…. Redaction errs on the side
// of hiding: a 40-character hex string (a commit hash) is hidden too; only
// a hash labelled as one (sha256: and 64 hex digits, as a policy's digest
// is shown; sha384:, sha512:) is kept.
//
// Known and KnownBytes hide the secrets a caller knows (the credential a
// request carries), in any letter case, with the parts of them that give
// them away, and the whole of each spelled percent-encoded, as JSON \u
// escapes or as HTML entities, every byte encoded. A spelling that
// encodes only some of the bytes is not recognised.
package redact

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tokenctl/tokenctl/internal/lazyregexp"
)

// Placeholder replaces each value Secrets hides.
const Placeholder = "[redacted]"

var (
	// whole is a value that is a token and nothing else.
	whole = lazyregexp.New(`^((?i:bk[a-z]{2,3}_)[A-Za-z0-9]{16,}|[0-9a-fA-F]{40}|[a-z0-9]{40})$`)
	// within finds token values inside longer text ("token=bkua_...",
	// "Bearer ..."): any Buildkite prefix, in any case (a value typed in
	// capitals still gives the secret away), and unprefixed 40-character
	// values standing alone as a word.
	within = lazyregexp.New(`(?i:bk[a-z]{2,3}_)[A-Za-z0-9]{16,}|[0-9a-fA-F]{40,}|\b[a-z0-9]{40}\b`)
	// prefixed is a prefixed token value at the start of a text.
	prefixed = lazyregexp.New(`^(?i:bk[a-z]{2,3}_)[A-Za-z0-9]{16}`)
)

// hexRun reports whether s[start:end] is a run of hex digits only.
func hexRun(s string, start, end int) bool {
	for i := start; i < end; i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f' }

// Secrets returns s with everything shaped like a token value replaced by
// Placeholder. It is the one redaction function: use it wherever text that
// did not come from tokenctl itself reaches an output or a hint. The
// credentials given to Remember are taken out first (see Known), so a
// message never repeats the one in use, whatever path its text took.
func Secrets(s string) string {
	s = hideRemembered(s)
	if !mayHoldSecret(s) {
		return s
	}
	var b strings.Builder
	last := 0
	for pos := 0; pos < len(s); {
		loc := within.Regexp().FindStringIndex(s[pos:])
		if loc == nil {
			break
		}
		start, end := pos+loc[0], pos+loc[1]
		// The value after a match is looked for as if a word began where
		// the match ends: a hex run must not hide what is glued to it.
		pos = end
		if hexRun(s, start, end) && prefixed.Regexp().MatchString(s[end-1:]) {
			// The run took the b of a token's prefix (0123…bkua_…):
			// it ends before it, and the token is found next.
			end--
			pos = end
			if end-start < 40 {
				continue
			}
		}
		if isDigest(s, start, end) {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(Placeholder)
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isDigest reports whether s[start:end], a run shaped like an unprefixed
// token, is instead a hash labelled as such: sha256:, sha384: or sha512:
// (in any case) right before it, exactly the hash's length in hex after
// it, and no letter, digit or underscore glued on. A policy's digest
// (sha256:…) is data a report must show as it is; no Buildkite token has
// that shape (a legacy one is 40 characters, and sha1: is not exempt).
func isDigest(s string, start, end int) bool {
	var label string
	switch end - start {
	case 64:
		label = "sha256:"
	case 96:
		label = "sha384:"
	case 128:
		label = "sha512:"
	default:
		return false
	}
	if start < len(label) || !strings.EqualFold(s[start-len(label):start], label) {
		return false
	}
	if end < len(s) {
		if c := s[end]; c == '_' || '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' {
			return false
		}
	}
	for i := start; i < end; i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f') {
			return false
		}
	}
	return true
}

// mayHoldSecret is a quick test that within cannot match s: a prefixed
// value needs an underscore after bk and two or three letters, an
// unprefixed one a run of 40 letters or digits. Most table cells (uuids,
// emails, dates, messages naming scopes such as WRITE_TEAMS) fail both,
// and a table of findings has hundreds of thousands of cells.
func mayHoldSecret(s string) bool {
	ascii := -1 // whether s is ASCII, once an underscore asks
	for i := strings.IndexByte(s, '_'); i >= 0; {
		if ascii < 0 {
			ascii = 0
			if isASCII(s) {
				ascii = 1
			}
		}
		if mayEndPrefix(s, i, ascii == 1) {
			return true
		}
		next := strings.IndexByte(s[i+1:], '_')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	// A run of 40 fills some window of 40 bytes. Each window is read from
	// its end, and the next one starts after the first byte that breaks
	// it, so text with spaces is read a few bytes a window.
	alnum := func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
next:
	for start := 0; start+40 <= len(s); {
		for j := start + 39; j >= start; j-- {
			if !alnum(s[j]) {
				start = j + 1
				continue next
			}
		}
		return true
	}
	return false
}

// mayEndPrefix reports whether the underscore at i may end a prefix such
// as bkua_, in any case. Case folding also matches letters outside ASCII
// (the Kelvin sign for k, the long s for s), so unless s is ASCII, any
// such byte in the 15 before it (three bytes each, at most, for five
// letters) counts as one.
func mayEndPrefix(s string, i int, ascii bool) bool {
	for j := max(0, i-15); j < i && !ascii; j++ {
		if s[j] >= utf8.RuneSelf {
			return true
		}
	}
	letter := func(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
	for _, n := range []int{2, 3} {
		if k := i - n - 2; k >= 0 && s[k]|0x20 == 'b' && s[k+1]|0x20 == 'k' && letter(s[k+2]) && letter(s[k+3]) && (n == 2 || letter(s[k+4])) {
			return true
		}
	}
	return false
}

// isASCII reports whether every byte of s is ASCII, eight at a time.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		if (b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7])&0x80 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// IsSecret reports whether s (spaces around it aside) has the shape of a
// token's secret value, so that such a value is refused where an
// identifier belongs and never echoed back.
func IsSecret(s string) bool { return whole.MatchString(strings.TrimSpace(s)) }

// HoldsSecret reports whether s is, or contains, something shaped like a
// token value.
func HoldsSecret(s string) bool { return IsSecret(s) || within.MatchString(s) }

// Quote shows user input in a message: quoted, cut to 40 characters, and
// never repeating something shaped like a token value.
func Quote(s string) string {
	if IsSecret(s) {
		return "(a value shaped like a secret token, not shown)"
	}
	// A token pasted among other words is redacted before shortening, so
	// the cut cannot leave part of it behind.
	s = Secrets(s)
	const limit = 40
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return strconv.Quote(s)
}
