package selector

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// secretInInput finds every part of an input shaped like a token value:
// what an error message must never repeat.
var secretInInput = regexp.MustCompile(`bk[a-z]{2}_[A-Za-z0-9]{16,}|[0-9a-f]{40,}`)

// quotedByte is how strconv.Quote writes a byte or rune it cannot show.
var quotedByte = regexp.MustCompile(`\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})`)

// checkRejection holds a rejection to the rules for bad input: one
// non-empty line of valid UTF-8 that repeats no 16-character run of
// anything secret-shaped in the input (unless the input also holds that
// run outside its secrets).
func checkRejection(t *testing.T, input string, err error) {
	t.Helper()
	msg := err.Error()
	if strings.TrimSpace(msg) == "" || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
		t.Fatalf("rejection of %q is not one clear line: %q", input, msg)
	}
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

// FuzzFilterFlags gives one input to every parser of a filter flag
// (--stale, --expires-before, --scope, --sort). Beyond the per-parser fuzz
// targets it holds each to the rules for all user input: a refusal is one
// clear line that never repeats a pasted secret, and an accepted value
// reads back the same from the form tokenctl writes it in.
func FuzzFilterFlags(f *testing.F) {
	for _, s := range []string{
		"90d", "6w", "1y6w", " 30D ", "0d", "101y", "36500d", "9223372036854775807s", "1m30s", "5", "d",
		"2026-07-01", "2026-07-01T09:00:00.123456789+05:30", "2026-02-30", "0000-01-01", "2026-07-01T09:00:00-23:59",
		"READ_BUILDS", "read-builds", " GraphQL ", "READ_BUILD",
		"last-used", "-last-used", "UUID", "--owner", "size",
		"", " ", "\x00", "\xff", "-", "bkua_0123456789abcdef0123456789abcdef01234567",
		"x bkua_0123456789ABCDEF0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567",
		"1y bkua_0123456789ABCDEF0123456789abcdef01234567", strings.Repeat("9", 400),
	} {
		f.Add(s)
	}
	known := KnownScopes()
	f.Fuzz(func(t *testing.T, in string) {
		if d, err := ParseDuration(in); err != nil {
			checkRejection(t, in, err)
		} else if back, err := ParseDuration(FormatDuration(d)); err != nil || back != d {
			t.Fatalf("ParseDuration(%q) = %v, written %q, read back %v, %v", in, d, FormatDuration(d), back, err)
		}

		if d, err := ParseDate(in); err != nil {
			checkRejection(t, in, err)
		} else if back, err := ParseDate(d.Format(time.RFC3339Nano)); err != nil || !back.Equal(d) {
			t.Fatalf("ParseDate(%q) = %v, read back %v, %v", in, d, back, err)
		}

		if s, err := ParseScope(in); err != nil {
			checkRejection(t, in, err)
		} else if again, err := ParseScope(s); !slices.Contains(known, s) || err != nil || again != s {
			t.Fatalf("ParseScope(%q) = %q, read back %q, %v", in, s, again, err)
		}

		if s, err := ParseSort(in); err != nil {
			checkRejection(t, in, err)
		} else if again, err := ParseSort(s.String()); err != nil || again != s {
			t.Fatalf("ParseSort(%q) = %+v, read back %+v, %v", in, s, again, err)
		}
	})
}
