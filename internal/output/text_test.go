package output

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/fatih/color"

	"github.com/tokenctl/tokenctl/internal/redact"
)

// hostile is a token description as an attacker would write it: it
// clears the line, moves the cursor up to rewrite the row above, hides
// text, reverses what follows, and hides a zero-width character.
const hostile = "CI bot\x1b[2K\r\x1b[1Aevil\x1b[8mhidden\u202egnp.exe\u200b\u009b31m\x7f\x00\xff"

func TestPrintable(t *testing.T) {
	cases := []struct{ in, want string }{
		{"CI deploy bot", "CI deploy bot"},
		{"Mo's old laptop — ümlaut 日本 🚀", "Mo's old laptop — ümlaut 日本 🚀"},
		{"a\tb\nc\rd", `a\tb\nc\rd`},
		{"\x1b[31mred", `\u001b[31mred`},
		{"tag\U000E0041", `tag\udb40\udc41`},
		{"\u009b31m", `\u009b31m`},
		{"abc\u202edef\u2066\u200d\ufeff", `abc\u202edef\u2066\u200d\ufeff`},
		{"line\u2028sep", `line\u2028sep`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"del\x7f", `del\u007f`},
	}
	for _, c := range cases {
		if got := Printable(c.in); got != c.want {
			t.Errorf("Printable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Printable(hostile); !harmless(got) {
		t.Errorf("Printable left something a terminal acts on: %q", got)
	}
}

// harmless reports whether s holds only characters a terminal shows as
// themselves (and line breaks).
func harmless(s string) bool {
	for _, r := range s {
		if r != '\n' && !shown(r, false) {
			return false
		}
	}
	return true
}

func hostileRows(bool) Rows {
	return Rows{Headers: []string{"TOKEN", "DESCRIPTION"}, Cells: [][]string{
		{"11111111", hostile},
		{"22222222", "=HYPERLINK(\"http://evil.example\",\"x\")"},
		{"33333333", "+1+cmd|' /C calc'!A0"},
		{"44444444", "-2"},
		{"55555555", "@SUM(A1)"},
		{"66666666", "\tTAB"},
		{"77777777", "\r=CR"},
		{"88888888", "a=b"},
	}}
}

func TestTablesAreInert(t *testing.T) {
	for _, f := range []Format{Table, Wide} {
		var b strings.Builder
		if err := (Printer{Out: &b, Format: f}).Print(nil, hostileRows); err != nil {
			t.Fatal(err)
		}
		if !harmless(b.String()) {
			t.Errorf("%s: the table carries control characters:\n%q", f, b.String())
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != 9 {
			t.Errorf("%s: %d lines, want a header and 8 rows:\n%s", f, len(lines), b.String())
		}
		if !strings.Contains(lines[1], `CI bot\u001b[2K\r\u001b[1Aevil\u001b[8mhidden\u202egnp.exe\u200b\u009b31m\u007f\u0000\xff`) {
			t.Errorf("%s: the description is not shown escaped: %q", f, lines[1])
		}
	}
}

// Colour chosen by the command survives; colour in the data does not.
func TestTableColour(t *testing.T) {
	rows := Rows{Headers: []string{"A", "B"}, Cells: [][]string{{"\x1b[31mdata", "ok"}}}
	rows.Colour = func(row, col int) *color.Color {
		if col == 1 {
			return Green
		}
		return nil
	}
	var b strings.Builder
	if err := WriteTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\x1b[32mok\x1b[0m") || !strings.Contains(b.String(), `\u001b[31mdata`) {
		t.Errorf("table = %q", b.String())
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	var b strings.Builder
	if err := (Printer{Out: &b, Format: CSV}).Print(nil, hostileRows); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, b.String())
	}
	want := []string{
		`CI bot\u001b[2K\r\u001b[1Aevil\u001b[8mhidden\u202egnp.exe\u200b\u009b31m\u007f\u0000\xff`,
		`'=HYPERLINK("http://evil.example","x")`,
		`'+1+cmd|' /C calc'!A0`,
		`'-2`,
		`'@SUM(A1)`,
		`\tTAB`,
		`\r=CR`,
		`a=b`,
	}
	for i, w := range want {
		if got := records[i+1][1]; got != w {
			t.Errorf("row %d: cell %q, want %q", i, got, w)
		}
	}
	if !harmless(b.String()) {
		t.Errorf("CSV carries control characters:\n%q", b.String())
	}
}

// JSON and YAML are data, not display: they carry the description exactly.
func TestMachineFormatsStayExact(t *testing.T) {
	data := map[string]string{"description": hostile}
	var b strings.Builder
	if err := (Printer{Out: &b, Format: JSON}).Print(data, hostileRows); err != nil {
		t.Fatal(err)
	}
	var back map[string]string
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatal(err)
	}
	// encoding/json turns the one invalid byte into U+FFFD, as JSON must.
	if want := strings.ToValidUTF8(hostile, "\ufffd"); back["description"] != want {
		t.Errorf("JSON changed the description: %q", back["description"])
	}
}

func TestTerminalWriter(t *testing.T) {
	var b strings.Builder
	w := NewTerminalWriter(&b)
	msg := "tokenctl: 1111: failed: \x1b]0;pwned\x07 née\u202e\nnext\tline\n"
	// Written a byte at a time: a rune split across writes is not mangled.
	for i := 0; i < len(msg); i++ {
		if n, err := w.Write([]byte{msg[i]}); n != 1 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	want := "tokenctl: 1111: failed: \\u001b]0;pwned\\u0007 née\\u202e\nnext\tline\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

// A JSON document written to stderr (the unfiltered report after an --jq
// failure) is escaped like any text there, and is still the same JSON.
func TestTerminalWriterKeepsJSON(t *testing.T) {
	data := map[string]string{"description": "del\x7f c1\u009b bidi\u202e tag\U000E0041 nel\u0085 ok"}
	var raw strings.Builder
	if err := writeJSON(&raw, data); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if _, err := NewTerminalWriter(&b).Write([]byte(raw.String())); err != nil {
		t.Fatal(err)
	}
	if !harmless(b.String()) {
		t.Errorf("not escaped: %q", b.String())
	}
	var back map[string]string
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back["description"] != data["description"] {
		t.Errorf("escaped JSON %q decodes to %q (%v)", b.String(), back["description"], err)
	}
}

func TestJQRuntimeFailureHandsBackTheDocument(t *testing.T) {
	var out strings.Builder
	data := []sample{{Name: "alpha", Count: 1}, {Name: "beta", Count: 2}}
	err := Printer{Out: &out, Format: JSON, JQ: ".[] | .name, (.name | tonumber)"}.Print(data, sampleRows)
	var jq *JQError
	if !errors.As(err, &jq) || jq.Document == nil {
		t.Fatalf("err = %v, want a *JQError with the document", err)
	}
	if out.Len() != 0 {
		t.Errorf("half the filtered output was printed: %q", out.String())
	}
	var back []sample
	if err := json.Unmarshal(jq.Document, &back); err != nil || len(back) != 2 {
		t.Errorf("document %s: %v", jq.Document, err)
	}
}

func TestPrintFailure(t *testing.T) {
	empty := struct {
		DryRun  bool     `json:"dryRun"`
		Results []string `json:"results"`
	}{Results: []string{}}
	var out strings.Builder
	if err := (Printer{Out: &out, Format: JSON}).PrintFailure(empty, Failure{Message: "no such organization", ExitCode: 4}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"dryRun\": false,\n  \"results\": [],\n  \"error\": {\n    \"message\": \"no such organization\",\n    \"exitCode\": 4\n  }\n}\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	if err := (Printer{Out: &out, Format: Table}).PrintFailure(empty, Failure{}); err != nil || out.Len() != 0 {
		t.Errorf("table: %v %q", err, out.String())
	}
}

// Whatever a description holds, a table cell, a CSV cell and stderr show
// nothing a terminal acts on; text that needs no escaping is unchanged.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "CI deploy bot", hostile, "=1+2", "\u202e\U000E0041", "a\xe2\x80", "\t\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Printable(s)
		if !harmless(p) || strings.ContainsRune(p, '\n') {
			t.Fatalf("Printable(%q) = %q", s, p)
		}
		// Printable text comes out as it went in, unless it holds what
		// looks like a token, which is redacted.
		if isPrintable(s, false) && redact.Secrets(s) == s && p != s {
			t.Fatalf("Printable changed printable text %q to %q", s, p)
		}
		if c := csvCell(s); !harmless(c) || spreadsheetFormula(c) {
			t.Fatalf("csvCell(%q) = %q", s, c)
		}
		var b strings.Builder
		w := NewTerminalWriter(&b)
		half := len(s) / 2
		_, _ = w.Write([]byte(s[:half]))
		_, _ = w.Write([]byte(s[half:] + "\n"))
		if !harmless(strings.ReplaceAll(b.String(), "\t", " ")) {
			t.Fatalf("TerminalWriter wrote %q for %q", b.String(), s)
		}
	})
}

// Tables, reports and stderr never repeat a token-shaped value, whatever
// the text came from: Printable and the terminal writer redact it.
func TestPrintableRedactsSecrets(t *testing.T) {
	secret := "bkua_" + strings.Repeat("k3", 20)
	if got := Printable("reason: " + secret + "\x1b[2K"); strings.Contains(got, secret) || got != `reason: [redacted]\u001b[2K` {
		t.Errorf("Printable = %q", got)
	}
	var b strings.Builder
	if _, err := NewTerminalWriter(&b).Write([]byte("tokenctl: " + secret + ": missing\n")); err != nil {
		t.Fatal(err)
	}
	if b.String() != "tokenctl: [redacted]: missing\n" {
		t.Errorf("terminal writer wrote %q", b.String())
	}
}
