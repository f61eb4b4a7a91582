// Package identitycache remembers, across runs, which API token a secret
// is: the token's uuid and owner as Buildkite's REST API
// (GET /v2/access-token) described it. tokenctl asks that before any
// revocation, so that it never revokes its own credential; the answer
// never changes for a given secret (a token's uuid and owner are fixed for
// its life), so a later run need not ask again: one request fewer, out of
// the REST budget of 50 a minute per user.
//
// An entry is a file in the user's cache directory named by a SHA-256 of
// the REST endpoint and the secret: the secret itself is never written,
// and an emulator's answers never stand in for production's. Directories
// are created 0700 and files 0600; a file other users may read or write
// is not trusted. Anything missing, unreadable or malformed is a miss: the
// caller asks Buildkite again and the entry is rewritten.
//
// A remembered identity can outlive its token (revoked or deleted): that
// never makes a run report success falsely, because what is remembered is
// only used to refuse revoking the caller's own token, and every request
// that acts (the mutation, a listing) still carries the secret and fails
// with HTTP 401 when Buildkite no longer accepts it.
//
// It must not cache anything else (scopes and descriptions change), and
// it never decides whether to use the cache: callers do (--no-cache).
package identitycache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// formatVersion is written in every entry; entries of another version are
// misses.
const formatVersion = 1

// maxEntry bounds what is read from an entry file.
const maxEntry = 64 << 10

// Cache is a directory of remembered identities.
type Cache struct {
	dir string
}

// New returns a cache kept in dir (created on first write), or nil when
// dir is "": a nil *Cache remembers nothing.
func New(dir string) *Cache {
	if dir == "" {
		return nil
	}
	return &Cache{dir: dir}
}

// entry is the file's content: what buildkite.Client.Caller needs, and the
// endpoint, so that a reader can check the entry is for it.
type entry struct {
	Version      int    `json:"version"`
	RESTEndpoint string `json:"restEndpoint"`
	UUID         string `json:"uuid"`
	UserName     string `json:"userName,omitempty"`
	UserEmail    string `json:"userEmail,omitempty"`
}

// key names the entry of secret at restEndpoint: a SHA-256 over both,
// separated so that no two pairs hash the same input.
func key(restEndpoint, secret string) string {
	h := sha256.New()
	io.WriteString(h, strings.TrimRight(restEndpoint, "/"))
	h.Write([]byte{0})
	io.WriteString(h, secret)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) path(restEndpoint, secret string) string {
	return filepath.Join(c.dir, key(restEndpoint, secret)+".json")
}

// Identity returns the remembered identity of secret at restEndpoint: the
// uuid and owner only, the other fields empty.
func (c *Cache) Identity(restEndpoint, secret string) (buildkite.AccessToken, bool) {
	if c == nil {
		return buildkite.AccessToken{}, false
	}
	f, err := os.Open(c.path(restEndpoint, secret))
	if err != nil {
		return buildkite.AccessToken{}, false
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() || !private(info.Mode()) {
		return buildkite.AccessToken{}, false
	}
	var e entry
	if err := json.NewDecoder(io.LimitReader(f, maxEntry)).Decode(&e); err != nil ||
		e.Version != formatVersion || e.UUID == "" || e.RESTEndpoint != strings.TrimRight(restEndpoint, "/") {
		return buildkite.AccessToken{}, false
	}
	var t buildkite.AccessToken
	t.UUID, t.User.Name, t.User.Email = e.UUID, e.UserName, e.UserEmail
	return t, true
}

// Remember records t as the identity of secret at restEndpoint, replacing
// the file whole so that a reader never sees half of it.
func (c *Cache) Remember(restEndpoint, secret string, t buildkite.AccessToken) (err error) {
	if c == nil {
		return nil
	}
	if t.UUID == "" {
		return errors.New("identitycache: no uuid to remember")
	}
	data, err := json.Marshal(entry{
		Version: formatVersion, RESTEndpoint: strings.TrimRight(restEndpoint, "/"),
		UUID: t.UUID, UserName: t.User.Name, UserEmail: t.User.Email,
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.dir, ".entry-*") // created 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.path(restEndpoint, secret))
}

// private reports whether only the owner may write the file. Windows has
// no such mode bits to check.
func private(m os.FileMode) bool {
	return runtime.GOOS == "windows" || m.Perm()&0o077 == 0
}
