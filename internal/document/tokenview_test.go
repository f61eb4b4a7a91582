package document

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// listedTokens are tokens of every shape a listing hands over: fields empty
// and set, times in UTC and in other zones, scopes nil and empty.
func listedTokens() []buildkite.Token {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	zoned := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("x", -3600))
	return []buildkite.Token{
		{},
		{ID: "QVBJ", UUID: "u-1", Description: "deploy <prod>", Scopes: []string{"READ_BUILDS"}, CreatedAt: zoned,
			LastAccessedAt: &zoned, ExpiresAt: &at, IPAddress: "10.0.0.1",
			Owner: &buildkite.User{ID: "VXNlcg", UUID: "o-1", Name: "Mo", Email: "mo@acme.example", Bot: true}},
		{ID: "x", Scopes: []string{}, CreatedAt: at, LastAccessedAt: &at, Owner: &buildkite.User{Name: "Zoë"}},
		{UUID: "u-3", IPAddress: "::1", ExpiresAt: &zoned},
	}
}

// A view shows each listed token as TokenOf does, whatever the token
// shown before it held (the view is reused from token to token).
func TestTokenViewIsTokenOf(t *testing.T) {
	tokens := listedTokens()
	var v TokenView
	for round := range 2 {
		for i := range tokens {
			// Each token after each other, so that no field is left over.
			for j := range tokens {
				v.Of(&tokens[j])
				got := *v.Of(&tokens[i])
				if want := TokenOf(tokens[i]); !reflect.DeepEqual(got, want) {
					t.Errorf("round %d, token %d after %d: view %+v, TokenOf %+v", round, i, j, got, want)
				}
			}
		}
	}
}

// A listing's JSON, whole (YAML, jq) and item by item (JSON), is the
// JSON of the TokenList that holds every token as TokenOf shows it.
func TestTokenListingIsTokenList(t *testing.T) {
	listed := listedTokens()
	full := TokenList{Organization: Organization{Slug: "acme"}, AsOf: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	for _, tok := range listed {
		full.Tokens = append(full.Tokens, TokenOf(tok))
	}
	l := TokenListing{TokenList: full, Listed: listed}
	l.Tokens = nil
	want, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("listing's JSON\n%s\nwant\n%s", got, want)
	}

	head, field, n, item := l.SplitList()
	wantHead, wantField, wantN, _ := full.SplitList()
	if !reflect.DeepEqual(head, wantHead) || field != wantField || n != wantN {
		t.Errorf("SplitList = %+v, %q, %d; want %+v, %q, %d", head, field, n, wantHead, wantField, wantN)
	}
	for i := range n {
		b, err := item(i).(*Token).AppendJSONItem(nil)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := full.Tokens[i].AppendJSONItem(nil)
		if !bytes.Equal(b, w) {
			t.Errorf("item %d:\n%s\nwant\n%s", i, b, w)
		}
	}
}
