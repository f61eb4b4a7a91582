package manpages

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWriteWritesAPagePerVisibleCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man")
	n, err := Write(dir, time.Unix(0, 0).UTC())
	if err != nil {
		t.Fatal(err)
	}
	var pages []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		pages = append(pages, e.Name())
	}
	if n != len(pages) {
		t.Errorf("Write says it wrote %d pages, the directory holds %d", n, len(pages))
	}
	for _, want := range []string{"tokenctl.1", "tokenctl-revoke.1", "tokenctl-whoami.1", "tokenctl-policy.1", "tokenctl-policy-show.1",
		"tokenctl-completion.1", "tokenctl-completion-bash.1", "tokenctl-config-set.1", "tokenctl-version.1"} {
		if !slices.Contains(pages, want) {
			t.Errorf("no %s among %v", want, pages)
		}
	}
	for _, p := range pages {
		if strings.HasPrefix(p, "tokenctl-help") || strings.HasPrefix(p, "tokenctl-__") {
			t.Errorf("hidden command documented: %s", p)
		}
	}

	page, err := os.ReadFile(filepath.Join(dir, "tokenctl-revoke.1"))
	if err != nil {
		t.Fatal(err)
	}
	// A fixed date makes the pages reproducible; no generation stamp.
	for _, want := range []string{".TH", "Jan 1970", "tokenctl manual", "--allow-self", "cannot be undone"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("revoke man page has no %q", want)
		}
	}
	if strings.Contains(string(page), "Auto generated") {
		t.Error("man page carries cobra's generation stamp")
	}
}

func TestWriteRefusesAFileAsDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Write(filepath.Join(file, "man"), time.Now())
	if err == nil || !strings.Contains(err.Error(), "cannot create the man page directory") {
		t.Fatalf("err = %v, want one about the directory", err)
	}
}

func TestDate(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("X", 3600))
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) { return v, k == "SOURCE_DATE_EPOCH" && v != "" }
	}
	if got, err := Date(env("86400"), now); err != nil || !got.Equal(time.Unix(86400, 0)) {
		t.Errorf("SOURCE_DATE_EPOCH=86400: %v, %v", got, err)
	}
	if got, err := Date(env(""), now); err != nil || !got.Equal(now) || got.Location() != time.UTC {
		t.Errorf("no SOURCE_DATE_EPOCH: %v, %v, want now in UTC", got, err)
	}
	if _, err := Date(env("yesterday"), now); err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
		t.Errorf("SOURCE_DATE_EPOCH=yesterday: err = %v", err)
	}
}
