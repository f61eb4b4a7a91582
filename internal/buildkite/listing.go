package buildkite

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
)

// What a listing cannot be trusted with. The schema lets Buildkite answer
// null for a connection's pageInfo (members), its edges, any edge and any
// edge's node, and lets a connection hand a node out twice. A listing that
// skipped what it was not shown would look complete: check would pass on
// the tokens it saw, and an owner missing from the members would be taken
// for one who left, whose tokens a plan then revokes. So a listing with a
// hole in it, or two copies of one token or member that disagree, is the
// failure of that organization's listing (KindOther, like an organization
// that vanished while it was listed): nothing is judged, planned or sent on
// part of it, and with several organizations it is the one not checked.

// incompleteListing is a page a listing cannot go on from, or trust.
func incompleteListing(what, why string) error {
	return &Error{Kind: KindOther, Message: what + ": " + why + "; nothing is judged or revoked on part of a listing: run it again"}
}

// withheld is the error for a page with a null where a listing needs an
// answer: the page's edges, one edge or its node (thing is "token" or
// "member").
func withheld(what, thing string, edges bool) error {
	if edges {
		return incompleteListing(what, fmt.Sprintf("Buildkite's answer has a page of %ss without its edges (null), so the listing is incomplete", thing))
	}
	return incompleteListing(what, fmt.Sprintf("Buildkite's answer has a null in place of a %s (its edge or node), so the listing is incomplete", thing))
}

// nothingNew is the error for a page that brings no %s not seen before
// yet says more follow: every page but the last must bring something new,
// so a server that keeps answering "more" (empty pages, or repeats, each
// with a fresh cursor) cannot keep a listing going for ever.
func nothingNew(what, thing string) error {
	return incompleteListing(what, fmt.Sprintf("Buildkite's answer has a page of %ss with none not seen before, yet says more follow; stopping rather than paging for ever", thing))
}

// noPageInfo is the error for a page without pageInfo: whether more
// follow cannot be told.
func noPageInfo(what, thing string) error {
	return incompleteListing(what, fmt.Sprintf("Buildkite's answer has a page of %ss without pageInfo, so whether more follow cannot be told", thing))
}

// conflictingCopies is the error for a node listed twice with different
// data: which copy is current cannot be told.
func conflictingCopies(what, thing, uuid string) error {
	return incompleteListing(what, fmt.Sprintf("Buildkite listed %s %s twice, and the two copies differ, so which one is current cannot be told", thing, uuid))
}

// copies is what a listing has handed out: a digest of each node's data by
// its id, so that a repeat is dropped when it says the same and refused
// when it does not.
type copies struct {
	seed   maphash.Seed
	digest map[string]uint64
}

func newCopies() *copies { return &copies{seed: maphash.MakeSeed(), digest: map[string]uint64{}} }

// first reports whether id is met for the first time, remembering d; a
// repeat with another digest is a conflict. An empty id cannot be told
// apart from another and is always new.
func (c *copies) first(id string, d uint64) (first, conflict bool) {
	if id == "" {
		return true, false
	}
	if seen, ok := c.digest[id]; ok {
		return false, seen != d
	}
	c.digest[id] = d
	return true, false
}

// digester hashes a node's fields, each length-prefixed or flagged so that
// no two different nodes are written the same way.
type digester struct {
	h   maphash.Hash
	buf [8]byte
}

func (d *digester) int(n int64) {
	binary.LittleEndian.PutUint64(d.buf[:], uint64(n)) //nolint:gosec // any bit pattern will do
	_, _ = d.h.Write(d.buf[:])
}

func (d *digester) bool(b bool) {
	if b {
		_ = d.h.WriteByte(1)
	} else {
		_ = d.h.WriteByte(0)
	}
}

func (d *digester) string(s string) {
	d.int(int64(len(s)))
	_, _ = d.h.WriteString(s)
}

func (d *digester) optString(s *string) {
	d.bool(s != nil)
	if s != nil {
		d.string(*s)
	}
}

// time writes an instant (the same instant in another zone is the same).
func (d *digester) time(t *time.Time) {
	d.bool(t != nil)
	if t != nil {
		d.int(t.Unix())
		d.int(int64(t.Nanosecond()))
	}
}

// tokenDigest is a digest of everything a listing says about a token.
func (c *copies) tokenDigest(f *gql.APIAccessTokenFields) uint64 {
	var d digester
	d.h.SetSeed(c.seed)
	d.string(f.Uuid)
	d.optString(f.Description)
	d.int(int64(len(f.Scopes)))
	for _, s := range f.Scopes {
		d.string(string(s))
	}
	d.time(&f.CreatedAt)
	d.time(f.ExpiresAt)
	d.time(f.LastAccessedAt)
	d.optString(f.IpAddress)
	d.bool(f.Owner != nil)
	if o := f.Owner; o != nil {
		d.string(o.Id)
		d.string(o.Uuid)
		d.string(o.Name)
		d.string(o.Email)
		d.bool(o.Bot)
		d.bool(o.MachineUser)
	}
	return d.h.Sum64()
}

// memberDigest is a digest of everything a listing says about a member.
func (c *copies) memberDigest(f *gql.OrganizationMemberFields) uint64 {
	var d digester
	d.h.SetSeed(c.seed)
	d.string(string(f.Role))
	d.time(f.LastSeenAt)
	d.bool(f.Security.TwoFactorEnabled)
	d.bool(f.Sso.Mode != nil)
	if f.Sso.Mode != nil {
		d.string(string(*f.Sso.Mode))
	}
	u := f.User
	d.string(u.Id)
	d.string(u.Uuid)
	d.string(u.Name)
	d.string(u.Email)
	d.bool(u.Bot)
	d.bool(u.MachineUser)
	return d.h.Sum64()
}

// noHasNextPage is the error for a page whose pageInfo.hasNextPage is
// null: the schema says it is never null, so the answer is broken, and
// reading the null as "no more pages" would end the listing early.
func noHasNextPage(what, thing string) error {
	return incompleteListing(what, fmt.Sprintf("Buildkite's answer has a page of %ss whose pageInfo.hasNextPage is null, so whether more follow cannot be told", thing))
}
