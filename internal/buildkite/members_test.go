package buildkite_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/transport"
)

const hygieneToken = "bkua_hygiene000000000000000000000000000000000" // fake emulator credential

var membersNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func startHygiene(t *testing.T) *emulatortest.Server {
	t.Helper()
	f, err := emulator.BuiltinFixture("hygiene")
	if err != nil {
		t.Fatal(err)
	}
	return emulatortest.Start(t, emulator.Options{Fixture: f, Now: func() time.Time { return membersNow }})
}

func newClient(srv *emulatortest.Server, token string, pageSize int) *buildkite.Client {
	return buildkite.New(buildkite.Config{
		GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: token, PageSize: pageSize,
		Transport: transport.Options{},
	})
}

// Every member comes back, over as many pages as the page size makes,
// with the fields the owner rules read, whether the organization is named
// by slug or by id; each page is charged its complexity.
func TestListMembersPagesEveryMember(t *testing.T) {
	for _, byID := range []bool{false, true} {
		srv := startHygiene(t)
		c := newClient(srv, hygieneToken, 7)
		org := ident.Org{Slug: "hygiene"}
		operation := "OrganizationMembersBySlug"
		if byID {
			org = ident.Org{ID: emulator.NodeID(emulator.TypeOrganization, "b1000000-0000-4000-8000-000000000001")}
			operation = "OrganizationMembersByID"
		}
		var members []buildkite.Member
		pages := 0
		found, err := c.ListMembers(context.Background(), org, func(p buildkite.MemberPage) bool {
			pages++
			members = append(members, p.Members...)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if found.Slug != "hygiene" || found.ID == "" {
			t.Errorf("organization = %+v", found)
		}
		if len(members) != 66 || pages != 10 {
			t.Fatalf("got %d members in %d pages, want 66 in 10", len(members), pages)
		}
		byEmail := map[string]buildkite.Member{}
		for _, m := range members {
			if _, dup := byEmail[m.User.Email]; dup {
				t.Errorf("member %s listed twice", m.User.Email)
			}
			byEmail[m.User.Email] = m
		}
		ada, nia, leaver, bot := byEmail["ada@hygiene.example"], byEmail["nia@hygiene.example"], byEmail["len@hygiene.example"], byEmail["bot@hygiene.example"]
		if ada.Role != "ADMIN" || !ada.TwoFactorEnabled || ada.SSOMode != "REQUIRED" || ada.User.Bot || ada.User.UUID != "a1000000-0000-4000-8000-000000000001" {
			t.Errorf("ada = %+v", ada)
		}
		if nia.Role != "MEMBER" || nia.TwoFactorEnabled || nia.SSOMode != "" {
			t.Errorf("nia = %+v", nia)
		}
		if leaver.LastSeenAt == nil || !leaver.LastSeenAt.Equal(membersNow.Add(-400*24*time.Hour)) {
			t.Errorf("len last seen %v", leaver.LastSeenAt)
		}
		if !bot.User.Bot {
			t.Errorf("bot = %+v", bot)
		}
		var charged []int
		for _, r := range srv.Requests() {
			if r.Operation == operation {
				charged = append(charged, r.Complexity)
			}
		}
		// organization 1 + connection 1 + pageInfo 1 + 7 members of 4
		// objects (member, security, sso, user).
		if len(charged) != 10 || charged[0] != 31 {
			t.Errorf("complexity charged per page = %v, want 10 pages of 31", charged)
		}
	}
}

// Stopping early sends no more requests.
func TestListMembersStopsWhenAsked(t *testing.T) {
	srv := startHygiene(t)
	c := newClient(srv, hygieneToken, 5)
	if _, err := c.ListMembers(context.Background(), ident.Org{Slug: "hygiene"}, func(buildkite.MemberPage) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if n := srv.CountRequests(func(r emulator.Request) bool { return r.Operation == "OrganizationMembersBySlug" }); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestListMembersUnknownOrganization(t *testing.T) {
	srv := startHygiene(t)
	c := newClient(srv, hygieneToken, 5)
	_, err := c.ListMembers(context.Background(), ident.Org{Slug: "acme"}, func(buildkite.MemberPage) bool { return true })
	if buildkite.KindOf(err) != buildkite.KindNotFound {
		t.Fatalf("err = %v (kind %v), want not found", err, buildkite.KindOf(err))
	}
}

// The schema lets Buildkite answer null for the members list, or leave out
// pageInfo: neither may pass for "no more members", nor for a permission
// problem the answer does not state (see
// TestListingsWithAHoleFail for the rest).
func TestListMembersRefusesAnswersItCannotTrust(t *testing.T) {
	tests := []struct {
		name, body string
		want       buildkite.Kind
	}{
		// Nothing in the answer says why: not a permission problem
		// (exit 3), which would be a guess, but an answer that cannot be
		// read (exit 1), as for the other holes.
		{"members null", `{"data":{"organization":{"id":"T3Jn","uuid":"u","slug":"s","name":"n","members":null}}}`, buildkite.KindOther},
		{"members missing", `{"data":{"organization":{"id":"T3Jn","uuid":"u","slug":"s","name":"n"}}}`, buildkite.KindOther},
		{"full page without pageInfo", `{"data":{"organization":{"id":"T3Jn","uuid":"u","slug":"s","name":"n","members":{"pageInfo":null,"edges":[` +
			`{"node":{"role":"MEMBER","lastSeenAt":null,"security":{"twoFactorEnabled":true},"sso":{"mode":null},"user":{"id":"1","uuid":"1","name":"a","email":"a@x","bot":false}}},` +
			`{"node":{"role":"MEMBER","lastSeenAt":null,"security":{"twoFactorEnabled":true},"sso":{"mode":null},"user":{"id":"2","uuid":"2","name":"b","email":"b@x","bot":false}}}]}}}}`, buildkite.KindOther},
		// Fewer than asked for is no proof of the last page: a server may
		// hand out smaller pages than asked for.
		{"short page without pageInfo", `{"data":{"organization":{"id":"T3Jn","uuid":"u","slug":"s","name":"n","members":{"pageInfo":null,"edges":[` +
			`{"node":{"role":"MEMBER","lastSeenAt":null,"security":{"twoFactorEnabled":true},"sso":{"mode":null},"user":{"id":"1","uuid":"1","name":"a","email":"a@x","bot":false}}}]}}}}`, buildkite.KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.body))
			}))
			defer hs.Close()
			c := buildkite.New(buildkite.Config{GraphQLEndpoint: hs.URL + "/v1", RESTEndpoint: hs.URL, Token: "bkua_test", PageSize: 2})
			_, err := c.ListMembers(context.Background(), ident.Org{Slug: "s"}, func(buildkite.MemberPage) bool { return true })
			if err == nil || buildkite.KindOf(err) != tt.want {
				t.Fatalf("err = %v (kind %v), want kind %v", err, buildkite.KindOf(err), tt.want)
			}
		})
	}
}
