package emulator

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// Node type names as they appear inside Buildkite's GraphQL ids.
const (
	TypeOrganization   = "Organization"
	TypeUser           = "User"
	TypeViewer         = "Viewer"
	TypeAPIAccessToken = "APIAccessToken"
)

// IDFormat is how the emulator spells GraphQL ids. Buildkite documents no
// id format (GraphQL ids are opaque), so a client must work with any: the
// tests run against both formats.
type IDFormat string

const (
	// IDBase64 is base64 of "<Type>---<uuid>", the shape Buildkite's ids
	// have been seen to take. The default.
	IDBase64 IDFormat = "base64"
	// IDOpaque is a random-looking string, stable per object, from which
	// neither the type nor the uuid can be read.
	IDOpaque IDFormat = "opaque"
)

// IDFormats lists every id format, for tests that must pass under each.
var IDFormats = []IDFormat{IDBase64, IDOpaque}

// ParseIDFormat reads an --id-format value.
func ParseIDFormat(s string) (IDFormat, error) {
	for _, f := range IDFormats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown id format %q: want one of %s", s, strings.Join([]string{string(IDBase64), string(IDOpaque)}, ", "))
}

// NodeID returns the GraphQL id of an object in the default format:
// standard base64 of "<Type>---<uuid>". Tests that run under several
// formats use Server.NodeID instead.
func NodeID(typ, uuid string) string {
	return base64.StdEncoding.EncodeToString([]byte(typ + "---" + uuid))
}

// opaqueNodeID is the IDOpaque spelling: a hash, so it is stable across
// runs and says nothing a client could decode.
func opaqueNodeID(typ, uuid string) string {
	sum := sha256.Sum256([]byte(typ + "/" + strings.ToLower(uuid)))
	return "K" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15])
}

// respelledNodeID is an object's id once the server has re-spelled its
// ids: neither the old spelling nor anything derived from it.
func respelledNodeID(typ, uuid string) string {
	sum := sha256.Sum256([]byte("respelled/" + typ + "/" + strings.ToLower(uuid)))
	return "R2_" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15])
}

// respell switches the codec to new spellings; the old ones are still read.
func (c *idCodec) respell() {
	c.respellMu.Lock()
	if c.renamed == nil {
		c.renamed = map[string]nodeRef{}
	}
	c.respellMu.Unlock()
	c.respelled.Store(true)
}

// spellings is every id the codec reads for an object: the one it gives
// now and, once respelled, the old one.
func (c *idCodec) spellings(typ, uuid string) []string {
	now := c.id(typ, uuid)
	if !c.respelled.Load() {
		return []string{now}
	}
	old := NodeID(typ, uuid)
	if c.format == IDOpaque {
		old = opaqueNodeID(typ, uuid)
	}
	return []string{now, old}
}

// nodeRef is what an id stands for.
type nodeRef struct{ typ, uuid string }

// idCodec spells and reads ids in one format. For IDOpaque it knows every
// id it can be asked about: the store's objects are fixed when the server
// starts, and an id it never issued is unknown, as on Buildkite.
//
// Once respelled (Server.RespellIDs), it gives every object a new id, as
// GitHub's global-id migration did: answers carry the new spellings only,
// while the old ones are still read wherever an id is taken (the mutation,
// node lookups, filters). A client that compares a remembered id with a
// listed one then sees two different ids for one object.
type idCodec struct {
	format    IDFormat
	opaque    map[string]nodeRef // IDOpaque: id -> object
	respelled atomic.Bool
	respellMu sync.Mutex
	renamed   map[string]nodeRef // new spelling -> object, once respelled
}

func newIDCodec(format IDFormat, st *store) *idCodec {
	c := &idCodec{format: format}
	if format != IDOpaque {
		return c
	}
	c.opaque = map[string]nodeRef{}
	add := func(typ, uuid string) { c.opaque[opaqueNodeID(typ, uuid)] = nodeRef{typ, uuid} }
	for _, u := range st.users {
		add(TypeUser, u.uuid)
		add(TypeViewer, u.uuid)
	}
	for _, o := range st.orgs {
		add(TypeOrganization, o.uuid)
	}
	for _, t := range st.tokens {
		add(TypeAPIAccessToken, t.uuid)
	}
	return c
}

func (c *idCodec) id(typ, uuid string) string {
	if c.respelled.Load() {
		id := respelledNodeID(typ, uuid)
		c.respellMu.Lock()
		c.renamed[id] = nodeRef{typ, strings.ToLower(uuid)}
		c.respellMu.Unlock()
		return id
	}
	if c.format == IDOpaque {
		return opaqueNodeID(typ, uuid)
	}
	return NodeID(typ, uuid)
}

// parse returns the object an id stands for; ok is false for an id this
// server never issued (in the base64 format: anything that is not
// standard, padded base64 of "<Type>---<uuid>").
func (c *idCodec) parse(id string) (typ, uuid string, ok bool) {
	if c.respelled.Load() {
		c.respellMu.Lock()
		ref, ok := c.renamed[id]
		c.respellMu.Unlock()
		if ok {
			return ref.typ, ref.uuid, true
		}
	}
	if c.format == IDOpaque {
		ref, ok := c.opaque[id]
		return ref.typ, ref.uuid, ok
	}
	return parseNodeID(id)
}

// parseNodeID splits an id made by NodeID. ok is false for anything that is
// not valid base64 of "<Type>---<uuid>".
func parseNodeID(id string) (typ, uuid string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil {
		return "", "", false
	}
	typ, uuid, found := strings.Cut(string(raw), "---")
	if !found || typ == "" || uuid == "" {
		return "", "", false
	}
	return typ, uuid, true
}
