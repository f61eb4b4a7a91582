// Package identitycache remembers, across runs, which API token a secret
// is: the token's uuid and owner as Buildkite's REST API
// (GET /v2/access-token) described it, and, per organization, the id under
// which that organization's listing showed the token. tokenctl needs both
// before it revokes anything named by id, so that it never revokes its own
// credential; neither changes for a given secret (see below), so a later
// run need not ask again: a repeat revocation by ids sends only its
// mutation, and asks nothing of the REST budget of 50 a minute per user.
//
// What a listed id proves. Ids are opaque, and a server may spell them
// anew (GitHub's global-id migration did: answers carry new ids while the
// old ones are still accepted), so an id that differs from the own token's
// remembered id proves nothing: it may be the own token's old or new
// spelling. A named id may therefore skip the lookup only on positive
// evidence that it denotes another token: an earlier listing of that
// organization showed exactly that id for a token whose uuid is not the
// caller's. An id is the server's identity of one object, so that stays
// true under any re-spelling; anything else is looked up (package revoke).
// The id a listing showed for the own token is remembered too, to refuse
// it without a request.
//
// Entries are authenticated. The file name and a MAC over the content are
// made with keys derived from the secret (HKDF-SHA256), so the secret is
// never written, and an entry moved between secrets, or written by anyone
// who does not hold the secret, is a miss. A file is read only when it is
// a regular file owned by the current user that others cannot write, in a
// directory (and parent) that is owned by the user, that others cannot
// write, and that is not a symbolic link; the file itself is opened without
// following a link. Anything else is ignored: the caller asks Buildkite
// again. Directories are created 0700 and files 0600.
//
// A remembered identity can outlive its token (revoked or deleted): that
// never makes a run report success falsely, because what is remembered is
// only used to refuse revoking the caller's own token or to tell that a
// named token is not it, and every request that acts (the mutation, a
// listing) still carries the secret and fails with HTTP 401 when Buildkite
// no longer accepts it.
//
// Listed ids are kept per GraphQL endpoint and organization id exactly as
// the server gave them, in the entry of the identity they were listed for,
// and only when the listing was matched against that identity's uuid: a
// listed id never outlives the identity it belongs to.
//
// It must not cache anything else (scopes and descriptions change), and
// it never decides whether to use the cache: callers do (--no-cache).
package identitycache

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// formatVersion is written in every entry; entries of another version are
// misses.
const formatVersion = 2

// maxEntry bounds what is read from an entry file.
const maxEntry = 1 << 20

// maxListed bounds the ids an entry remembers (about 150 bytes each), so
// that an entry never outgrows maxEntry; past it, new ids are not
// remembered and a run naming them lists the organization.
const maxListed = 4000

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
	// Listed maps a GraphQL endpoint, then an organization id, to what
	// that organization's listings showed.
	Listed map[string]map[string]*listed `json:"listed,omitempty"`
	// MAC authenticates everything above with a key derived from the
	// secret (hex HMAC-SHA256 of the entry written with MAC empty).
	MAC string `json:"mac,omitempty"`
}

// listed is what one organization's listings showed.
type listed struct {
	Own    string            `json:"own,omitempty"`    // the id of the identity's own token
	Others map[string]string `json:"others,omitempty"` // id -> uuid of a token that is not it
}

// idCount is how many ids e remembers.
func (e *entry) idCount() int {
	n := 0
	for _, orgs := range e.Listed {
		for _, l := range orgs {
			n += len(l.Others)
			if l.Own != "" {
				n++
			}
		}
	}
	return n
}

// keys are what is derived from one secret for one REST endpoint.
type keys struct {
	name string // the entry's file name
	mac  []byte // the key of its MAC
}

func deriveKeys(restEndpoint, secret string) keys {
	endpoint := strings.TrimRight(restEndpoint, "/")
	derive := func(info string) []byte {
		// HKDF-SHA256 fails only for lengths it cannot produce.
		k, err := hkdf.Key(sha256.New, []byte(secret), []byte(endpoint), info, 32)
		if err != nil {
			panic(err)
		}
		return k
	}
	return keys{name: hex.EncodeToString(derive("tokenctl identity cache: entry name")), mac: derive("tokenctl identity cache: entry mac")}
}

// sum is the MAC of e (whose MAC field is ignored).
func (e entry) sum(k keys) (string, error) {
	e.MAC = ""
	data, err := json.Marshal(e) // map keys sorted: one encoding per entry
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, k.mac)
	_, _ = m.Write(data)
	return hex.EncodeToString(m.Sum(nil)), nil
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

