package buildkite_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// list runs the listing of kind ("tokens" or "members") of the hygiene
// organization to its end, and returns how many nodes it handed over.
// Tokens are listed both ways, by ListTokens and ListAllTokens, which must
// agree.
func list(t *testing.T, c *buildkite.Client, kind string) (int, error) {
	t.Helper()
	ctx, org, n := context.Background(), ident.Org{Slug: "hygiene"}, 0
	if kind == "members" {
		_, err := c.ListMembers(ctx, org, func(p buildkite.MemberPage) bool { n += len(p.Members); return true })
		return n, err
	}
	_, err := c.ListTokens(ctx, org, func(p buildkite.TokenPage) bool { n += len(p.Tokens); return true })
	all := 0
	_, errAll := c.ListAllTokens(ctx, org, func(p buildkite.TokenPage) { all += len(p.Tokens) })
	// ListTokens hands over what a page with a hole shows before failing
	// (see TestListTokensHandsOverWhatAPageWithAHoleShows); ListAllTokens
	// does not.
	if (err == nil) != (errAll == nil) || (err != nil && err.Error() != errAll.Error()) || (err == nil && n != all) {
		t.Errorf("ListTokens handed over %d (%v), ListAllTokens %d (%v)", n, err, all, errAll)
	}
	return n, err
}

// A page with a null where the schema allows one (the members' pageInfo,
// a page's edges, an edge, a node) fails the listing, as an organization
// that went away while it was listed does: a listing that went on without
// it would look complete, and an owner it did not show would be judged
// not a member. The emulator answers each on every page after the first.
func TestListingsWithAHoleFail(t *testing.T) {
	f, err := emulator.BuiltinFixture("hygiene")
	if err != nil {
		t.Fatal(err)
	}
	for _, hole := range emulator.ListingHoles {
		t.Run(string(hole), func(t *testing.T) {
			srv := emulatortest.Start(t, emulator.Options{Fixture: f, Now: func() time.Time { return membersNow }, ListingHole: hole})
			kind, _, _ := strings.Cut(string(hole), "-")
			n, err := list(t, newClient(srv, hygieneToken, 7), kind)
			if err == nil {
				t.Fatalf("listing %s handed over %d and no error", kind, n)
			}
			if buildkite.KindOf(err) != buildkite.KindOther || !strings.Contains(err.Error(), "nothing is judged or revoked on part of a listing") {
				t.Errorf("err = %v (kind %v), want an incomplete listing (KindOther)", err, buildkite.KindOf(err))
			}
			// The other listing is whole.
			other := map[string]string{"tokens": "members", "members": "tokens"}[kind]
			if _, err := list(t, newClient(srv, hygieneToken, 7), other); err != nil {
				t.Errorf("listing %s: %v", other, err)
			}
		})
	}
}

// What the emulator cannot answer, since the schema makes it non-null (a
// stand-in here answers it): the tokens' pageInfo, or their whole
// connection, null, and a member without its user. Neither may pass for
// the end of the listing or a member to skip.
func TestListingsRefuseNullsTheSchemaForbids(t *testing.T) {
	const org = `"id":"T3Jn","uuid":"u","slug":"s","name":"n"`
	const member = `{"node":{"role":"MEMBER","lastSeenAt":null,"security":{"twoFactorEnabled":true},"sso":{"mode":null},"user":%s}}`
	tests := []struct {
		name, kind, body, want string
	}{
		{"tokens pageInfo null", "tokens", `{"data":{"organization":{` + org + `,"apiAccessTokens":{"pageInfo":null,"edges":[]}}}}`, "without pageInfo"},
		{"tokens connection null", "tokens", `{"data":{"organization":{` + org + `,"apiAccessTokens":null}}}`, "without pageInfo"},
		{"member user null", "members", `{"data":{"organization":{` + org + `,"members":{"pageInfo":{"hasNextPage":false,"endCursor":null},"edges":[` +
			strings.Replace(member, "%s", `{"id":"1","uuid":"1","name":"a","email":"a@x","bot":false,"machineUser":false}`, 1) + `,` +
			strings.Replace(member, "%s", `null`, 1) + `]}}}}`, "a member without its user"},
		// hasNextPage is Boolean! in the schema: a null read as false
		// ended the listing after its first page.
		{"tokens hasNextPage null", "tokens", `{"data":{"organization":{` + org + `,"apiAccessTokens":{"pageInfo":{"hasNextPage":null,"endCursor":"c1"},"edges":[` +
			`{"node":{"id":"QVBJ","uuid":"t1","description":null,"scopes":["GRAPHQL"],"createdAt":"2024-01-01T00:00:00Z","expiresAt":null,"lastAccessedAt":null,"ipAddress":null,"owner":null}}]}}}}`,
			"hasNextPage is null"},
		{"members hasNextPage null", "members", `{"data":{"organization":{` + org + `,"members":{"pageInfo":{"hasNextPage":null,"endCursor":"c1"},"edges":[` +
			strings.Replace(member, "%s", `{"id":"1","uuid":"1","name":"a","email":"a@x","bot":false,"machineUser":false}`, 1) + `]}}}}`, "hasNextPage is null"},
		{"audit hasNextPage null", "audit", `{"data":{"organization":{` + org + `,"permissions":{"auditEventsView":{"allowed":true}},` +
			`"auditEvents":{"count":5,"pageInfo":{"hasNextPage":null,"endCursor":"c1"},"edges":[{"node":{"uuid":"e1","type":"API_ACCESS_TOKEN_DELETED","occurredAt":"2026-06-01T12:00:00Z",` +
			`"subject":{"id":"s","uuid":"s","name":null,"type":"API_ACCESS_TOKEN"},"actor":null,"context":null}}]}}}}`, "hasNextPage is null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.body))
			}))
			defer hs.Close()
			c := buildkite.New(buildkite.Config{GraphQLEndpoint: hs.URL + "/v1", RESTEndpoint: hs.URL, Token: "bkua_test", PageSize: 2})
			ctx, org := context.Background(), ident.Org{Slug: "s"}
			errs := map[string]error{}
			switch tt.kind {
			case "members":
				_, errs["ListMembers"] = c.ListMembers(ctx, org, func(buildkite.MemberPage) bool { return true })
			case "audit":
				_, errs["ListAuditEvents"] = c.ListAuditEvents(ctx, "s", buildkite.AuditFilter{}, func(buildkite.AuditPage) bool { return true })
			default:
				_, errs["ListTokens"] = c.ListTokens(ctx, org, func(buildkite.TokenPage) bool { return true })
				_, errs["ListAllTokens"] = c.ListAllTokens(ctx, org, func(buildkite.TokenPage) {})
			}
			for name, err := range errs {
				if buildkite.KindOf(err) != buildkite.KindOther || err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: err = %v (kind %v), want KindOther saying %q", name, err, buildkite.KindOf(err), tt.want)
				}
			}
		})
	}
}

