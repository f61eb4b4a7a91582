package cli

import (
	"io/fs"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// undocumented lists commands, owned elsewhere, that still lack a long
// description or examples. The test fails when one of them gains both, so
// the list only ever shrinks.
var undocumented = map[string]bool{}

func TestEveryCommandHasShortLongAndExample(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	root := NewRootCmd(&cmdutil.Factory{IO: ios})
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

// Help, version and completion must work on a machine with no
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
			r := h.run(args...)
			if r.code != 0 || r.stdout == "" {
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
