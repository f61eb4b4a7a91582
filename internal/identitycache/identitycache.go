// Package identitycache remembers, across runs, which API token a secret
// is: the token's uuid and owner as Buildkite's REST API
// (GET /v2/access-token) described it, and, per organization, the id under
// which that organization's listing showed the token. tokenctl needs both
// before it revokes anything named by id, so that it never revokes its own
// credential; neither changes for a given secret (see below), so a later
// run need not ask again: a repeat revocation by ids sends only its
// mutation, and asks nothing of the REST budget of 50 a minute per user.
//
// Why a remembered listed id stays true. It is used for one thing: to
// tell that a token named by id is not tokenctl's own, which would be
// wrong only if the organization now listed the own token under another
// id. Ids are opaque, but an id is the server's identity of one object,
// and this one is never re-created: access taken from a token can never
// be given back to the same token (the user must mint a new one, with a
// new secret and so a new entry), so while the access exists its id is
// the one listed, and once it is gone the secret can no longer act on that
// organization at all, whatever is remembered. What remains is Buildkite
// re-spelling its ids, which the listing itself cannot see either (within
// a run it assumes a token has one id, compared with ids the server gave,
// padding aside); every revocation whose listing shows the own token
// overwrites what is remembered, and a run that must list anyway (a dry
// run, a selection, names by uuid) refreshes it at no cost.
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
// Listed ids are kept per GraphQL endpoint and organization id exactly as
// the server gave them, in the entry of the identity they were listed for,
// and only when the listing matched that identity's uuid: a listed id
// never outlives the identity it belongs to.
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
	"sync"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// formatVersion is written in every entry; entries of another version are
// misses.
const formatVersion = 1

// maxEntry bounds what is read from an entry file.
const maxEntry = 1 << 20

// maxListed bounds the organizations an entry remembers a listed id for
// (about 150 bytes each), so that an entry never outgrows maxEntry; past
// it, a new organization is simply listed each time.
const maxListed = 2000

// Cache is a directory of remembered identities.
type Cache struct {
	dir string
	// mu orders the read-modify-write of an entry within one process (a
	// run over several organizations learns several listed ids at once).
	// Between processes the last writer wins, which at worst forgets a
	// listed id: the next run lists again.
	mu sync.Mutex
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
	// Listed maps a GraphQL endpoint, then an organization id, to the id
	// under which that organization's listing showed this token.
	Listed map[string]map[string]string `json:"listed,omitempty"`
}

// listedCount is how many organizations e remembers a listed id for.
func (e *entry) listedCount() int {
	n := 0
	for _, orgs := range e.Listed {
		n += len(orgs)
	}
	return n
}

// key names the entry of secret at restEndpoint: a SHA-256 over both,
// separated so that no two pairs hash the same input.
func key(restEndpoint, secret string) string {
	h := sha256.New()
	// Writes to a hash never fail.
	_, _ = io.WriteString(h, strings.TrimRight(restEndpoint, "/"))
	_, _ = h.Write([]byte{0})
	_, _ = io.WriteString(h, secret)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) path(restEndpoint, secret string) string {
	return filepath.Join(c.dir, key(restEndpoint, secret)+".json")
}

// Identity returns the remembered identity of secret at restEndpoint: the
// uuid and owner only, the other fields empty.
func (c *Cache) Identity(restEndpoint, secret string) (buildkite.AccessToken, bool) {
	e, ok := c.read(restEndpoint, secret)
	if !ok {
		return buildkite.AccessToken{}, false
	}
	var t buildkite.AccessToken
	t.UUID, t.User.Name, t.User.Email = e.UUID, e.UserName, e.UserEmail
	return t, true
}

// ListedID returns the id under which organization orgID, at
// graphQLEndpoint, listed the token remembered as secret's identity. The
// organization id must be spelled exactly as the server gave it.
func (c *Cache) ListedID(restEndpoint, secret, graphQLEndpoint, orgID string) (string, bool) {
	e, ok := c.read(restEndpoint, secret)
	if !ok {
		return "", false
	}
	id, ok := e.Listed[strings.TrimRight(graphQLEndpoint, "/")][orgID]
	return id, ok && id != ""
}

// RememberListedID records that organization orgID, at graphQLEndpoint,
// listed the token of uuid under tokenID. It records nothing unless uuid is
// the remembered identity of secret: a listed id is only ever kept with
// the identity it was matched against.
func (c *Cache) RememberListedID(restEndpoint, secret, graphQLEndpoint, orgID, uuid, tokenID string) error {
	if c == nil {
		return nil
	}
	if orgID == "" || tokenID == "" {
		return errors.New("identitycache: no organization or token id to remember")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.read(restEndpoint, secret)
	if !ok || !strings.EqualFold(e.UUID, uuid) {
		return nil
	}
	gql := strings.TrimRight(graphQLEndpoint, "/")
	switch prev, known := e.Listed[gql][orgID]; {
	case known && prev == tokenID:
		return nil // already remembered: nothing to write
	case !known && e.listedCount() >= maxListed:
		return nil
	}
	if e.Listed == nil {
		e.Listed = map[string]map[string]string{}
	}
	if e.Listed[gql] == nil {
		e.Listed[gql] = map[string]string{}
	}
	e.Listed[gql][orgID] = tokenID
	return c.write(restEndpoint, secret, e)
}

// read returns the entry of secret at restEndpoint, if there is a sound one.
func (c *Cache) read(restEndpoint, secret string) (entry, bool) {
	if c == nil {
		return entry{}, false
	}
	f, err := os.Open(c.path(restEndpoint, secret))
	if err != nil {
		return entry{}, false
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() || !private(info.Mode()) {
		return entry{}, false
	}
	var e entry
	if err := json.NewDecoder(io.LimitReader(f, maxEntry)).Decode(&e); err != nil ||
		e.Version != formatVersion || e.UUID == "" || e.RESTEndpoint != strings.TrimRight(restEndpoint, "/") {
		return entry{}, false
	}
	return e, true
}

// Remember records t as the identity of secret at restEndpoint. Listed
// ids already remembered for the same uuid are kept.
func (c *Cache) Remember(restEndpoint, secret string, t buildkite.AccessToken) error {
	if c == nil {
		return nil
	}
	if t.UUID == "" {
		return errors.New("identitycache: no uuid to remember")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := entry{UUID: t.UUID, UserName: t.User.Name, UserEmail: t.User.Email}
	if prev, ok := c.read(restEndpoint, secret); ok && strings.EqualFold(prev.UUID, t.UUID) {
		e.Listed = prev.Listed
	}
	return c.write(restEndpoint, secret, e)
}

// write replaces the entry file whole, so that a reader never sees half
// of it.
func (c *Cache) write(restEndpoint, secret string, e entry) (err error) {
	e.Version, e.RESTEndpoint = formatVersion, strings.TrimRight(restEndpoint, "/")
	data, err := json.Marshal(e)
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
