// Package revoke turns what the user asked for into a plan of revocations
// (resolving slugs and uuids to ids with as few requests as possible and
// applying the safety checks) and carries the plan out. It prints nothing
// and never prompts: the command layer shows the plan and asks.
package revoke

import (
	"context"
	"fmt"
	"strings"

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

// Item is one requested token and what will happen to it.
type Item struct {
	Requested string           // as the user wrote it
	Ref       ident.Token      // parsed
	TokenID   string           // the node id the mutation needs, when known
	Token     *buildkite.Token // details, when the token was seen in a listing
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

// Resolve builds the plan. The caller check (REST) runs in parallel with
// the GraphQL resolution, so it adds no round trip. Token uuids are
// resolved by paging the organization's tokens once for the whole batch,
// stopping as soon as every wanted token has been seen (or, with a Select,
// after the last page).
func Resolve(ctx context.Context, c *buildkite.Client, req Request) (*Plan, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type selfAnswer struct {
		token buildkite.AccessToken
		err   error
	}
	selfCh := make(chan selfAnswer, 1)
	go func() {
		if req.Caller != nil {
			selfCh <- selfAnswer{token: *req.Caller}
			return
		}
		t, err := c.AccessToken(ctx)
		selfCh <- selfAnswer{t, err}
	}()

	plan := &Plan{}
	seen := map[string]bool{}
	for _, ref := range req.Tokens {
		if seen[ref.Key()] {
			continue
		}
		seen[ref.Key()] = true
		it := &Item{Requested: ref.String(), Ref: ref, TokenID: ref.ID}
		plan.Items = append(plan.Items, it)
	}

	org, selected, err := resolveTokens(ctx, c, req.Org, plan.Items, req.Select)
	if err != nil {
		// Stop the caller check and wait for it: nothing of this run (a
		// --debug trace) may be written after its error is reported.
		cancel()
		<-selfCh
		return nil, err
	}
	plan.Organization = org
	plan.Items = append(plan.Items, selected...)

	self := <-selfCh
	if self.err != nil {
		return nil, fmt.Errorf("%w (tokenctl refuses to revoke anything until it knows which token it is using)", self.err)
	}
	plan.Caller = self.token

	for _, it := range plan.Items {
		if it.Pending() && isCaller(it, self.token.UUID) && !req.AllowSelf {
			it.Status = StatusRefused
			it.Error = "this is the API token tokenctl is using; revoking it would cut off this run (pass --allow-self to do it anyway)"
		}
	}
	return plan, nil
}

// resolveTokens fills in token ids and details, marking tokens that are not
// in the organization as not found, and returns the organization and the
// items for the tokens sel selects that were not already named.
func resolveTokens(ctx context.Context, c *buildkite.Client, orgRef ident.Org, items []*Item, sel func(buildkite.Token) bool) (buildkite.Organization, []*Item, error) {
	wanted := 0
	for _, it := range items {
		if it.Ref.UUID != "" {
			wanted++
		}
	}
	if wanted == 0 && sel == nil {
		// Every token is named by id: the mutation needs no lookup, and an
		// organization given by id needs none either.
		if orgRef.ID != "" {
			return buildkite.Organization{ID: orgRef.ID}, nil, nil
		}
		org, err := c.Organization(ctx, orgRef)
		return org, nil, err
	}

	byUUID := map[string]*Item{}
	byID := map[string]*Item{}
	for _, it := range items {
		if it.Ref.UUID != "" {
			byUUID[it.Ref.UUID] = it
		} else {
			byID[it.Ref.ID] = it
		}
	}
	remaining := wanted
	var selected []*Item
	org, err := c.ListTokens(ctx, orgRef, func(page buildkite.TokenPage) bool {
		for i := range page.Tokens {
			t := &page.Tokens[i]
			named := false
			if it, ok := byUUID[strings.ToLower(t.UUID)]; ok {
				named = true
				if it.Token == nil {
					it.Token, it.TokenID = t, t.ID
					remaining--
				}
			}
			if it, ok := byID[t.ID]; ok {
				named = true
				it.Token = t
			}
			if sel != nil && !named && sel(*t) {
				// Keyed like a token named by uuid, so that a token listed
				// twice (pages shifting under a concurrent change) is
				// planned once.
				uuid := strings.ToLower(t.UUID)
				it := &Item{Requested: uuid, Ref: ident.Token{UUID: uuid}, TokenID: t.ID, Token: t}
				byUUID[uuid] = it
				selected = append(selected, it)
			}
		}
		return remaining > 0 || sel != nil
	})
	if err != nil {
		return buildkite.Organization{}, nil, err
	}
	for _, it := range items {
		if it.Ref.UUID != "" && it.Token == nil {
			it.Status = StatusNotFound
			it.Error = fmt.Sprintf("no API access token %s has access to organization %s; run `tokenctl tokens list --org %s` to see the tokens that do", it.Ref.UUID, org.Slug, org.Slug)
		}
	}
	return org, selected, nil
}

func isCaller(it *Item, callerUUID string) bool {
	if callerUUID == "" {
		return false
	}
	callerUUID = strings.ToLower(callerUUID)
	if it.Token != nil && strings.ToLower(it.Token.UUID) == callerUUID {
		return true
	}
	if it.Ref.UUID == callerUUID {
		return true
	}
	if uuid, ok := ident.UUIDFromID(it.TokenID); ok && uuid == callerUUID {
		return true
	}
	return false
}
