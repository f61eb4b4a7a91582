// Package revoke turns what the user asked for into a plan of revocations
// (resolving slugs, uuids and ids against the organization's listing with
// as few requests as possible and applying the safety checks) and carries
// the plan out. It prints nothing and never prompts: the command layer
// shows the plan and asks.
package revoke

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// Request is what the user asked to revoke.
type Request struct {
	Org    ident.Org
	Tokens []ident.Token
	// Evidence is what selected Tokens; without it they count as a
	// selection, which needs --yes where nobody can be asked.
	Evidence Evidence
	// Listed are more tokens, listed in a file (EvidenceListed).
	Listed []ident.Token
	// AllowSelf lets the tool revoke the credential it is using.
	AllowSelf bool
	// Select, when set, also plans every token of the organization for
	// which it returns true (selection by filter). The organization is
	// then listed in full, once, for the whole batch.
	Select func(buildkite.Token) bool
	// Caller, when already known (a batch over several organizations),
	// spares the REST check of which token tokenctl is using.
	Caller *buildkite.AccessToken
	// FindAll looks every token named by id up, even when the listing has
	// already shown that none of them is tokenctl's own: a dry run does,
	// so that it can report the ones that do not exist.
	FindAll bool
	// Whole lists every page even once every named token is found: a plan
	// judged again on what Buildkite shows now must see all of it, since
	// a later page may contradict an earlier one (buildkite.ListTokens
	// then fails, and nothing is sent).
	Whole bool
}

// Plan is the resolved list of revocations, with the safety checks applied.
type Plan struct {
	Organization buildkite.Organization
	// Caller is the credential tokenctl is using (REST /v2/access-token).
	Caller buildkite.AccessToken
	Items  []*Item
	// Reached marks an organization the user did not name: it was found
	// by listing the caller's organizations (--all-orgs).
	Reached bool
}

// Item is one token to revoke and what will happen to it.
type Item struct {
	Requested string      // as the user wrote it (the first spelling, when named twice)
	Ref       ident.Token // parsed
	// Evidence is what selected the token (see Selection.NeedsYes).
	Evidence Evidence
	// TokenID is the token's id exactly as the organization's listing
	// gave it: the server's identity of the token, and what the mutation
	// sends. Empty when the token was not found.
	TokenID string
	Token   *buildkite.Token // as listed; nil when not found
	// KnownUUID is the token's uuid when the plan knows it without a
	// listing in this run (an earlier listing showed it under TokenID).
	KnownUUID string
	// Self marks the token tokenctl is using, as the server describes
	// both (the caller's uuid from REST, the token's uuid from the
	// listing). With AllowSelf it is revoked last.
	Self bool
	// Status is set at planning time for tokens that will not be sent
	// (not-found, refused); empty means "to revoke".
	Status Status
	Error  string
	// NeverListed marks a not-found that proves nothing: an id the
	// listing never showed (the server may spell ids anew and still accept
	// old spellings), so the token may well still have access. Unlike a
	// uuid missing from the listing, it fails the run even under
	// --ignore-missing.
	NeverListed bool
}

// Pending reports whether the item is to be revoked.
func (it *Item) Pending() bool { return it.Status == "" }

// Pending returns the items still to be revoked.
func (p *Plan) Pending() []*Item {
	var out []*Item
	for _, it := range p.Items {
		if it.Pending() {
			out = append(out, it)
		}
	}
	return out
}