// Listed returns what organization orgID, at graphQLEndpoint, listed in
// earlier runs of the identity remembered for secret. The organization id
// must be spelled exactly as the server gave it.
func (c *Cache) Listed(restEndpoint, secret, graphQLEndpoint, orgID string) (buildkite.ListedIDs, bool) {
	e, ok := c.read(restEndpoint, secret)
	if !ok {
		return buildkite.ListedIDs{}, false
	}
	l := e.Listed[strings.TrimRight(graphQLEndpoint, "/")][orgID]
	if l == nil || (l.Own == "" && len(l.Others) == 0) {
		return buildkite.ListedIDs{}, false
	}
	return buildkite.ListedIDs{Own: l.Own, Others: l.Others}, true
}

// RememberListed adds what organization orgID, at graphQLEndpoint, listed
// when matched against the identity of uuid: the id of its own token, when
// shown, and ids of other tokens with their uuids. It records nothing
// unless uuid is the remembered identity of secret, and never an id of
// another token under that uuid.
func (c *Cache) RememberListed(restEndpoint, secret, graphQLEndpoint, orgID, uuid string, ids buildkite.ListedIDs) error {
	if c == nil {
		return nil
	}
	if orgID == "" {
		return errors.New("identitycache: no organization to remember")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.read(restEndpoint, secret)
	if !ok || !strings.EqualFold(e.UUID, uuid) {
		return nil
	}
	gql := strings.TrimRight(graphQLEndpoint, "/")
	if e.Listed == nil {
		e.Listed = map[string]map[string]*listed{}
	}
	if e.Listed[gql] == nil {
		e.Listed[gql] = map[string]*listed{}
	}
	l := e.Listed[gql][orgID]
	if l == nil {
		l = &listed{}
		e.Listed[gql][orgID] = l
	}
	changed := false
	room := maxListed - e.idCount()
	if ids.Own != "" && ids.Own != l.Own && (l.Own != "" || room > 0) {
		if l.Own == "" {
			room--
		}
		l.Own, changed = ids.Own, true
		if _, ok := l.Others[ids.Own]; ok {
			delete(l.Others, ids.Own)
			room++
		}
	}
	for id, tokUUID := range ids.Others {
		switch prev, known := l.Others[id]; {
		case id == "" || tokUUID == "" || strings.EqualFold(tokUUID, e.UUID) || id == l.Own:
		case known && strings.EqualFold(prev, tokUUID):
		case !known && room <= 0:
		default:
			if l.Others == nil {
				l.Others = map[string]string{}
			}
			if !known {
				room--
			}
			l.Others[id], changed = strings.ToLower(tokUUID), true
		}
	}
	if !changed {
		return nil
	}
	return c.write(restEndpoint, secret, e)
}

// read returns the entry of secret at restEndpoint, if there is a sound,
// authentic one in a place only the user controls.
func (c *Cache) read(restEndpoint, secret string) (entry, bool) {
	if c == nil {
		return entry{}, false
	}
	if !trustedDir(c.dir) || !trustedDir(filepath.Dir(c.dir)) {
		return entry{}, false
	}
	k := deriveKeys(restEndpoint, secret)
	f, err := openNoFollow(filepath.Join(c.dir, k.name+".json"))
	if err != nil {
		return entry{}, false
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() || !ownedPrivately(info) {
		return entry{}, false
	}
	var e entry
	if err := json.NewDecoder(io.LimitReader(f, maxEntry)).Decode(&e); err != nil ||
		e.Version != formatVersion || e.UUID == "" || e.RESTEndpoint != strings.TrimRight(restEndpoint, "/") {
		return entry{}, false
	}
	want, err := e.sum(k)
	if err != nil || !hmac.Equal([]byte(want), []byte(e.MAC)) {
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

// errUntrusted is returned for a cache directory tokenctl does not write
// into: one it would not read from either.
var errUntrusted = errors.New("identitycache: the cache directory is not private to the user; nothing remembered")

// write replaces the entry file whole, so that a reader never sees half
// of it.
func (c *Cache) write(restEndpoint, secret string, e entry) (err error) {
	k := deriveKeys(restEndpoint, secret)
	e.Version, e.RESTEndpoint = formatVersion, strings.TrimRight(restEndpoint, "/")
	if e.MAC, err = e.sum(k); err != nil {
		return err
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	if !trustedDir(c.dir) || !trustedDir(filepath.Dir(c.dir)) {
		return errUntrusted
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
	return os.Rename(tmp.Name(), filepath.Join(c.dir, k.name+".json"))
}

// trustedDir reports whether dir is a directory, not a symbolic link,
// owned by the current user and not writable by others.
func trustedDir(dir string) bool {
	info, err := os.Lstat(dir)
	return err == nil && info.IsDir() && ownedPrivately(info)
}
