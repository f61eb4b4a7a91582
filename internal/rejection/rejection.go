// Package rejection holds the rules that every refusal of user input is
// tested against, so that the fuzz tests of each parser check the same
// things: the message is non-empty, one line, valid UTF-8, and repeats no
// part of a secret pasted into the input. It is for tests only and must
// not be imported by non-test code.
package rejection

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

// echoRun is how many characters of a secret a message may not repeat.
const echoRun = 16

type rules struct {
	manyLines bool
}

// Option relaxes a rule for a parser that reports by design in another form.
type Option func(*rules)

// OneProblemPerLine allows a message of several lines, one problem to a
// line, as config.Load reports; every line must still be non-empty.
func OneProblemPerLine() Option {
	return func(r *rules) { r.manyLines = true }
}

// Check fails t unless err, the refusal of input, keeps to the rules: a
// message that is one non-empty line of valid UTF-8 and that repeats no
// 16-character run of anything secret-shaped in the input, unless the
// input also holds that run outside its secrets.
func Check(t testing.TB, input string, err error, opts ...Option) {
	t.Helper()
	var r rules
	for _, o := range opts {
		o(&r)
	}
	msg := err.Error()
	if r.manyLines {
		for _, line := range strings.Split(msg, "\n") {
			if strings.TrimSpace(line) == "" {
				t.Fatalf("rejection of %q has an empty line: %q", input, msg)
			}
		}
	} else {
		if strings.TrimSpace(msg) == "" {
			t.Fatalf("rejection of %q has an empty message", input)
		}
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("rejection of %q is not one line: %q", input, msg)
		}
	}
	if !utf8.ValidString(msg) {
		t.Fatalf("rejection of %q is not valid UTF-8: %q", input, msg)
	}
	// A run the input also holds outside its secrets may be echoed.
	rest := secretInInput.ReplaceAllString(input, "\x00")
	// Quoting turns a stray byte into \xe0, whose hex digits could line up
	// with a run of the input; they are not an echo.
	msg = quotedByte.ReplaceAllString(msg, "\x00")
	for _, secret := range secretInInput.FindAllString(input, -1) {
		for i := 0; i+echoRun <= len(secret); i++ {
			if w := secret[i : i+echoRun]; strings.Contains(msg, w) && !strings.Contains(rest, w) {
				t.Fatalf("rejection echoes the secret-shaped %q: %q", secret, msg)
			}
		}
	}
}
