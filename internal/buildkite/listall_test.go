package buildkite_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// listed is what a listing handed over: its pages, each the uuids of its
// tokens in order, and the organization it returned.
type listed struct {
	org   buildkite.Organization
	pages [][]string
	owner map[string]*buildkite.User // each token's owner, by token uuid
}

func (l *listed) visit(p buildkite.TokenPage) {
	var uuids []string
	for _, tok := range p.Tokens {
		uuids = append(uuids, tok.UUID)
		l.owner[tok.UUID] = tok.Owner
	}
	l.pages = append(l.pages, uuids)
}

// ListAllTokens, which converts each page while the next is fetched, hands
// over the pages ListTokens does, in the same order, each token once (a
// server that repeats a token on a later page included), with owners
// shared the same way, and returns the same organization.
func TestListAllTokensListsAsListTokens(t *testing.T) {
	f, err := emulator.BuiltinFixture("hygiene")
	if err != nil {
		t.Fatal(err)
	}
	repeating := emulatortest.Start(t, emulator.Options{Fixture: f, Now: func() time.Time { return membersNow }, RepeatAcrossPages: true})
	plain := startHygiene(t)
	ctx := context.Background()
	// Pages of one from the repeating server would all be the same page.
	for _, srv := range []*emulatortest.Server{plain, repeating} {
		for _, size := range []int{1 + boolInt(srv == repeating), 7, 500} {
			// By slug, then by the id the first listing found.
			orgs := []ident.Org{{Slug: "hygiene"}}
			for i := 0; i < len(orgs); i++ {
				org := orgs[i]
				one := &listed{owner: map[string]*buildkite.User{}}
				var err error
				one.org, err = newClient(srv, hygieneToken, size).ListTokens(ctx, org, func(p buildkite.TokenPage) bool {
					one.visit(p)
					return true
				})
				if err != nil {
					t.Fatal(err)
				}
				if org.ID == "" {
					orgs = append(orgs, ident.Org{ID: one.org.ID})
				}
				all := &listed{owner: map[string]*buildkite.User{}}
				all.org, err = newClient(srv, hygieneToken, size).ListAllTokens(ctx, org, all.visit)
				if err != nil {
					t.Fatal(err)
				}
				if all.org != one.org {
					t.Errorf("page size %d: ListAllTokens returned %+v, ListTokens %+v", size, all.org, one.org)
				}
				if !slices.EqualFunc(all.pages, one.pages, slices.Equal) {
					t.Errorf("page size %d: ListAllTokens handed over\n%v\nListTokens\n%v", size, all.pages, one.pages)
				}
				if len(one.pages) < 2 && size < 500 {
					t.Fatalf("page size %d: %d pages, the test needs several", size, len(one.pages))
				}
				assertOwnersShared(t, all.owner)
			}
		}
	}
}

// assertOwnersShared fails unless tokens with the same owner share one
// copy of it.
func assertOwnersShared(t *testing.T, owners map[string]*buildkite.User) {
	t.Helper()
	byID := map[string]*buildkite.User{}
	for tok, u := range owners {
		if u == nil {
			continue
		}
		if other, ok := byID[u.ID]; ok && other != u && *other == *u {
			t.Errorf("token %s: its owner %s is a copy of another token's", tok, u.ID)
		}
		byID[u.ID] = u
	}
}

// A listing that fails part-way returns the error, having handed over the
// pages before it; an unknown organization hands over none.
func TestListAllTokensFails(t *testing.T) {
	srv := startHygiene(t)
	ctx := context.Background()
	var pages int
	_, err := newClient(srv, hygieneToken, 7).ListAllTokens(ctx, ident.Org{Slug: "no-such-org"}, func(buildkite.TokenPage) { pages++ })
	var apiErr *buildkite.Error
	if !errors.As(err, &apiErr) || apiErr.Kind != buildkite.KindNotFound || pages != 0 {
		t.Fatalf("unknown organization: err %v, %d pages handed over; want not found and none", err, pages)
	}
	cctx, cancel := context.WithCancel(ctx)
	pages = 0
	_, err = newClient(srv, hygieneToken, 7).ListAllTokens(cctx, ident.Org{Slug: "hygiene"}, func(buildkite.TokenPage) {
		pages++
		cancel()
	})
	if err == nil || pages < 1 {
		t.Fatalf("cancelled after the first page: err %v, %d pages handed over", err, pages)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The transport reads each answer into the buffer of one decoded before:
// what a listing handed over from an earlier page still says what it said
// once later pages were read.
func TestTokensOutliveTheirAnswer(t *testing.T) {
	srv := startHygiene(t)
	type seen struct {
		id, uuid, description, owner string
		scopes                       []string
	}
	copyOf := func(tok buildkite.Token) seen {
		s := seen{id: strings.Clone(tok.ID), uuid: strings.Clone(tok.UUID), description: strings.Clone(tok.Description)}
		if tok.Owner != nil {
			s.owner = strings.Clone(tok.Owner.Name + "\x00" + tok.Owner.Email)
		}
		for _, sc := range tok.Scopes {
			s.scopes = append(s.scopes, strings.Clone(sc))
		}
		return s
	}
	var tokens []buildkite.Token
	var copies []seen
	if _, err := newClient(srv, hygieneToken, 3).ListAllTokens(context.Background(), ident.Org{Slug: "hygiene"}, func(p buildkite.TokenPage) {
		for _, tok := range p.Tokens {
			tokens = append(tokens, tok)
			copies = append(copies, copyOf(tok))
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(tokens) < 10 {
		t.Fatalf("%d tokens: the test needs several pages", len(tokens))
	}
	for i, tok := range tokens {
		if got := copyOf(tok); !reflect.DeepEqual(got, copies[i]) {
			t.Errorf("token %d changed after later pages were read: %+v, was %+v", i, got, copies[i])
		}
	}
}
