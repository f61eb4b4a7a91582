package inputfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileAndStdin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(path, []byte("from the file"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path, strings.NewReader("from stdin"), 100, "it"); err != nil || string(got) != "from the file" {
		t.Errorf("file: %q, %v", got, err)
	}
	if got, err := Read("-", strings.NewReader("from stdin"), 100, "it"); err != nil || string(got) != "from stdin" {
		t.Errorf("stdin: %q, %v", got, err)
	}
}

// The limit is inclusive: limit bytes are read, one more is too large.
func TestReadLimit(t *testing.T) {
	if got, err := Read("-", strings.NewReader("12345"), 5, "it"); err != nil || string(got) != "12345" {
		t.Errorf("at the limit: %q, %v", got, err)
	}
	if got, err := Read("-", strings.NewReader("123456"), 5, "it"); !errors.Is(err, ErrTooLarge) || got != nil {
		t.Errorf("over the limit: %q, %v; want ErrTooLarge", got, err)
	}
}

func TestReadErrorsNameTheProblemNotThePath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	_, err := Read(missing, nil, 100, "it")
	if err == nil || err.Error() != "cannot read it: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Read("-", nil, 100, "the tokens"); err == nil || err.Error() != "no standard input to read the tokens from" {
		t.Errorf("no stdin: %v", err)
	}
}

func TestDescribe(t *testing.T) {
	if got := Describe("--from-file", "a.txt"); got != "--from-file a.txt" {
		t.Errorf("file: %q", got)
	}
	if got := Describe("--from-file", "-"); got != "--from-file - (standard input)" {
		t.Errorf("stdin: %q", got)
	}
}
