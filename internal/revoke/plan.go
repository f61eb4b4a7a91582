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
	// AllowSelf lets the tool revoke the credential it is using.
	AllowSelf bool
	// Select, when set, also plans every token of the organization for
	// which it returns true (selection by filter). The organization is
	// then listed in full, once, for the whole batch.
	Select func(buildkite.Token) bool
	// Caller, when already known (a batch over several organizations),
	// spares the REST check of which token tokenctl is using.
	Caller *buildkite.AccessToken
}

// Plan is the resolved list of revocations, with the safety checks applied.
type Plan struct {
	Organization buildkite.Organization
	// Caller is the credential tokenctl is using (REST /v2/access-token).
	Caller buildkite.AccessToken
	Items  []*Item
}

// Item is one token to revoke and what will happen to it.
type Item struct {
	Requested string      // as the user wrote it (the first spelling, when named twice)
	Ref       ident.Token // parsed
	// TokenID is the token's id exactly as the organization's listing
	// gave it: the server's identity of the token, and what the mutation
	// sends. Empty when the token was not found.
	TokenID string
	Token   *buildkite.Token // as listed; nil when not found
	// Self marks the token tokenctl is using, as the server describes
	// both (the caller's uuid from REST, the token's uuid from the
	// listing). With AllowSelf it is revoked last.
	Self bool
	// Status is set at planning time for tokens that will not be sent
	// (not-found, refused); empty means "to revoke".
	Status Status
	Error  string
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

// Resolve builds the plan. Every token, however it is named, is looked up
// in the organization's listing, which pages once for the whole batch and
// stops as soon as every named token has been seen (or, with a Select,
// after the last page). The listing is the only place the server says
// which token an id stands for, so:
//
//   - the self-check compares the caller's uuid (REST, asked at the same
//     time as the listing, so it adds no round trip) with the uuid the
//     listing gives each token, and never reads anything out of an id;
//   - a token named twice (uuid and id, or two spellings of its id) is
//     one item, keyed by the id the listing gave it;
//   - a token that is not in the listing is reported not-found before
//     anything is sent, in a dry run too;
//   - every mutation names a token the run has seen, so a re-check after
//     a lost answer can prove what happened.
//
// Revoking by ids therefore costs the listing pages up to the last named
// token, where sending the mutation blind would cost none: the price of a
// self-check that relies on the server alone.
func Resolve(ctx context.Context, c *buildkite.Client, req Request) (*Plan, error) {
	plan := &Plan{}
	seen := map[string]bool{}
	for _, ref := range req.Tokens {
		if seen[ref.Key()] {
			continue
		}
		seen[ref.Key()] = true
		plan.Items = append(plan.Items, &Item{Requested: ref.String(), Ref: ref})
	}

	g, gctx := errgroup.WithContext(ctx)
	if req.Caller != nil {
		plan.Caller = *req.Caller
	} else {
		g.Go(func() error {
			t, err := c.AccessToken(gctx)
			if err != nil {
				return fmt.Errorf("%w (tokenctl refuses to revoke anything until it knows which token it is using)", err)
			}
			plan.Caller = t
			return nil
		})
	}
	var selected []*Item
	g.Go(func() error {
		var err error
		plan.Organization, selected, err = resolveTokens(gctx, c, req.Org, plan.Items, req.Select)
		return err
	})
	// Wait returns only when both are done, so nothing of this run (a
	// --debug trace) is written after its error is reported.
	if err := g.Wait(); err != nil {
		return nil, err
	}
	plan.Items = append(dedupe(plan.Items), selected...)

	for _, it := range plan.Items {
		if it.Token != nil && plan.Caller.UUID != "" && strings.EqualFold(it.Token.UUID, plan.Caller.UUID) {
			it.Self = true
			if it.Pending() && !req.AllowSelf {
				it.Status = StatusRefused
				it.Error = "this is the API token tokenctl is using; revoking it would cut off this run (pass --allow-self to do it anyway)"
			}
		}
	}
	return plan, nil
}

// dedupe keeps one item per token as the server identifies it (the id it
// listed), the first as requested; tokens not found stay one per name.
func dedupe(items []*Item) []*Item {
	out := items[:0]
	byID := map[string]bool{}
	for _, it := range items {
		if it.TokenID != "" {
			if byID[it.TokenID] {
				continue
			}
			byID[it.TokenID] = true
		}
		out = append(out, it)
	}
	return out
}

// resolveTokens finds every named token in the organization's listing,
// marking those that are not there as not found, and returns the
// organization and the items for the tokens sel selects that were not
// already named.
func resolveTokens(ctx context.Context, c *buildkite.Client, orgRef ident.Org, items []*Item, sel func(buildkite.Token) bool) (buildkite.Organization, []*Item, error) {
	byUUID := map[string][]*Item{}
	byID := map[string][]*Item{}
	for _, it := range items {
		if it.Ref.UUID != "" {
			byUUID[it.Ref.UUID] = append(byUUID[it.Ref.UUID], it)
		} else {
			byID[it.Ref.ID] = append(byID[it.Ref.ID], it)
		}
	}
	remaining := len(items)
	found := func(its []*Item, t *buildkite.Token) {
		for _, it := range its {
			if it.Token == nil {
				it.Token, it.TokenID = t, t.ID
				remaining--
			}
		}
	}
	var selected []*Item
	org, err := c.ListTokens(ctx, orgRef, func(page buildkite.TokenPage) bool {
		for i := range page.Tokens {
			t := &page.Tokens[i]
			uuid := strings.ToLower(t.UUID)
			named := byUUID[uuid]
			named = append(named, byID[t.ID]...)
			// An id copied without its base64 padding names the token
			// whose listed id differs only by that padding; what is sent
			// is always the id as listed.
			if trimmed := strings.TrimRight(t.ID, "="); trimmed != t.ID {
				named = append(named, byID[trimmed]...)
			}
			found(named, t)
			if sel != nil && len(named) == 0 && sel(*t) {
				// Keyed like a token named by uuid, so that a token listed
				// twice (pages shifting under a concurrent change) is
				// planned once.
				it := &Item{Requested: uuid, Ref: ident.Token{UUID: uuid}, TokenID: t.ID, Token: t}
				byUUID[uuid] = []*Item{it}
				selected = append(selected, it)
			}
		}
		return remaining > 0 || sel != nil
	})
	if err != nil {
		return buildkite.Organization{}, nil, err
	}
	name := org.Slug
	if name == "" {
		name = orgRef.String()
	}
	for _, it := range items {
		if it.Token == nil {
			what := it.Ref.UUID
			if what == "" {
				what = "with id " + it.Ref.ID
			}
			it.Status = StatusNotFound
			it.Error = fmt.Sprintf("no API access token %s has access to organization %s; run `tokenctl tokens list --org %s` to see the tokens that do", what, name, name)
		}
	}
	return org, selected, nil
}