// Resolve builds the plan from the organization's listing, which is the
// only place the server says which token an id stands for. It pages once
// for the whole batch, alongside the REST question of which token tokenctl
// is using (an errgroup: no extra round trip), and stops as soon as it
// has seen every token named (or, with a Select or Whole, after the last
// page). So:
//
//   - the self-check compares the caller's uuid (REST) with the uuids the
//     listing gives, never anything read out of an id. A token named by id
//     is sent only once a listing has shown that id for a token whose uuid
//     is not the caller's: an id merely unlike the own token's listed id
//     proves nothing, since a server may spell ids anew and still accept
//     the old spellings (as GitHub's global-id migration did). An id no
//     listing shows is not-found, and never sent. Safety costs the pages
//     up to the last named token.
//   - what the listing showed about the named ids (the own token's id, the
//     ids of other named tokens with their uuids) is remembered with the
//     caller's identity (Client.RememberListing), so that a later run
//     naming those ids need not list at all (see plannedFromMemory);
//   - a token named twice (uuid and id, or its id with and without base64
//     padding) is one item, keyed by the id the listing gave it;
//   - a re-check after a lost answer proves a revocation only for a token
//     the listing showed (see Executor).
func Resolve(ctx context.Context, c *buildkite.Client, req Request) (*Plan, error) {
	plan := &Plan{}
	seen := map[string]bool{}
	add := func(refs []ident.Token, ev Evidence) {
		for _, ref := range refs {
			if seen[ref.Key()] {
				continue
			}
			seen[ref.Key()] = true
			plan.Items = append(plan.Items, &Item{Requested: ref.String(), Ref: ref, Evidence: ev})
		}
	}
	add(req.Tokens, req.Evidence)
	add(req.Listed, EvidenceListed)
	if plannedFromMemory(c, req, plan) {
		plan.Items = dedupe(plan.Items)
		refuseSelf(plan, req.AllowSelf)
		return plan, nil
	}

	g, gctx := errgroup.WithContext(ctx)
	// callerKnown gets the caller's uuid as soon as REST has answered, so
	// that the listing can stop at the caller's own token.
	callerKnown := make(chan string, 1)
	if req.Caller != nil {
		plan.Caller = *req.Caller
		callerKnown <- strings.ToLower(req.Caller.UUID)
	} else {
		g.Go(func() error {
			t, err := c.Caller(gctx)
			if err != nil {
				return fmt.Errorf("%w (tokenctl refuses to revoke anything until it knows which token it is using)", err)
			}
			plan.Caller = t
			callerKnown <- strings.ToLower(t.UUID)
			return nil
		})
	}
	var (
		selected []*Item
		listedAs string // the caller's own token's id, if the listing showed it
	)
	g.Go(func() error {
		var err error
		plan.Organization, selected, listedAs, err = resolveTokens(gctx, c, req, plan.Items, callerKnown)
		return err
	})
	// Wait returns only when both are done, so nothing of this run (a
	// --debug trace) is written after its error is reported.
	if err := g.Wait(); err != nil {
		return nil, err
	}
	plan.Items = dedupe(plan.Items)
	c.RememberListing(plan.Organization.ID, plan.Caller.UUID, listedEvidence(plan, listedAs))
	plan.Items = append(plan.Items, selected...)
	for _, it := range plan.Items {
		if it.Token != nil && plan.Caller.UUID != "" && strings.EqualFold(it.Token.UUID, plan.Caller.UUID) {
			it.Self = true
		}
	}
	refuseSelf(plan, req.AllowSelf)
	return plan, nil
}

// listedEvidence is what this run's listing proved about the ids it named:
// the id of the caller's own token, and the ids of named tokens listed
// under another uuid.
func listedEvidence(plan *Plan, ownID string) buildkite.ListedIDs {
	ids := buildkite.ListedIDs{Own: ownID}
	if plan.Caller.UUID == "" {
		return buildkite.ListedIDs{}
	}
	for _, it := range plan.Items {
		if it.Token == nil || strings.EqualFold(it.Token.UUID, plan.Caller.UUID) {
			continue
		}
		if ids.Others == nil {
			ids.Others = map[string]string{}
		}
		ids.Others[it.Token.ID] = strings.ToLower(it.Token.UUID)
	}
	return ids
}

