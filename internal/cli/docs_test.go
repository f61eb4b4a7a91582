package cli

import (
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

func TestDocsManWritesAPagePerVisibleCommand(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	dir := filepath.Join(t.TempDir(), "man")
	h.env["SOURCE_DATE_EPOCH"] = "0"
	r := h.run("docs", "man", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("docs man failed:\n%s", r)
	}
	var pages []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		pages = append(pages, e.Name())
	}
	for _, want := range []string{"tokenctl.1", "tokenctl-revoke.1", "tokenctl-whoami.1", "tokenctl-policy.1", "tokenctl-policy-show.1",
		"tokenctl-completion.1", "tokenctl-completion-bash.1", "tokenctl-config-set.1", "tokenctl-version.1"} {
		if !slices.Contains(pages, want) {
			t.Errorf("no %s among %v", want, pages)
		}
	}
	for _, p := range pages {
		if strings.HasPrefix(p, "tokenctl-docs") || strings.HasPrefix(p, "tokenctl-help") || strings.HasPrefix(p, "tokenctl-__") {
			t.Errorf("hidden command documented: %s", p)
		}
	}
	mustContain(t, "stderr", r.stderr, "Wrote ", " man pages to "+dir)
	if !strings.Contains(r.stderr, "Wrote "+strconv.Itoa(len(pages))+" ") {
		t.Errorf("stderr %q does not count the %d pages written", r.stderr, len(pages))
	}

	page, err := os.ReadFile(filepath.Join(dir, "tokenctl-revoke.1"))
	if err != nil {
		t.Fatal(err)
	}
	// SOURCE_DATE_EPOCH=0 makes the pages reproducible; no generation stamp.
	mustContain(t, "revoke man page", string(page), ".TH", "Jan 1970", "tokenctl manual", "--allow-self", "cannot be undone")
	if strings.Contains(string(page), "Auto generated") {
		t.Error("man page carries cobra's generation stamp")
	}
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("docs man sent %d requests", n)
	}
}

func TestDocsManFailures(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		stderr string
	}{
		{"no dir", nil, nil, "pass --dir DIR"},
		{"dir is a file", nil, []string{"--dir", filepath.Join(file, "man")}, "cannot create the man page directory"},
		{"bad SOURCE_DATE_EPOCH", map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, []string{"--dir", t.TempDir()}, "SOURCE_DATE_EPOCH"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			for k, v := range c.env {
				h.env[k] = v
			}
			r := h.run(append([]string{"docs", "man"}, c.args...)...)
			if exitcode.Code(r.code) != exitcode.Usage {
				t.Fatalf("exit %d, want usage\n%s", r.code, r)
			}
			mustContain(t, "stderr", r.stderr, c.stderr)
		})
	}
}

// undocumented lists commands, owned elsewhere, that still lack a long
// description or examples. The test fails when one of them gains both, so
// the list only ever shrinks.
var undocumented = map[string]bool{
	"tokenctl":              true, // no Example
	"tokenctl config":       true, // no Example
	"tokenctl config unset": true,
	"tokenctl config view":  true,
	"tokenctl version":      true,
}

func TestEveryCommandHasShortLongAndExample(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	root := NewRootCmd(&Factory{IO: ios, Env: func(string) (string, bool) { return "", false }})
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		path := c.CommandPath()
		complete := c.Short != "" && strings.TrimSpace(c.Long) != "" && strings.TrimSpace(c.Example) != ""
		switch {
		case c.Short == "":
			t.Errorf("%s has no Short description", path)
		case !complete && !undocumented[path]:
			t.Errorf("%s lacks a Long description or an Example", path)
		case complete && undocumented[path]:
			t.Errorf("%s is documented now: remove it from the undocumented list", path)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// unreachableEndpoint is a loopback port that counts connection attempts
// and closes each at once, so any network use both fails and is seen.
func unreachableEndpoint(t *testing.T) (url string, attempts *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	attempts = &atomic.Int64{}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			attempts.Add(1)
			conn.Close()
		}
	}()
	return "http://" + ln.Addr().String(), attempts
}

// Help, version, completion and man pages must work on a machine with no
// network and no configuration, and must not create a config file.
func TestOfflineCommandsNeedNoNetworkAndWriteNoConfig(t *testing.T) {
	commands := [][]string{
		{"version"},
		{"--version"},
		{"--help"},
		{"help", "revoke"},
		{"revoke", "--help"},
		{"whoami", "--help"},
		{"policy", "show", "--help"},
		{"completion", "bash"},
		{"completion", "zsh"},
		{"completion", "fish"},
		{"completion", "powershell"},
		{"__complete", "revoke", "--to"},
		{"docs", "man", "--dir", "MANDIR"},
	}
	for _, args := range commands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			url, attempts := unreachableEndpoint(t)
			home := t.TempDir()
			h.env["BUILDKITE_GRAPHQL_ENDPOINT"] = url + "/v1"
			h.env["BUILDKITE_REST_API_ENDPOINT"] = url
			h.env["XDG_CONFIG_HOME"] = home
			h.env["HOME"] = home
			args = slices.Clone(args)
			if i := slices.Index(args, "MANDIR"); i >= 0 {
				args[i] = t.TempDir()
			}
			r := h.run(args...)
			if r.code != 0 || (r.stdout == "" && args[0] != "docs") {
				t.Fatalf("failed or printed nothing:\n%s", r)
			}
			if n := attempts.Load(); n != 0 {
				t.Errorf("%d connection attempts", n)
			}
			if n := len(h.srv.Requests()); n != 0 {
				t.Errorf("%d requests reached the emulator", n)
			}
			var created []string
			_ = filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
				if p != home {
					created = append(created, p)
				}
				return err
			})
			if len(created) != 0 {
				t.Errorf("wrote %v", created)
			}
		})
	}
}
