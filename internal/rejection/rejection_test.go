package rejection

import (
	"errors"
	"testing"
)

// recorder stands in for a test so that a broken rule shows as a failure
// here rather than failing this test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func TestCheck(t *testing.T) {
	const secret = "bkua_0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name, input, msg  string
		fails, failsLines bool // under Check alone, and with OneProblemPerLine
	}{
		{"clear refusal", secret, "not an organization: looks like an API token", false, false},
		{"empty", "x", "", true, true},
		{"blank", "x", " \t", true, true},
		{"two lines", "x", "first\nsecond", true, false},
		{"empty line", "x", "first\n\nsecond", true, true},
		{"carriage return", "x", "first\rsecond", true, false},
		{"not UTF-8", "x", "bad \xff", true, true},
		{"echoes a secret", secret, "bad value " + secret, true, true},
		{"echoes part of a secret", "x " + secret, "bad value 89abcdef0123456789ab", true, true},
		{"echoes a 40-hex secret", "0123456789abcdef0123456789abcdef01234567", "bad 456789abcdef0123", true, true},
		{"repeats a run also outside the secret", "0123456789abcdef0 " + secret, "bad value 0123456789abcdef", false, false},
		{"quoted byte next to a run", "bkua_abcdef0123456789abcd", `bad value "\xabcdef0123456789"`, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Check(r, tc.input, errors.New(tc.msg))
			if r.failed != tc.fails {
				t.Errorf("Check(%q, %q) failed = %v, want %v", tc.input, tc.msg, r.failed, tc.fails)
			}
			r = &recorder{TB: t}
			Check(r, tc.input, errors.New(tc.msg), OneProblemPerLine())
			if r.failed != tc.failsLines {
				t.Errorf("Check(%q, %q, OneProblemPerLine()) failed = %v, want %v", tc.input, tc.msg, r.failed, tc.failsLines)
			}
		})
	}
}