// plannedFromMemory plans, without sending anything, a request that names
// the organization and every token by id, when earlier runs' listings of
// that organization (spelled as the server spelled it) give positive
// evidence about every named id: it is the id under which the caller's own
// token was listed, or it was listed for a token whose uuid is not the
// caller's. An id is the server's identity of one object, so that evidence
// survives the server re-spelling its ids; an id merely different from the
// own token's remembered id proves nothing (it may be another spelling of
// it), and sends the run to the listing. Padding aside, as in
// resolveTokens; what is sent is the id as listed.
//
// Whether a named token still has access Buildkite says in answer to the
// mutation; the plan has no description or owner for it, nor the
// organization's slug, and a lost answer for it is settled as for any
// token not listed in this run (unknown, never revoked).
//
// It reports false, and plans nothing, for a request that needs the
// listing anyway: a selection, a whole listing, a dry run (FindAll: it
// must report the ids that do not exist before anything is sent), a name
// by slug or uuid, an id without evidence, or nothing remembered (a first
// run, --no-cache, a deleted, moved or untrusted entry).
func plannedFromMemory(c *buildkite.Client, req Request, plan *Plan) bool {
	if req.Select != nil || req.FindAll || req.Whole || req.Org.ID == "" || len(plan.Items) == 0 {
		return false
	}
	for _, it := range plan.Items {
		if it.Ref.ID == "" {
			return false
		}
	}
	caller, listed, ok := c.RememberedListing(req.Org.ID)
	if !ok {
		return false
	}
	if req.Caller != nil {
		if !strings.EqualFold(req.Caller.UUID, caller.UUID) {
			return false // not the identity the listed ids were learnt for
		}
		caller = *req.Caller
	}
	others := map[string][2]string{} // unpadded id -> id as listed, uuid
	for id, uuid := range listed.Others {
		others[ident.Unpadded(id)] = [2]string{id, uuid}
	}
	type evidence struct {
		id, uuid string
		self     bool
	}
	found := make([]evidence, len(plan.Items))
	for i, it := range plan.Items {
		switch other, ok := others[ident.Unpadded(it.Ref.ID)]; {
		case listed.Own != "" && ident.Unpadded(it.Ref.ID) == ident.Unpadded(listed.Own):
			found[i] = evidence{id: listed.Own, uuid: caller.UUID, self: true}
		case ok && !strings.EqualFold(other[1], caller.UUID):
			found[i] = evidence{id: other[0], uuid: other[1]}
		default:
			return false // no evidence either way: look it up
		}
	}
	plan.Caller = caller
	plan.Organization = buildkite.Organization{ID: req.Org.ID}
	for i, it := range plan.Items {
		it.TokenID, it.KnownUUID, it.Self = found[i].id, found[i].uuid, found[i].self
	}
	return true
}

// refuseSelf refuses the caller's own token unless allowed.
func refuseSelf(plan *Plan, allowSelf bool) {
	for _, it := range plan.Items {
		if it.Self && it.Pending() && !allowSelf {
			it.Status = StatusRefused
			it.Error = "this is the API token tokenctl is using; revoking it would cut off this run (pass --allow-self to do it anyway)"
		}
	}
}

// dedupe keeps one item per token as the server identifies it (the id it
// listed, or for a token planned from memory, the id, padding aside), the
// first as requested; tokens not found stay one per name.
func dedupe(items []*Item) []*Item {
	out := items[:0]
	byID := map[string]bool{}
	for _, it := range items {
		if it.TokenID != "" {
			key := it.TokenID
			if it.Token == nil {
				key = ident.Unpadded(key)
			}
			if byID[key] {
				continue
			}
			byID[key] = true
		}
		out = append(out, it)
	}
	return out
}

// resolveTokens finds the named tokens in the organization's listing (see
// Resolve for when it stops), marking those it shows are not there as not
// found, and returns the organization, the items for the tokens sel
// selects that were not already named, and the id under which the listing
// showed the caller's own token ("" if it did not).
func resolveTokens(ctx context.Context, c *buildkite.Client, req Request, items []*Item, callerKnown <-chan string) (buildkite.Organization, []*Item, string, error) {
	named := newNamedTokens(items)
	caller := &callerWatch{known: callerKnown, listed: map[string]string{}}
	var selected []*Item
	org, err := c.ListTokens(ctx, req.Org, func(page buildkite.TokenPage) bool {
		caller.poll()
		for i := range page.Tokens {
			t := &page.Tokens[i]
			uuid := strings.ToLower(t.UUID)
			found := named.find(t)
			caller.saw(uuid, t.ID)
			if req.Select != nil && !found && req.Select(*t) {
				// Keyed like a token named by uuid, so that a token listed
				// twice (pages shifting under a concurrent change) is
				// planned once.
				it := &Item{Requested: uuid, Ref: ident.Token{UUID: uuid}, TokenID: t.ID, Token: t, Evidence: EvidenceFilter}
				named.byUUID[uuid] = []*Item{it}
				selected = append(selected, it)
			}
		}
		return req.Select != nil || req.Whole || named.left > 0
	})
	if err != nil {
		return buildkite.Organization{}, nil, "", err
	}
	// The listing may have ended before REST answered: wait for it (Resolve
	// waits for both anyway) to tell which listed token was the caller's.
	// A failed REST question ends the wait; its error is the one Resolve
	// reports.
	caller.wait(ctx)
	name := org.Slug
	if name == "" {
		name = req.Org.String()
	}
	markUnlisted(items, caller.id, name)
	listedAs := ""
	if caller.id != nil {
		listedAs = *caller.id
	}
	return org, selected, listedAs, nil
}

