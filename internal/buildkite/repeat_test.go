package buildkite_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// A server may repeat a token or a member on a later page (its list grew
// while it was paged; nothing in the schema says a connection hands each
// node out once). The emulator here starts every page after the first
// with the last of the page before: each is still handed over once, and
// the first answer is the one kept.
func TestListingsHandOutEachNodeOnceWhenPagesRepeatOne(t *testing.T) {
	f, err := emulator.BuiltinFixture("hygiene")
	if err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.Start(t, emulator.Options{Fixture: f, Now: func() time.Time { return membersNow }, RepeatAcrossPages: true})
	plain := startHygiene(t)
	ctx := context.Background()
	org := ident.Org{Slug: "hygiene"}

	want := map[string]bool{}
	if _, err := newClient(plain, hygieneToken, 500).ListTokens(ctx, org, func(p buildkite.TokenPage) bool {
		for _, tok := range p.Tokens {
			want[tok.UUID] = true
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}

	got := map[string]int{}
	pages, total := 0, 0
	if _, err := newClient(srv, hygieneToken, 7).ListTokens(ctx, org, func(p buildkite.TokenPage) bool {
		pages++
		for _, tok := range p.Tokens {
			got[tok.UUID]++
			total++
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	for uuid, n := range got {
		if n != 1 {
			t.Errorf("token %s handed over %d times", uuid, n)
		}
	}
	if total != len(want) || len(got) != len(want) {
		t.Errorf("handed over %d tokens (%d distinct), want the %d the organization has", total, len(got), len(want))
	}
	if pages < 2 {
		t.Fatalf("%d pages: the test needs several", pages)
	}

	members := map[string]int{}
	count := 0
	if _, err := newClient(srv, hygieneToken, 7).ListMembers(ctx, org, func(p buildkite.MemberPage) bool {
		for _, m := range p.Members {
			members[m.User.UUID]++
			count++
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if count != 66 || len(members) != 66 {
		t.Errorf("handed over %d members (%d distinct), want 66", count, len(members))
	}
}
