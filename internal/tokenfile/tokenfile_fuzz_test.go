package tokenfile

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/rejection"
)

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
			rejection.Check(t, string(data), err)
			return
		}
		lines := make([]string, len(got))
		for i, tk := range got {
			lines[i] = tk.String()
		}
		// In the lines form # starts a comment, so an id holding one (which
		// only the JSON form can name) has no lines form to round-trip.
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "#") }) {
			fromText, err := Parse([]byte(strings.Join(lines, "\n")))
			if err != nil || !slices.Equal(fromText, got) {
				t.Fatalf("%v written as lines reads back as %v, %v", got, fromText, err)
			}
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
