package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/exitcode"
)

func noEnv(string) (string, bool) { return "", false }

func TestRunReportsThePagesWritten(t *testing.T) {
	dir := t.TempDir()
	var stderr strings.Builder
	if err := run([]string{"-dir", dir}, noEnv, time.Now(), &stderr); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := "Wrote " + strconv.Itoa(len(entries)) + " man pages to " + dir + "\n"
	if len(entries) == 0 || stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

func TestRunFailures(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  string // SOURCE_DATE_EPOCH
		args []string
		code exitcode.Code
		msg  string
	}{
		{"no dir", "", nil, exitcode.Usage, "tokenctl-man [-dir DIR] [-docs DIR]"},
		{"stray argument", "", []string{"-dir", t.TempDir(), "extra"}, exitcode.Usage, "tokenctl-man [-dir DIR] [-docs DIR]"},
		{"dir is a file", "", []string{"-dir", filepath.Join(file, "man")}, exitcode.Failure, "cannot create the man page directory"},
		{"bad SOURCE_DATE_EPOCH", "yesterday", []string{"-dir", t.TempDir()}, exitcode.Usage, "SOURCE_DATE_EPOCH"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := func(k string) (string, bool) { return c.env, k == "SOURCE_DATE_EPOCH" && c.env != "" }
			var stderr strings.Builder
			err := run(c.args, env, time.Now(), &stderr)
			if err == nil || exitcode.Of(err) != c.code || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v (exit %d), want exit %d naming %q", err, exitcode.Of(err), c.code, c.msg)
			}
		})
	}
}

func TestRunWritesTheDocs(t *testing.T) {
	docs := t.TempDir()
	if err := os.MkdirAll(filepath.Join(docs, "contracts"), 0o750); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"exit-codes.md", "configuration.md"} {
		text, err := os.ReadFile(filepath.Join("..", "..", "docs", "contracts", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(docs, "contracts", name), text, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var stderr strings.Builder
	if err := run([]string{"-docs", docs}, noEnv, time.Now(), &stderr); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(docs, "reference", "tokenctl-revoke.md")); err != nil {
		t.Errorf("no reference page for revoke: %v", err)
	}
	if !strings.Contains(stderr.String(), "Wrote the command reference") {
		t.Errorf("stderr %q says nothing of the reference", stderr.String())
	}
}
