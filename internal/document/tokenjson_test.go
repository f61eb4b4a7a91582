package document

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// A token appends the bytes an indented encoding/json encoder writes for
// it as an item of a list, whatever its fields hold.
func TestTokenAppendJSONItemIsEncodingJSONIndented(t *testing.T) {
	desc, ip, odd := "deploy <prod> & \"stage\"\n\t\x01\u2028 é 日本 \xff", "10.0.0.1", "Zoë \\ Ünïcode"
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	frac := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("x", -3600))
	tokens := []Token{
		{}, // every pointer nil, scopes nil
		{ID: "QVBJ", UUID: "u-1", Description: &desc, Owner: &User{ID: "VXNlcg", UUID: "o-1", Name: odd, Email: "a@b.example"}, Scopes: []string{"READ_BUILDS", "WRITE_<x>"}, CreatedAt: at, LastAccessedAt: &frac, ExpiresAt: &at, IPAddress: &ip},
		{ID: "x", Scopes: []string{}, CreatedAt: frac},
	}
	for i, tok := range tokens {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		if err := enc.Encode(&tok); err != nil {
			t.Fatal(err)
		}
		got, err := tok.AppendJSONItem(nil)
		if err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
		if want := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); !bytes.Equal(got, want) {
			t.Errorf("token %d:\n got %s\nwant %s", i, got, want)
		}
	}
	bad := Token{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := bad.AppendJSONItem(nil); err == nil {
		t.Error("a year encoding/json cannot write was written")
	}
}

// BenchmarkTokenJSONItems appends 5,000 listed tokens as a listing's JSON
// writes them.
func BenchmarkTokenJSONItems(b *testing.B) {
	desc, ip := "Generated token (stale teams)", "10.0.0.1"
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	owner := &User{ID: "VXNlci0tLWE1YjQ0NjU0LTk0NjMtNGNkYi04NWJm", UUID: "a5b44654-9463-4cdb-85bf-5b7c1e2e7a4c", Name: "Mo", Email: "mo@acme.example"}
	tokens := make([]Token, 5000)
	for i := range tokens {
		tokens[i] = Token{ID: "QVBJQWNjZXNzVG9rZW4tLS0wMDBiZGJiNC00Y2RiLTU0MTMtYmVhNi1lMWJiZDM1MzE2OWQ=", UUID: "000bdbb4-4cdb-5413-bea6-e1bbd353169d",
			Description: &desc, Owner: owner, Scopes: []string{"READ_TEAMS", "WRITE_TEAMS"}, CreatedAt: at, LastAccessedAt: &at, IPAddress: &ip}
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		for i := range tokens {
			var err error
			if buf, err = tokens[i].AppendJSONItem(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	}
}
