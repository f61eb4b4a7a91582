package identitycache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// rememberOwn records that an organization listed the identity's own token
// as tokenID.
func rememberOwn(c *Cache, rest, secret, gql, org, uuid, tokenID string) error {
	return c.RememberListed(rest, secret, gql, org, uuid, buildkite.ListedIDs{Own: tokenID})
}

// listedOwn is the id under which an organization listed the identity's
// own token.
func listedOwn(c *Cache, rest, secret, gql, org string) (string, bool) {
	ids, ok := c.Listed(rest, secret, gql, org)
	return ids.Own, ok && ids.Own != ""
}

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
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
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
			return os.WriteFile(p, []byte(`{"version":2,"restEndpoint":"`+endpoint+`"}`), 0o600)
		},
		"another version": func(p string) error {
			return os.WriteFile(p, []byte(`{"version":1,"restEndpoint":"`+endpoint+`","uuid":"`+uuid+`"}`), 0o600)
		},
		"another endpoint": func(p string) error {
			return os.WriteFile(p, []byte(`{"version":2,"restEndpoint":"http://x","uuid":"`+uuid+`"}`), 0o600)
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
			if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
				t.Fatal(err)
			}
			path := entryPath(t, dir)
			if err := spoil(path); err != nil {
				t.Fatal(err)
			}
			if got, ok := c.Identity(endpoint, secret); ok {
				t.Fatalf("a %s entry answered %+v", name, got)
			}
			if got, ok := listedOwn(c, endpoint, secret, graphQL, orgID); ok {
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
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if _, ok := listedOwn(c, endpoint, secret, graphQL, orgID); ok {
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
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if got, ok := listedOwn(c, endpoint, secret, graphQL+"/", orgID); !ok || got != listedAs {
		t.Fatalf("ListedID = %q, %v; want %q", got, ok, listedAs)
	}
	for name, lookup := range map[string][4]string{
		"another organization":                 {endpoint, secret, graphQL, "T3JnYW5pemF0aW9uLS0tb3JnLTI="},
		"the organization id spelled unpadded": {endpoint, secret, graphQL, "T3JnYW5pemF0aW9uLS0tb3JnLTE"},
		"another GraphQL endpoint":             {endpoint, secret, "http://127.0.0.1:8484/v1", orgID},
		"another REST endpoint":                {"http://127.0.0.1:8484", secret, graphQL, orgID},
		"another secret":                       {endpoint, secret + "x", graphQL, orgID},
	} {
		if got, ok := listedOwn(c, lookup[0], lookup[1], lookup[2], lookup[3]); ok {
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
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if _, ok := listedOwn(c, endpoint, secret, graphQL, orgID); ok {
		t.Fatal("a listed id was remembered without an identity")
	}
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, "0f0f0f0f-0000-4000-8000-0000000000ff", listedAs); err != nil {
		t.Fatal(err)
	}
	if _, ok := listedOwn(c, endpoint, secret, graphQL, orgID); ok {
		t.Fatal("a listed id was remembered for another uuid")
	}
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if got, ok := listedOwn(c, endpoint, secret, graphQL, orgID); !ok || got != listedAs {
		t.Errorf("after remembering the identity again: %q, %v", got, ok)
	}
	// The latest listing wins.
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, "other"); err != nil {
		t.Fatal(err)
	}
	if got, _ := listedOwn(c, endpoint, secret, graphQL, orgID); got != "other" {
		t.Errorf("after a listing showed another id: %q", got)
	}
	other := identity()
	other.UUID = "0f0f0f0f-0000-4000-8000-0000000000ff"
	if err := c.Remember(endpoint, secret, other); err != nil {
		t.Fatal(err)
	}
	if got, ok := listedOwn(c, endpoint, secret, graphQL, orgID); ok {
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
			if err := rememberOwn(c, endpoint, secret, graphQL, fmt.Sprint("org-", i), uuid, fmt.Sprint("token-", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range 20 {
		if got, _ := listedOwn(c, endpoint, secret, graphQL, fmt.Sprint("org-", i)); got != fmt.Sprint("token-", i) {
			t.Errorf("org-%d: %q", i, got)
		}
	}
}

// An entry stops taking new ids at maxListed, so that it never grows past
// what is read back; the identity and what it holds stay.
func TestListedIDsAreBounded(t *testing.T) {
	dir := t.TempDir()
	c := New(dir)
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	orgs := map[string]*listed{}
	for i := range maxListed {
		orgs[fmt.Sprintf("T3JnYW5pemF0aW9uLS0tb3JnLTE%06d", i)] = &listed{Own: fmt.Sprintf("QVBJQWNjZXNzVG9rZW4tLS1vd24tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0%06d", i)}
	}
	e := entry{Version: formatVersion, RESTEndpoint: endpoint, UUID: uuid, Listed: map[string]map[string]*listed{graphQL: orgs}}
	var err error
	if e.MAC, err = e.sum(deriveKeys(endpoint, secret)); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > maxEntry {
		t.Fatalf("a full entry is %d bytes, more than the %d read back", len(data), maxEntry)
	}
	if err := os.WriteFile(entryPath(t, dir), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	if _, ok := listedOwn(c, endpoint, secret, graphQL, orgID); ok {
		t.Error("a full entry took one more organization")
	}
	if _, ok := c.Identity(endpoint, secret); !ok {
		t.Error("a full entry lost its identity")
	}
	first := fmt.Sprintf("T3JnYW5pemF0aW9uLS0tb3JnLTE%06d", 0)
	if err := rememberOwn(c, endpoint, secret, graphQL, first, uuid, "changed"); err != nil {
		t.Fatal(err)
	}
	if got, _ := listedOwn(c, endpoint, secret, graphQL, first); got != "changed" {
		t.Errorf("a full entry did not take a new id for an organization it holds: %q", got)
	}
}

// An entry answers only the secret whose keys wrote it: one copied to
// another secret's name, or written by someone without the secret (the
// content of a sound entry with the uuid changed, or a fresh one), is a
// miss.
func TestEntriesAreAuthenticated(t *testing.T) {
	const other = "bkua_canary1111111111111111111111111111111111"
	dir := t.TempDir()
	c := New(dir)
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, listedAs); err != nil {
		t.Fatal(err)
	}
	path := entryPath(t, dir)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	moved := filepath.Join(dir, deriveKeys(endpoint, other).name+".json")
	if err := os.WriteFile(moved, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Identity(endpoint, other); ok {
		t.Errorf("an entry moved to another secret answered %+v", got)
	}
	if _, ok := listedOwn(c, endpoint, other, graphQL, orgID); ok {
		t.Error("an entry moved to another secret answered a listed id")
	}

	forged := bytes.Replace(data, []byte(uuid), []byte("0f0f0f0f-0000-4000-8000-0000000000ff"), 1)
	if bytes.Equal(forged, data) {
		t.Fatal("the entry does not hold the uuid")
	}
	if err := os.WriteFile(path, forged, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Identity(endpoint, secret); ok {
		t.Errorf("an altered entry answered %+v", got)
	}
	unsigned := fmt.Sprintf(`{"version":%d,"restEndpoint":%q,"uuid":%q}`, formatVersion, endpoint, uuid)
	if err := os.WriteFile(path, []byte(unsigned), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Identity(endpoint, secret); ok {
		t.Errorf("an entry without a MAC answered %+v", got)
	}
}

// A cache that other users could have written is not read, nor written:
// an entry reached through a symbolic link, a directory (or its parent)
// that others may write or that is a link.
func TestUntrustedPlacesAreRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no mode bits")
	}
	remembered := func(t *testing.T, dir string) {
		t.Helper()
		c := New(dir)
		if err := c.Remember(endpoint, secret, identity()); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Identity(endpoint, secret); !ok {
			t.Fatal("a sound entry was a miss")
		}
	}
	t.Run("entry is a link", func(t *testing.T) {
		dir, elsewhere := t.TempDir(), t.TempDir()
		remembered(t, elsewhere)
		target := entryPath(t, elsewhere)
		if err := os.Symlink(target, filepath.Join(dir, filepath.Base(target))); err != nil {
			t.Fatal(err)
		}
		if got, ok := New(dir).Identity(endpoint, secret); ok {
			t.Errorf("an entry reached through a link answered %+v", got)
		}
	})
	t.Run("directory is a link", func(t *testing.T) {
		root := t.TempDir()
		real := filepath.Join(root, "real")
		remembered(t, real)
		link := filepath.Join(root, "link")
		if err := os.Symlink(real, link); err != nil {
			t.Fatal(err)
		}
		if got, ok := New(link).Identity(endpoint, secret); ok {
			t.Errorf("a directory reached through a link answered %+v", got)
		}
	})
	for name, dir := range map[string]func(root string) string{
		"directory others can write": func(root string) string { return filepath.Join(root, "identities") },
		"parent others can write":    func(root string) string { return root },
	} {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "tokenctl")
			d := filepath.Join(root, "identities")
			remembered(t, d)
			open := dir(root)
			if err := os.Chmod(open, 0o777); err != nil {
				t.Fatal(err)
			}
			c := New(d)
			if got, ok := c.Identity(endpoint, secret); ok {
				t.Errorf("an entry under a %s answered %+v", name, got)
			}
			if err := c.Remember(endpoint, secret+"x", identity()); err == nil {
				t.Errorf("an entry was written under a %s", name)
			}
			if err := os.Chmod(open, 0o700); err != nil {
				t.Fatal(err)
			}
			if _, ok := c.Identity(endpoint, secret); !ok {
				t.Error("a sound entry was a miss once the directory was private")
			}
		})
	}
}

// An entry whose file is not owned by the current user is refused. Only a
// privileged test run can hand a file to another user.
func TestEntryOfAnotherUserIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	dir := t.TempDir()
	c := New(dir)
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(entryPath(t, dir), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Identity(endpoint, secret); ok {
		t.Errorf("another user's entry answered %+v", got)
	}
}

// Ids listed for other tokens are remembered with their uuids, never under
// the identity's own uuid, and an id later listed as the own token's stops
// being another's.
func TestOtherListedIDs(t *testing.T) {
	c := New(t.TempDir())
	if err := c.Remember(endpoint, secret, identity()); err != nil {
		t.Fatal(err)
	}
	const otherUUID = "0f0f0f0f-0000-4000-8000-0000000000aa"
	err := c.RememberListed(endpoint, secret, graphQL, orgID, uuid, buildkite.ListedIDs{Others: map[string]string{
		"tok-a": strings.ToUpper(otherUUID), "tok-own": uuid,
	}})
	if err != nil {
		t.Fatal(err)
	}
	ids, ok := c.Listed(endpoint, secret, graphQL, orgID)
	if !ok || ids.Others["tok-a"] != otherUUID || len(ids.Others) != 1 {
		t.Fatalf("Listed = %+v, %v; want tok-a alone", ids, ok)
	}
	if err := rememberOwn(c, endpoint, secret, graphQL, orgID, uuid, "tok-a"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := c.Listed(endpoint, secret, graphQL, orgID); ids.Own != "tok-a" || len(ids.Others) != 0 {
		t.Errorf("after tok-a was listed as the own token: %+v", ids)
	}
}
