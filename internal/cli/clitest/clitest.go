// Package clitest holds what the commands' tests share: the tests' fixed
// clock, private files, and the keys of a JSON document.
package clitest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Now is the emulator's and the commands' clock in tests, so fixtures
// relative to "now" and relative times render the same on every run.
var Now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// WritePrivateFile writes content to dir/name, readable by its owner only,
// as a user keeps a file of tokens or a leaked value.
func WritePrivateFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TopLevelKeys lists the keys of v's JSON object in order.
func TopLevelKeys(t testing.TB, v any) []string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s is not a JSON object", data)
	}
	var keys []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
