package emulator_test

import (
	"slices"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

func startWithGenerated(t *testing.T, n int) *emulatortest.Server {
	t.Helper()
	f := emulator.DemoFixture()
	f.AddGeneratedTokens("acme", n, "mo@acme.example")
	return emulatortest.Start(t, emulator.Options{Fixture: f, Now: newClock().Now})
}

func TestPagingThroughAThousandTokens(t *testing.T) {
	srv := startWithGenerated(t, 1000)
	want := srv.Tokens("acme")
	if len(want) < 1000 {
		t.Fatalf("acme lists %d tokens", len(want))
	}

	var got []string
	var after any
	pages := 0
	for {
		var page tokenPage
		decode(t, srv.GraphQL(t, emulatortest.DemoToken, listTokens, map[string]any{"slug": "acme", "first": 100, "after": after}), &page)
		conn := page.Organization.APIAccessTokens
		pages++
		ids := page.uuids()
		var nodeIDs []string
		for _, n := range conn.Nodes {
			nodeIDs = append(nodeIDs, n.UUID)
		}
		if !slices.Equal(ids, nodeIDs) {
			t.Fatalf("page %d: edges and nodes differ", pages)
		}
		if len(ids) == 0 || conn.PageInfo.StartCursor == nil || conn.PageInfo.EndCursor == nil {
			t.Fatalf("page %d: empty page or missing cursors: %+v", pages, conn.PageInfo)
		}
		if *conn.PageInfo.StartCursor != conn.Edges[0].Cursor || *conn.PageInfo.EndCursor != conn.Edges[len(ids)-1].Cursor {
			t.Fatalf("page %d: pageInfo cursors do not match the edges", pages)
		}
		if conn.PageInfo.HasPreviousPage != (pages > 1) {
			t.Errorf("page %d: hasPreviousPage = %v", pages, conn.PageInfo.HasPreviousPage)
		}
		got = append(got, ids...)
		if !conn.PageInfo.HasNextPage {
			break
		}
		if len(ids) != 100 {
			t.Fatalf("page %d has %d tokens but claims a next page", pages, len(ids))
		}
		after = *conn.PageInfo.EndCursor
		if pages > 20 {
			t.Fatal("paging does not end")
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged %d tokens, want %d in the same order", len(got), len(want))
	}
	if wantPages := (len(want) + 99) / 100; pages != wantPages {
		t.Errorf("%d pages, want %d", pages, wantPages)
	}
}

func TestPagingBackwardsAndEdges(t *testing.T) {
	srv := startWithGenerated(t, 20)
	all := srv.Tokens("acme")
	n := len(all)
	list := func(vars map[string]any) tokenPage {
		t.Helper()
		vars["slug"] = "acme"
		var p tokenPage
		decode(t, srv.GraphQL(t, emulatortest.DemoToken, listTokens, vars), &p)
		return p
	}

	last := list(map[string]any{"last": 5})
	if !slices.Equal(last.uuids(), all[n-5:]) {
		t.Fatalf("last 5: %v", last.uuids())
	}
	if pi := last.Organization.APIAccessTokens.PageInfo; pi.HasNextPage || !pi.HasPreviousPage {
		t.Errorf("last 5 pageInfo %+v", pi)
	}
	before := list(map[string]any{"last": 5, "before": *last.Organization.APIAccessTokens.PageInfo.StartCursor})
	if !slices.Equal(before.uuids(), all[n-10:n-5]) {
		t.Errorf("last 5 before: %v", before.uuids())
	}
	if pi := before.Organization.APIAccessTokens.PageInfo; !pi.HasNextPage || !pi.HasPreviousPage {
		t.Errorf("middle page pageInfo %+v", pi)
	}

	whole := list(map[string]any{"first": 500})
	if pi := whole.Organization.APIAccessTokens.PageInfo; pi.HasNextPage || pi.HasPreviousPage || len(whole.uuids()) != n {
		t.Errorf("single page: %d tokens, %+v", len(whole.uuids()), pi)
	}
	end := list(map[string]any{"first": 5, "after": *whole.Organization.APIAccessTokens.PageInfo.EndCursor})
	if pi := end.Organization.APIAccessTokens.PageInfo; len(end.uuids()) != 0 || pi.HasNextPage || pi.StartCursor != nil || pi.EndCursor != nil {
		t.Errorf("past the end: %v %+v", end.uuids(), pi)
	}
	zero := list(map[string]any{"first": 0})
	if len(zero.uuids()) != 0 || !zero.Organization.APIAccessTokens.PageInfo.HasNextPage {
		t.Errorf("first 0: %+v", zero.Organization.APIAccessTokens.PageInfo)
	}
}

func TestCursorsSurviveRevocation(t *testing.T) {
	srv, _ := startDemo(t)
	var p1 tokenPage
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, listTokens, map[string]any{"slug": "acme", "first": 2}), &p1)
	// Revoke both tokens on the first page, then ask for the next one.
	for _, id := range p1.uuids() {
		decode(t, revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, id), &struct{}{})
	}
	var p2 tokenPage
	decode(t, srv.GraphQL(t, emulatortest.DemoToken, listTokens, map[string]any{"slug": "acme", "first": 2, "after": *p1.Organization.APIAccessTokens.PageInfo.EndCursor}), &p2)
	if want := srv.Tokens("acme")[:2]; !slices.Equal(p2.uuids(), want) {
		t.Errorf("page after revoked page: %v, want %v", p2.uuids(), want)
	}
}

func TestPageSizeRules(t *testing.T) {
	srv, _ := startDemo(t)
	tests := []struct {
		name string
		vars map[string]any
		want string
	}{
		{"no first or last", map[string]any{}, "You must provide a `first` or `last` value"},
		{"first over the limit", map[string]any{"first": 501}, "exceeds the `first` limit of 500"},
		{"last over the limit", map[string]any{"last": 1000}, "exceeds the `last` limit of 500"},
		{"negative", map[string]any{"first": -1}, "cannot be less than zero"},
		{"bad cursor", map[string]any{"first": 5, "after": "not-a-cursor"}, "Invalid cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.vars["slug"] = "acme"
			resp := srv.GraphQL(t, emulatortest.DemoToken, listTokens, tt.vars)
			wantError(t, resp, tt.want)
			if string(resp.Data) != `{"organization":null}` {
				t.Errorf("data %s", resp.Data)
			}
		})
	}
	small := emulatortest.Start(t, emulator.Options{MaxPageSize: 3})
	wantError(t, small.GraphQL(t, emulatortest.DemoToken, listTokens, map[string]any{"slug": "acme", "first": 4}), "exceeds the `first` limit of 3")
}
