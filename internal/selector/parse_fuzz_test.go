package selector

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/rejection"
	"github.com/tokenctl/tokenctl/internal/span"
)

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
		if d, err := span.Parse(in); err != nil {
			rejection.Check(t, in, err)
		} else if back, err := span.Parse(span.Format(d)); err != nil || back != d {
			t.Fatalf("span.Parse(%q) = %v, written %q, read back %v, %v", in, d, span.Format(d), back, err)
		}

		if d, err := span.ParseDate(in); err != nil {
			rejection.Check(t, in, err)
		} else if back, err := span.ParseDate(d.Format(time.RFC3339Nano)); err != nil || !back.Equal(d) {
			t.Fatalf("span.ParseDate(%q) = %v, read back %v, %v", in, d, back, err)
		}

		if s, err := ParseScope(in); err != nil {
			rejection.Check(t, in, err)
		} else if again, err := ParseScope(s); !slices.Contains(known, s) || err != nil || again != s {
			t.Fatalf("ParseScope(%q) = %q, read back %q, %v", in, s, again, err)
		}

		if s, err := ParseSort(in); err != nil {
			rejection.Check(t, in, err)
		} else if again, err := ParseSort(s.String()); err != nil || again != s {
			t.Fatalf("ParseSort(%q) = %+v, read back %+v, %v", in, s, again, err)
		}
	})
}
