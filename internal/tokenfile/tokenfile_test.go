package tokenfile

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/redact"
)

const (
	uuidA = "11111111-1111-4111-8111-111111111111"
	uuidB = "22222222-2222-4222-8222-222222222222"
)

var idC = base64.StdEncoding.EncodeToString([]byte("APIAccessToken---33333333-3333-4333-8333-333333333333"))

func keys(ts []ident.Token) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.String())
	}
	return out
}

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"one per line", uuidA + "\n" + uuidB + "\n", []string{uuidA, uuidB}},
		{"comments, blank lines, CRLF, upper case, duplicates kept",
			"# leavers, 2026-06\r\n\r\n  " + strings.ToUpper(uuidA) + "  # Mo's CI bot\r\n\n" + idC + "\n" + uuidA + "\n#" + uuidB + "\n",
			[]string{uuidA, idC, uuidA}},
		{"no final newline", uuidA, []string{uuidA}},
		{"byte order mark", "\ufeff" + uuidA + "\n", []string{uuidA}},
		{"tokens list JSON", `{"organization":{"slug":"acme"},"tokens":[{"id":"` + idC + `","uuid":"` + uuidA + `","owner":{"uuid":"` + uuidB + `"}},{"id":"` + idC + `"}],"summary":{"tokens":2}}`,
			[]string{uuidA, idC}},
		{"array of token objects", `[{"uuid":"` + uuidB + `"}, {"uuid": null, "id":"` + idC + `"}]`, []string{uuidB, idC}},
		{"array of strings, after whitespace", "\n  [\"" + uuidA + "\", \"" + idC + "\"]\n", []string{uuidA, idC}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse([]byte(c.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !slices.Equal(keys(got), c.want) {
				t.Errorf("Parse = %q, want %q", keys(got), c.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	secret := "bkua_0123456789abcdef0123456789abcdef01234567"
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "no token in it"},
		{"only comments and blanks", "# nothing yet\n\n   \n", "no token in it"},
		{"empty JSON list", `{"tokens":[]}`, "no token in it"},
		{"empty JSON array", `[]`, "no token in it"},
		{"bad line named by number", uuidA + "\n\n11111111-1111\n", "line 3: token \"11111111-1111\" is neither a uuid"},
		{"several bad lines counted", "1-2\n" + uuidA + "\n3-4\n5-6\n", "line 1: token \"1-2\" is neither a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) nor an API access token id: it looks like a uuid with a part missing (and 2 more bad lines)"},
		{"two words on a line", uuidA + " " + uuidB + "\n", "line 1: more than one word"},
		{"a table pasted", "UUID DESCRIPTION\n" + uuidA + " CI bot\n", "line 1: more than one word"},
		{"secret value not echoed", uuidA + "\n" + secret + "\n", "line 2: that looks like a secret token value"},
		{"JSON syntax error with position", "{\n  \"tokens\": [\n    {\"uuid\": \"" + uuidA + "\",}\n  ]\n}", "JSON: line 3, column"},
		{"truncated JSON", `{"tokens":[{"uuid":"` + uuidA, "ends too early"},
		{"JSON object without tokens", `{"results":[]}`, `an object with a "tokens" array`},
		{"JSON element without uuid or id", `{"tokens":[{"uuid":"` + uuidA + `"},{"description":"x"}]}`, `JSON: tokens[1]: has neither "uuid" nor "id"`},
		{"JSON element of the wrong type", `[1]`, "JSON: [0]: is neither a token uuid or id string nor a token object"},
		{"JSON bad uuid", `["` + uuidA + `","12-34","56-78"]`, `JSON: [1]: token "12-34" is neither a uuid (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) nor an API access token id: it looks like a uuid with a part missing (and 1 more bad element)`},
		{"JSON uuid field that is no uuid", `[{"uuid": "nope"}]`, `JSON: [0]: "uuid" is not a uuid`},
		{"JSON secret not echoed", `["` + secret + `"]`, "looks like a secret"},
		{"two JSON documents", `[] []`, "more than one document"},
		{"JSON uuid not a string", `[{"uuid": 5}]`, `"uuid" and "id" must be strings`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse([]byte(c.in))
			if err == nil {
				t.Fatalf("Parse = %q, want an error containing %q", keys(got), c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want one containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error echoes the secret: %v", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	if _, err := Parse([]byte("# empty\n")); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty input error %v is not ErrEmpty", err)
	}
}

// Whatever it is given, Parse either returns at least one valid token or a
// one-line error, and never echoes a secret-shaped value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		uuidA + "\n# c\n\n" + idC,
		`{"tokens":[{"uuid":"` + uuidA + `"}]}`,
		`["` + uuidB + `", {"id":"` + idC + `"}]`,
		"[", "{", "#", "\ufeff", "bkua_0123456789abcdef0123456789abcdef01234567",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("multi-line error: %q", err)
			}
			for _, w := range strings.Fields(string(data)) {
				if redact.IsSecret(w) && strings.Contains(err.Error(), w) {
					t.Errorf("error echoes a secret-shaped value: %q", err)
				}
			}
			return
		}
		if len(got) == 0 {
			t.Fatal("no error and no token")
		}
		for _, tk := range got {
			if _, err := ident.ParseToken(tk.String()); err != nil {
				t.Errorf("returned an invalid token %q: %v", tk, err)
			}
		}
	})
}

// BenchmarkParseLines measures a 10,000-line file, a large leaver list.
func BenchmarkParseLines(b *testing.B) {
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, "%08x-0000-4000-8000-000000000000 # token %d\n", i, i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if ts, err := Parse(data); err != nil || len(ts) != 10000 {
			b.Fatal(len(ts), err)
		}
	}
}

// The organization `tokens list -o json` records comes back, so that a run
// on another organization can be refused; other shapes record none.
func TestParseFileOrganization(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     *document.Organization
	}{
		{"tokens list", `{"organization": {"id": "T3Jn", "uuid": "b0000000-0000-4000-8000-000000000001", "slug": "acme", "name": "Acme"}, "tokens": [{"uuid": "` + uuidA + `"}]}`,
			&document.Organization{ID: "T3Jn", UUID: "b0000000-0000-4000-8000-000000000001", Slug: "acme", Name: "Acme"}},
		{"slug only", `{"organization": {"slug": "acme"}, "tokens": ["` + uuidA + `"]}`, &document.Organization{Slug: "acme"}},
		{"null", `{"organization": null, "tokens": ["` + uuidA + `"]}`, nil},
		{"names nothing", `{"organization": {}, "tokens": ["` + uuidA + `"]}`, nil},
		{"array", `["` + uuidA + `"]`, nil},
		{"lines", uuidA + "\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFile([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if (f.Organization == nil) != (tc.want == nil) || (tc.want != nil && *f.Organization != *tc.want) {
				t.Errorf("organization = %+v, want %+v", f.Organization, tc.want)
			}
		})
	}
	if _, err := ParseFile([]byte(`{"organization": "acme", "tokens": ["` + uuidA + `"]}`)); err == nil || !strings.Contains(err.Error(), `"organization" must be an object`) {
		t.Errorf("organization as a string: %v", err)
	}
}
