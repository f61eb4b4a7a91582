package identitycache

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

const (
	secret   = "bkua_canary0000000000000000000000000000000000"
	endpoint = "https://api.buildkite.com"
	uuid     = "0f0f0f0f-0000-4000-8000-000000000001"
)

func identity() buildkite.AccessToken {
	var t buildkite.AccessToken
	t.UUID, t.User.Name, t.User.Email = uuid, "Ada Admin", "ada@acme.example"
	t.Description, t.Scopes = "not remembered", []string{"read_builds"}
	return t
}

func TestRemembersTheUUIDAndOwnerOnly(t *testing.T) {
	c := New(filepath.Join(t.TempDir(), "identities"))
	if _, ok := c.Identity(endpoint, secret); ok {
		t.Fatal("an empty cache answered")
	}
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Identity(endpoint, secret)
	if !ok || got.UUID != uuid || got.User.Name != "Ada Admin" || got.User.Email != "ada@acme.example" {
		t.Fatalf("Identity = %+v, %v", got, ok)
	}
	if got.Description != "" || got.Scopes != nil {
		t.Errorf("details that can change were remembered: %+v", got)
	}
}

func TestKeyedByEndpointAndSecret(t *testing.T) {
	c := New(t.TempDir())
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Identity(endpoint+"/", secret); !ok {
		t.Error("a trailing slash is the same endpoint")
	}
	if _, ok := c.Identity("http://127.0.0.1:8484", secret); ok {
		t.Error("another endpoint (an emulator) got production's answer")
	}
	if _, ok := c.Identity(endpoint, secret+"x"); ok {
		t.Error("another secret got this one's answer")
	}
}

// The secret is never written, in any form a grep finds, and the files
// are private to their owner.
func TestFilesArePrivateAndHoldNoSecret(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "tokenctl", "identities")
	if err := New(dir).Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if bytes.Contains([]byte(path), []byte(secret)) {
			t.Errorf("a path holds the secret: %s", path)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && runtime.GOOS != "windows" && info.Mode().Perm() != 0o700 {
				t.Errorf("directory %s has mode %v, want 0700", path, info.Mode().Perm())
			}
			return nil
		}
		files++
		if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
			t.Errorf("file %s has mode %v, want 0600", path, info.Mode().Perm())
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(secret)) || bytes.Contains(data, []byte(secret[5:])) {
			t.Errorf("file %s holds the secret: %s", path, data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 1 {
		t.Errorf("%d files written, want 1 entry", files)
	}
}

func entryPath(t *testing.T, dir string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("entries: %v %v", matches, err)
	}
	return matches[0]
}

// Whatever is wrong with an entry makes it a miss, never an error or a
// wrong answer; remembering again repairs it.
func TestABadEntryIsAMiss(t *testing.T) {
	for name, spoil := range map[string]func(path string) error{
		"deleted": os.Remove,
		"corrupt": func(p string) error { return os.WriteFile(p, []byte(`{"version":1,"uu`), 0o600) },
		"empty":   func(p string) error { return os.WriteFile(p, nil, 0o600) },
		"no uuid": func(p string) error {
			return os.WriteFile(p, []byte(`{"version":1,"restEndpoint":"`+endpoint+`"}`), 0o600)
		},
		"another version": func(p string) error {
			return os.WriteFile(p, []byte(`{"version":2,"restEndpoint":"`+endpoint+`","uuid":"`+uuid+`"}`), 0o600)
		},
		"another endpoint": func(p string) error {
			return os.WriteFile(p, []byte(`{"version":1,"restEndpoint":"http://x","uuid":"`+uuid+`"}`), 0o600)
		},
		"a directory": func(p string) error { os.Remove(p); return os.Mkdir(p, 0o700) },
		"others can write": func(p string) error {
			if runtime.GOOS == "windows" {
				t.Skip("no mode bits")
			}
			return os.Chmod(p, 0o666)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			c := New(dir)
			if err := c.Remember(endpoint, secret, identity()); err != nil {
				t.Fatal(err)
			}
			path := entryPath(t, dir)
			if err := spoil(path); err != nil {
				t.Fatal(err)
			}
			if got, ok := c.Identity(endpoint, secret); ok {
				t.Fatalf("a %s entry answered %+v", name, got)
			}
			if name == "a directory" {
				return
			}
			if err := c.Remember(endpoint, secret, identity()); err != nil {
				t.Fatal(err)
			}
			if _, ok := c.Identity(endpoint, secret); !ok {
				t.Error("remembering again did not repair the entry")
			}
		})
	}
}

func TestNilCacheRemembersNothing(t *testing.T) {
	c := New("")
	if c != nil {
		t.Fatal("New(\"\") is not the nil cache")
	}
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Identity(endpoint, secret); ok {
		t.Error("the nil cache answered")
	}
}