// namedTokens are the tokens a request names, indexed by how a listing
// shows them, with how many are not found yet.
type namedTokens struct {
	byUUID, byID map[string][]*Item
	left         int
}

func newNamedTokens(items []*Item) *namedTokens {
	n := &namedTokens{byUUID: map[string][]*Item{}, byID: map[string][]*Item{}}
	for _, it := range items {
		if it.Ref.UUID != "" {
			n.byUUID[it.Ref.UUID] = append(n.byUUID[it.Ref.UUID], it)
		} else {
			n.byID[it.Ref.ID] = append(n.byID[it.Ref.ID], it)
		}
		n.left++
	}
	return n
}

// find marks the items that name the listed token t as found (the rule of
// ident.Token.Names) and reports whether any does. What is sent is always
// the id as listed, whichever spelling named it.
func (n *namedTokens) find(t *buildkite.Token) bool {
	its := n.byUUID[strings.ToLower(t.UUID)]
	for _, id := range ident.IDSpellings(t.ID) {
		its = append(its, n.byID[id]...)
	}
	for _, it := range its {
		if it.Token == nil {
			it.Token, it.TokenID = t, t.ID
			n.left--
		}
	}
	return len(its) > 0
}

// callerWatch learns under which id the listing shows the caller's own
// token, however the REST answer (which token the caller is) and the
// listing race.
type callerWatch struct {
	known <-chan string
	heard bool   // from known
	uuid  string // the caller's token, once heard
	id    *string
	// listed remembers the tokens listed before REST said which one is
	// the caller's.
	listed map[string]string
}

// poll takes REST's answer if it has come, without waiting.
func (c *callerWatch) poll() {
	if c.heard {
		return
	}
	select {
	case uuid := <-c.known:
		c.learn(uuid)
	default:
	}
}

// wait waits for REST's answer, unless ctx ends first.
func (c *callerWatch) wait(ctx context.Context) {
	if c.heard {
		return
	}
	select {
	case uuid := <-c.known:
		c.learn(uuid)
	case <-ctx.Done():
	}
}

func (c *callerWatch) learn(uuid string) {
	c.heard, c.uuid = true, uuid
	if id, ok := c.listed[uuid]; ok {
		c.id = &id
	}
	c.listed = nil
}

// saw notes a listed token.
func (c *callerWatch) saw(uuid, id string) {
	switch {
	case !c.heard:
		c.listed[uuid] = id
	case c.uuid != "" && uuid == c.uuid:
		c.id = &id
	}
}

// markUnlisted marks the named tokens the listing did not show: not found,
// or the own token when an id names it that the listing spelled otherwise.
func markUnlisted(items []*Item, callerID *string, org string) {
	for _, it := range items {
		switch {
		case it.Token != nil:
		case it.Ref.UUID == "" && callerID != nil && ident.Unpadded(it.Ref.ID) == ident.Unpadded(*callerID):
			// A spelling of the own token's id that matched no listed id
			// (more padding than listed): the own token, however far the
			// listing went, and whether REST answered before or after it.
			it.TokenID, it.Self = *callerID, true
		case it.Ref.UUID == "":
			// Never listed. An id merely unlike the own token's proves
			// nothing (the server may spell ids anew and still accept old
			// spellings, so it may be the own token's), so it is not sent.
			it.Status, it.NeverListed = StatusNotFound, true
			it.Error = fmt.Sprintf("no API access token is listed with id %s in organization %s (Buildkite may have changed how it spells ids; name the token by its uuid); run `tokenctl tokens list --org %s` to see the tokens that have access", it.Ref.ID, org, org)
		default:
			it.Status = StatusNotFound
			it.Error = fmt.Sprintf("no API access token %s has access to organization %s; run `tokenctl tokens list --org %s` to see the tokens that do", it.Ref.UUID, org, org)
		}
	}
}