// A token or member a later page repeats with other data (used, described
// or seen since) fails the listing, naming it: which copy is current
// cannot be told, and judging may have begun on the first. A repeat that
// says the same is dropped silently (TestListingsHandOutEachNodeOnceWhenPagesRepeatOne).
func TestListingsRefuseARepeatThatDiffers(t *testing.T) {
	f, err := emulator.BuiltinFixture("hygiene")
	if err != nil {
		t.Fatal(err)
	}
	// The emulator's clock is ahead of every time in the fixture, so a
	// repeated token or member really is seen anew.
	later := func() time.Time { return membersNow.Add(time.Hour) }
	srv := emulatortest.Start(t, emulator.Options{Fixture: f, Now: later, RepeatChanged: true})
	for _, kind := range []string{"tokens", "members"} {
		_, err := list(t, newClient(srv, hygieneToken, 7), kind)
		if buildkite.KindOf(err) != buildkite.KindOther || err == nil || !strings.Contains(err.Error(), "twice, and the two copies differ") {
			t.Errorf("listing %s: err = %v (kind %v), want the repeat refused", kind, err, buildkite.KindOf(err))
			continue
		}
		// The repeat is the first of the second page: the seventh listed.
		if !strings.Contains(err.Error(), seventh(t, kind)) {
			t.Errorf("listing %s: %v does not name the repeated one (%s)", kind, err, seventh(t, kind))
		}
	}
}

// seventh is the uuid of the seventh token, or the seventh member's user,
// the plain hygiene organization lists.
func seventh(t *testing.T, kind string) string {
	t.Helper()
	return listedUUIDs(t, kind)[6]
}

// listedUUIDs is the uuids of the tokens, or of the members' users, the plain
// hygiene organization lists, in its order (at least seven).
func listedUUIDs(t *testing.T, kind string) []string {
	t.Helper()
	c := newClient(startHygiene(t), hygieneToken, 500)
	var uuids []string
	ctx, org := context.Background(), ident.Org{Slug: "hygiene"}
	if kind == "members" {
		_, _ = c.ListMembers(ctx, org, func(p buildkite.MemberPage) bool {
			for _, m := range p.Members {
				uuids = append(uuids, m.User.UUID)
			}
			return true
		})
	} else {
		_, _ = c.ListTokens(ctx, org, func(p buildkite.TokenPage) bool {
			for _, tok := range p.Tokens {
				uuids = append(uuids, tok.UUID)
			}
			return true
		})
	}
	if len(uuids) < 7 {
		t.Fatalf("%d %s listed, want 7 or more", len(uuids), kind)
	}
	return uuids
}

// A caller that stops on the page with the hole (it found what it looked
// for among the tokens the page does show) is not failed by it; one that
// asks for more is, and is never told the listing ended.
func TestListTokensHandsOverWhatAPageWithAHoleShows(t *testing.T) {
	f, err := emulator.BuiltinFixture("hygiene")
	if err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.Start(t, emulator.Options{Fixture: f, Now: func() time.Time { return membersNow }, ListingHole: emulator.HoleTokensNode})
	c := newClient(srv, hygieneToken, 2)
	ctx, org := context.Background(), ident.Org{Slug: "hygiene"}
	// The second page is the third token (its node null) and the fourth.
	fourth := listedUUIDs(t, "tokens")[3]
	var seen []string
	_, err = c.ListTokens(ctx, org, func(p buildkite.TokenPage) bool {
		for _, tok := range p.Tokens {
			seen = append(seen, tok.UUID)
			if tok.UUID == fourth {
				return false
			}
		}
		return true
	})
	if err != nil || len(seen) != 3 || seen[2] != fourth {
		t.Errorf("stopping at the fourth token: saw %v, err %v; want three tokens and no error", seen, err)
	}
	pages := 0
	_, err = c.ListTokens(ctx, org, func(buildkite.TokenPage) bool { pages++; return true })
	if err == nil || !strings.Contains(err.Error(), "a null in place of a token") || pages != 2 {
		t.Errorf("listing on: %d pages, err %v; want the hole's error after two", pages, err)
	}
}
