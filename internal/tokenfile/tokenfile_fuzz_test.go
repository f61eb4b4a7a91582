package tokenfile

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tokenctl/tokenctl/internal/ident"
)

// secretInInput finds every part of an input shaped like a token value:
// what an error message must never repeat.
var secretInInput = regexp.MustCompile(`bk[a-z]{2}_[A-Za-z0-9]{16,}|[0-9a-f]{40,}`)

// quotedByte is how strconv.Quote writes a byte or rune it cannot show.
var quotedByte = regexp.MustCompile(`\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})`)

// FuzzTokenFileRoundTrip goes beyond FuzzParse: a refusal never repeats
// any part of a secret pasted into a file (not only a whole-word one), and
// the tokens a file names come back the same when written as text lines or
// as a JSON array, the two forms scripts hand to --from-file.
func FuzzTokenFileRoundTrip(f *testing.F) {
	for _, s := range []string{
		uuidA + "\n# c\n\n" + idC,
		`{"tokens":[{"uuid":"` + uuidA + `"}]}`,
		`["` + uuidB + `", {"id":"` + idC + `"}]`,
		uuidA + " # bkua_0123456789abcdef0123456789abcdef01234567\n",
		"token=bkua_0123456789ABCDEF0123456789abcdef01234567\n",
		`["bkua_0123456789ABCDEF0123456789abcdef01234567"]`,
		`{"tokens":[{"uuid":"x bkua_0123456789ABCDEF0123456789abcdef01234567"}]}`,
		`{"tokens":[{"uuid":1}]}`, `[null]`, `{"tokens":null}`, "[\n1,\n{", "\xff\xfe", "\ufeff" + uuidA,
		uuidA + "\r\n" + strings.ToUpper(uuidB) + "\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		if err != nil {
			checkRejection(t, string(data), err)
			return
		}
		lines := make([]string, len(got))
		for i, tk := range got {
			lines[i] = tk.String()
		}
		fromText, err := Parse([]byte(strings.Join(lines, "\n")))
		if err != nil || !slices.Equal(fromText, got) {
			t.Fatalf("%v written as lines reads back as %v, %v", got, fromText, err)
		}
		doc, err := json.Marshal(lines)
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, err := Parse(doc)
		if err != nil || !slices.Equal(fromJSON, got) {
			t.Fatalf("%v written as JSON reads back as %v, %v", got, fromJSON, err)
		}
		for _, tk := range got {
			if again, err := ident.ParseToken(tk.String()); err != nil || again != tk {
				t.Fatalf("token %+v does not read back: %+v, %v", tk, again, err)
			}
		}
	})
}

// checkRejection holds a refusal to the rules for bad input: one non-empty
// line of valid UTF-8 repeating no 16-character run of anything
// secret-shaped in the input (unless the input also holds that run outside
// its secrets).
func checkRejection(t *testing.T, input string, err error) {
	t.Helper()
	msg := err.Error()
	if strings.TrimSpace(msg) == "" || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
		t.Fatalf("rejection of %q is not one clear line: %q", input, msg)
	}
	rest := secretInInput.ReplaceAllString(input, "\x00")
	msg = quotedByte.ReplaceAllString(msg, "\x00")
	for _, secret := range secretInInput.FindAllString(input, -1) {
		for i := 0; i+16 <= len(secret); i++ {
			if w := secret[i : i+16]; strings.Contains(msg, w) && !strings.Contains(rest, w) {
				t.Fatalf("rejection echoes the secret-shaped %q: %q", secret, msg)
			}
		}
	}
}
