package jsonvalid

import (
	"encoding/json"
	"strings"
	"testing"
)

// Valid says what encoding/json's Valid says, whatever the bytes.
func FuzzValid(f *testing.F) {
	for _, s := range []string{
		``, ` `, `null`, `nul`, `true `, ` false`, `0`, `-0`, `01`, `-`, `1.`, `1.5e`, `1.5e+3`, `-12.5E-03`, `1e5x`,
		`""`, `"\u00e9\n\t\"\\\/"`, `"\u12G4"`, `"\x"`, "\"\x01\"", "\"\xff\xfe\"", `"open`,
		`{}`, `{"a":1,"b":[true,false,null,{"c":"d"}]}`, `{"a":1,}`, `{"a" 1}`, `{1:2}`, `[1,2,]`, `[,]`, `[1 2]`, `[]]`, `{"a":{}}}`,
		`{"data":{"organization":{"apiAccessTokens":{"edges":[{"node":{"id":"x","createdAt":"2026-01-01T00:00:00Z"}}],"pageInfo":{"hasNextPage":false,"endCursor":null}}}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := Valid(data), json.Valid(data); got != want {
			t.Errorf("Valid(%q) = %v, encoding/json says %v", data, got, want)
		}
	})
}

// Nesting is refused deeper than encoding/json allows, as it refuses it.
func TestDepth(t *testing.T) {
	for _, depth := range []int{9999, 10000, 10001} {
		for _, s := range []string{
			strings.Repeat("[", depth) + strings.Repeat("]", depth),
			strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth),
			strings.Repeat(`[{"a":`, depth/2) + "1" + strings.Repeat("}]", depth/2),
		} {
			if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
				t.Errorf("depth %d (%.8s...): %v, encoding/json says %v", depth, s, got, want)
			}
		}
	}
}

// BenchmarkValid checks a page of 500 listed tokens.
func BenchmarkValid(b *testing.B) {
	var page strings.Builder
	page.WriteString(`{"data":{"organization":{"id":"T3Jn","apiAccessTokens":{"edges":[`)
	for i := range 500 {
		if i > 0 {
			page.WriteByte(',')
		}
		page.WriteString(`{"node":{"id":"QVBJQWNjZXNzVG9rZW4tLS0wMDBiZGJiNC00Y2RiLTU0MTMtYmVhNi1lMWJiZDM1MzE2OWQ=","uuid":"000bdbb4-4cdb-5413-bea6-e1bbd353169d","description":"Generated token 18 (stale teams)","scopes":["READ_TEAMS","WRITE_TEAMS"],"createdAt":"2024-09-30T00:23:29Z","lastAccessedAt":null,"expiresAt":null,"ipAddress":"127.0.0.1","owner":{"id":"VXNlcg==","uuid":"9df770d0-ee88-5d73-a60b-cf77e677d9db","name":"Buildkite bot 62","email":"bot62@acme.example","bot":true,"machineUser":false}}}`)
	}
	page.WriteString(`],"pageInfo":{"hasNextPage":true,"endCursor":"abc"}}}}}`)
	data := []byte(page.String())
	b.SetBytes(int64(len(data)))
	b.Run("jsonvalid", func(b *testing.B) {
		for b.Loop() {
			if !Valid(data) {
				b.Fatal("not valid")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			if !json.Valid(data) {
				b.Fatal("not valid")
			}
		}
	})
}
