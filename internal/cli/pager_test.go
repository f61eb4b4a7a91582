package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// On a terminal, a table goes through the pager named by TOKENCTL_PAGER
// (before PAGER); piped output, machine formats and commands that change
// things never do.
func TestPager(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in pager is a shell command")
	}
	h := newHarness(t, emulator.Options{})
	paged := filepath.Join(t.TempDir(), "paged")
	h.env["TOKENCTL_PAGER"] = "cat > " + paged
	h.env["PAGER"] = "false"
	read := func() string {
		b, err := os.ReadFile(paged)
		if os.IsNotExist(err) {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		_ = os.Remove(paged)
		return string(b)
	}

	r := h.runTTY("", "tokens", "list", "--org", "acme")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("paged run: %s", r)
	}
	if got := read(); !strings.Contains(got, "UUID") || !strings.Contains(got, et.CIDeployBotUUID) {
		t.Errorf("the pager got:\n%s", got)
	}

	for _, c := range []struct {
		tty  bool
		args []string
	}{
		{false, []string{"tokens", "list", "--org", "acme"}},
		{true, []string{"tokens", "list", "--org", "acme", "-o", "json"}},
		{true, []string{"tokens", "list", "--org", "acme", "--jq", ".tokens[].uuid"}},
		{true, []string{"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--dry-run"}},
	} {
		r := h.exec(c.tty, "", c.args...)
		if r.code != 0 || r.stdout == "" {
			t.Errorf("%v: %s", c.args, r)
		}
		if got := read(); got != "" {
			t.Errorf("%v went through the pager:\n%s", c.args, got)
		}
	}

	// Empty turns paging off; so does cat.
	for _, off := range []string{"", "cat"} {
		h.env["TOKENCTL_PAGER"] = off
		if r := h.runTTY("", "tokens", "list", "--org", "acme"); r.code != 0 || !strings.Contains(r.stdout, "UUID") {
			t.Errorf("TOKENCTL_PAGER=%q: %s", off, r)
		}
	}
	// PAGER when TOKENCTL_PAGER is not set.
	delete(h.env, "TOKENCTL_PAGER")
	h.env["PAGER"] = "cat > " + paged
	if r := h.runTTY("", "policy", "show", "--org", "acme"); r.code != 0 || r.stdout != "" || !strings.Contains(read(), "REVOKED FROM") {
		t.Errorf("PAGER: %s", r)
	}
}
