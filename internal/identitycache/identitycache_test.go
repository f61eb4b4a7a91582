package identitycache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

const (
	secret   = "bkua_canary0000000000000000000000000000000000"
	endpoint = "https://api.buildkite.com"
	uuid     = "0f0f0f0f-0000-4000-8000-000000000001"
	graphQL  = "https://graphql.buildkite.com/v1"
	orgID    = "T3JnYW5pemF0aW9uLS0tb3JnLTE="
	listedAs = "QVBJQWNjZXNzVG9rZW4tLS1vd24="
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
	c := New(dir)
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if err := c.RememberListedID(endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
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
			if err := c.RememberListedID(endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
				t.Fatal(err)
			}
			path := entryPath(t, dir)
			if err := spoil(path); err != nil {
				t.Fatal(err)
			}
			if got, ok := c.Identity(endpoint, secret); ok {
				t.Fatalf("a %s entry answered %+v", name, got)
			}
			if got, ok := c.ListedID(endpoint, secret, graphQL, orgID); ok {
				t.Fatalf("a %s entry answered a listed id %q", name, got)
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
	if err := c.RememberListedID(endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.ListedID(endpoint, secret, graphQL, orgID); ok {
		t.Error("the nil cache answered a listed id")
	}
}

// A listed id is the id one organization, at one GraphQL endpoint, gave
// the token of one secret: nothing else gets it.
func TestListedIDIsKeyedByEndpointsSecretAndOrganization(t *testing.T) {
	c := New(t.TempDir())
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if err := c.RememberListedID(endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.ListedID(endpoint, secret, graphQL+"/", orgID); !ok || got != listedAs {
		t.Fatalf("ListedID = %q, %v; want %q", got, ok, listedAs)
	}
	for name, lookup := range map[string][4]string{
		"another organization":                 {endpoint, secret, graphQL, "T3JnYW5pemF0aW9uLS0tb3JnLTI="},
		"the organization id spelled unpadded": {endpoint, secret, graphQL, "T3JnYW5pemF0aW9uLS0tb3JnLTE"},
		"another GraphQL endpoint":             {endpoint, secret, "http://127.0.0.1:8484/v1", orgID},
		"another REST endpoint":                {"http://127.0.0.1:8484", secret, graphQL, orgID},
		"another secret":                       {endpoint, secret + "x", graphQL, orgID},
	} {
		if got, ok := c.ListedID(lookup[0], lookup[1], lookup[2], lookup[3]); ok {
			t.Errorf("%s got %q", name, got)
		}
	}
}

// A listed id is kept only with the identity it was matched against: never
// without one, never for another uuid, and it survives the identity being
// remembered again.
func TestListedIDOnlyWithItsIdentity(t *testing.T) {
	dir := t.TempDir()
	c := New(dir)
	if err := c.RememberListedID(endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.ListedID(endpoint, secret, graphQL, orgID); ok {
		t.Fatal("a listed id was remembered without an identity")
	}
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if err := c.RememberListedID(endpoint, secret, graphQL, orgID, "0f0f0f0f-0000-4000-8000-0000000000ff", listedAs); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.ListedID(endpoint, secret, graphQL, orgID); ok {
		t.Fatal("a listed id was remembered for another uuid")
	}
	if err := c.RememberListedID(endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.ListedID(endpoint, secret, graphQL, orgID); !ok || got != listedAs {
		t.Errorf("after remembering the identity again: %q, %v", got, ok)
	}
	// The latest listing wins.
	if err := c.RememberListedID(endpoint, secret, graphQL, orgID, uuid, "other"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.ListedID(endpoint, secret, graphQL, orgID); got != "other" {
		t.Errorf("after a listing showed another id: %q", got)
	}
	other := identity()
	other.UUID = "0f0f0f0f-0000-4000-8000-0000000000ff"
	if err := c.Remember(endpoint, secret, other); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.ListedID(endpoint, secret, graphQL, orgID); ok {
		t.Errorf("another identity kept the listed id %q", got)
	}
}

// Organizations learnt at once in one process (a run over several) are
// all remembered.
func TestListedIDsLearntConcurrentlyAreAllKept(t *testing.T) {
	c := New(t.TempDir())
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := c.RememberListedID(endpoint, secret, graphQL, fmt.Sprint("org-", i), uuid, fmt.Sprint("token-", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range 20 {
		if got, _ := c.ListedID(endpoint, secret, graphQL, fmt.Sprint("org-", i)); got != fmt.Sprint("token-", i) {
			t.Errorf("org-%d: %q", i, got)
		}
	}
}

// An entry stops taking new organizations at maxListed, so that it never
// grows past what is read back; the identity and what it holds stay.
func TestListedIDsAreBounded(t *testing.T) {
	dir := t.TempDir()
	c := New(dir)
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	orgs := map[string]string{}
	for i := range maxListed {
		orgs[fmt.Sprintf("T3JnYW5pemF0aW9uLS0tb3JnLTE%06d", i)] = fmt.Sprintf("QVBJQWNjZXNzVG9rZW4tLS1vd24tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0%06d", i)
	}
	data, err := json.Marshal(entry{Version: formatVersion, RESTEndpoint: endpoint, UUID: uuid, Listed: map[string]map[string]string{graphQL: orgs}})
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > maxEntry {
		t.Fatalf("a full entry is %d bytes, more than the %d read back", len(data), maxEntry)
	}
	if err := os.WriteFile(entryPath(t, dir), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.RememberListedID(endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.ListedID(endpoint, secret, graphQL, orgID); ok {
		t.Error("a full entry took one more organization")
	}
	if _, ok := c.Identity(endpoint, secret); !ok {
		t.Error("a full entry lost its identity")
	}
	first := fmt.Sprintf("T3JnYW5pemF0aW9uLS0tb3JnLTE%06d", 0)
	if err := c.RememberListedID(endpoint, secret, graphQL, first, uuid, "changed"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.ListedID(endpoint, secret, graphQL, first); got != "changed" {
		t.Errorf("a full entry did not take a new id for an organization it holds: %q", got)
	}
}
