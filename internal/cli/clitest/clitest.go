// Package clitest holds what the commands' tests share: the tests' fixed
// clock, the environment, private files, and the check that a failure
// document has its success document's keys.
package clitest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/testenv"
)

// Now is the emulator's and the commands' clock in tests, so fixtures
// relative to "now" and relative times render the same on every run.
var Now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// SetEnv makes env the whole of the environment tokenctl reads, as its
// settings, the config file's place, the cache and the pager do, until the
// test ends: every variable config.Environment lists that env does not
// name is unset, so the machine's own settings never reach a command. A
// test that calls it (through the harness, every command test) is not
// parallel (see testenv.Only).
func SetEnv(t testing.TB, env map[string]string) {
	t.Helper()
	testenv.Only(t, config.EnvironmentNames(), env)
}

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

// FailureCase is a command's options, whose failure document is checked
// against the command's success document.
type FailureCase struct {
	Name    string
	Failure cmdutil.FailureDocumenter
	Success any
}

// CheckFailureDocuments checks that each failure document has the keys of
// its success document, in the same order, so that a script reads both
// the same way.
func CheckFailureDocuments(t *testing.T, cases []FailureCase) {
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, want := TopLevelKeys(t, c.Failure.FailureDocument()), TopLevelKeys(t, c.Success)
			if !slices.Equal(got, want) {
				t.Errorf("failure document keys %v\nsuccess document keys %v", got, want)
			}
		})
	}
}
