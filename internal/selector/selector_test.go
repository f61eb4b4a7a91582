package selector

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/span"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) *time.Time { t := now.Add(-d); return &t }
func in(d time.Duration) *time.Time  { t := now.Add(d); return &t }

// The tokens the filter tests choose from, by description.
var tokens = []buildkite.Token{
	{UUID: "00000000-0000-4000-8000-000000000001", Description: "stale bot", Scopes: []string{"GRAPHQL", "READ_BUILDS"},
		CreatedAt: now.Add(-900 * span.Day), LastAccessedAt: ago(400 * span.Day), Owner: &buildkite.User{Name: "Mo Member", Email: "mo@acme.example"}},
	{UUID: "00000000-0000-4000-8000-000000000002", Description: "never used", Scopes: []string{"READ_BUILDS"},
		CreatedAt: now.Add(-500 * span.Day), Owner: &buildkite.User{Name: "Mo Member", Email: "mo@acme.example"}},
	{UUID: "00000000-0000-4000-8000-000000000003", Description: "terraform", Scopes: []string{"GRAPHQL", "WRITE_TEAMS"},
		CreatedAt: now.Add(-300 * span.Day), LastAccessedAt: ago(3 * time.Hour), ExpiresAt: in(30 * span.Day), Owner: &buildkite.User{Name: "Ada Admin", Email: "ada@acme.example"}},
	{UUID: "00000000-0000-4000-8000-000000000004", Description: "exactly 90 days", Scopes: []string{"WRITE_ORGANIZATION_SETTINGS"},
		CreatedAt: now.Add(-200 * span.Day), LastAccessedAt: ago(90 * span.Day), ExpiresAt: ago(span.Day), Owner: &buildkite.User{Name: "Ada Admin", Email: "ada@acme.example"}},
	{UUID: "00000000-0000-4000-8000-000000000005", Description: "ownerless", Scopes: nil,
		CreatedAt: now.Add(-10 * span.Day), LastAccessedAt: ago(89 * span.Day)},
}

func selected(f Filter) []string {
	var out []string
	for _, t := range tokens {
		if f.Match(t, now) {
			out = append(out, t.Description)
		}
	}
	return out
}

func TestFilterMatch(t *testing.T) {
	cases := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"zero filter keeps all", Filter{}, []string{"stale bot", "never used", "terraform", "exactly 90 days", "ownerless"}},
		{"stale includes the boundary and excludes never used", Filter{StaleAfter: 90 * span.Day}, []string{"stale bot", "exactly 90 days"}},
		{"stale 1y", Filter{StaleAfter: span.Year}, []string{"stale bot"}},
		{"never used", Filter{NeverUsed: true}, []string{"never used"}},
		{"owner by exact email, any case", Filter{Owner: "ADA@acme.example"}, []string{"terraform", "exactly 90 days"}},
		{"owner by part of the name", Filter{Owner: "member"}, []string{"stale bot", "never used"}},
		{"owner email must be exact", Filter{Owner: "acme.example"}, nil},
		{"one scope", Filter{Scopes: []string{"READ_BUILDS"}}, []string{"stale bot", "never used"}},
		{"every scope must be held", Filter{Scopes: []string{"READ_BUILDS", "GRAPHQL"}}, []string{"stale bot"}},
		{"no expiry", Filter{NoExpiry: true}, []string{"stale bot", "never used", "ownerless"}},
		{"expires before, expired included", Filter{ExpiresBefore: now.Add(31 * span.Day)}, []string{"terraform", "exactly 90 days"}},
		{"expires before is strict", Filter{ExpiresBefore: now.Add(30 * span.Day)}, []string{"exactly 90 days"}},
		{"admin capable", Filter{AdminCapable: true}, []string{"terraform", "exactly 90 days"}},
		{"combined with AND", Filter{Owner: "ada", AdminCapable: true, StaleAfter: 30 * span.Day}, []string{"exactly 90 days"}},
		{"combined, nothing left", Filter{Owner: "mo@acme.example", NoExpiry: true, Scopes: []string{"GRAPHQL"}, NeverUsed: true}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := selected(c.filter); !slices.Equal(got, c.want) {
				t.Errorf("selected %q, want %q", got, c.want)
			}
		})
	}
}

func TestFilterIsZeroAndValidate(t *testing.T) {
	if !(Filter{}).IsZero() {
		t.Error("zero filter is not IsZero")
	}
	for _, f := range []Filter{{StaleAfter: span.Day}, {NeverUsed: true}, {Owner: "x"}, {Scopes: []string{"GRAPHQL"}}, {NoExpiry: true}, {ExpiresBefore: now}, {AdminCapable: true}} {
		if f.IsZero() {
			t.Errorf("%+v reported as having no condition", f)
		}
		if err := f.Validate(); err != nil {
			t.Errorf("%+v: %v", f, err)
		}
	}
	for _, c := range []struct {
		f    Filter
		want string
	}{
		{Filter{StaleAfter: span.Day, NeverUsed: true}, "--never-used"},
		{Filter{NoExpiry: true, ExpiresBefore: now}, "--expires-before"},
	} {
		if err := c.f.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one naming %s", c.f, err, c.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize(tokens, 2, now, DefaultStaleAfter)
	want := Summary{Tokens: 5, Matched: 2, NeverUsed: 1, NeverExpires: 3, Stale: 2, StaleAfter: "90d"}
	if s != want {
		t.Errorf("Summarize = %+v, want %+v", s, want)
	}
}

func TestSortApply(t *testing.T) {
	cases := []struct {
		sort string
		want []string
	}{
		{"", []string{"stale bot", "never used", "terraform", "exactly 90 days", "ownerless"}},
		{"description", []string{"exactly 90 days", "never used", "ownerless", "stale bot", "terraform"}},
		{"-description", []string{"terraform", "stale bot", "ownerless", "never used", "exactly 90 days"}},
		// Never used counts as longest ago.
		{"last-used", []string{"never used", "stale bot", "exactly 90 days", "ownerless", "terraform"}},
		{"-last-used", []string{"terraform", "ownerless", "exactly 90 days", "stale bot", "never used"}},
		// Never expiring goes last; ties fall back to uuid.
		{"expires", []string{"exactly 90 days", "terraform", "stale bot", "never used", "ownerless"}},
		{"created", []string{"stale bot", "never used", "terraform", "exactly 90 days", "ownerless"}},
		{"-created", []string{"ownerless", "exactly 90 days", "terraform", "never used", "stale bot"}},
		// No owner first, then by name; uuid breaks ties.
		{"owner", []string{"ownerless", "terraform", "exactly 90 days", "stale bot", "never used"}},
		{"uuid", []string{"stale bot", "never used", "terraform", "exactly 90 days", "ownerless"}},
		{"-uuid", []string{"ownerless", "exactly 90 days", "terraform", "never used", "stale bot"}},
	}
	for _, c := range cases {
		t.Run(c.sort, func(t *testing.T) {
			s, err := ParseSort(c.sort)
			if err != nil {
				t.Fatal(err)
			}
			if c.sort != "" && s.String() != c.sort {
				t.Errorf("String() = %q, want %q", s.String(), c.sort)
			}
			got := slices.Clone(tokens)
			s.Apply(got)
			var names []string
			for _, tk := range got {
				names = append(names, tk.Description)
			}
			if !slices.Equal(names, c.want) {
				t.Errorf("order %q, want %q", names, c.want)
			}
		})
	}
}

func TestParseSortRejects(t *testing.T) {
	for _, in := range []string{"age", "--created", "last_used", "+created"} {
		if _, err := ParseSort(in); err == nil || !strings.Contains(err.Error(), "last-used") {
			t.Errorf("ParseSort(%q) error = %v, want one listing the keys", in, err)
		}
	}
}

func TestParseScope(t *testing.T) {
	for in, want := range map[string]string{"read_builds": "READ_BUILDS", "READ_BUILDS": "READ_BUILDS", " write-teams ": "WRITE_TEAMS", "graphql": "GRAPHQL"} {
		if got, err := ParseScope(in); err != nil || got != want {
			t.Errorf("ParseScope(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, wantErr := range map[string]string{"read_bilds": "did you mean READ_BUILDS?", "admin": "scopes look like", "": "empty scope"} {
		if _, err := ParseScope(in); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseScope(%q) error = %v, want one containing %q", in, err, wantErr)
		}
	}
}

func FuzzParseSortAndScope(f *testing.F) {
	for _, s := range []string{"-last-used", "owner", "read_builds", "WRITE_TEAMS", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if srt, err := ParseSort(s); err == nil && srt.Key != "" && !slices.Contains(SortKeys, srt.Key) {
			t.Errorf("ParseSort(%q) accepted key %q", s, srt.Key)
		}
		if scope, err := ParseScope(s); err == nil && scope != strings.ToUpper(scope) {
			t.Errorf("ParseScope(%q) = %q, not a GraphQL enum name", s, scope)
		}
	})
}

// BenchmarkFilterMatch measures selecting from a 10,000-token organization
// with every filter set, the cost `revoke --stale` adds to one listing.
func BenchmarkFilterMatch(b *testing.B) {
	org := make([]buildkite.Token, 10000)
	for i := range org {
		tk := tokens[i%len(tokens)]
		tk.UUID = fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		org[i] = tk
	}
	f := Filter{StaleAfter: 30 * span.Day, Owner: "ada", Scopes: []string{"WRITE_ORGANIZATION_SETTINGS"}, ExpiresBefore: now.Add(span.Year), AdminCapable: true}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, tk := range org {
			if f.Match(tk, now) {
				n++
			}
		}
		if n == 0 {
			b.Fatal("nothing matched")
		}
	}
}

func BenchmarkSortLastUsed(b *testing.B) {
	org := make([]buildkite.Token, 10000)
	for i := range org {
		tk := tokens[i%len(tokens)]
		tk.UUID = fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		org[i] = tk
	}
	s := Sort{Key: "last-used", Desc: true}
	work := make([]buildkite.Token, len(org))
	b.ReportAllocs()
	for b.Loop() {
		copy(work, org)
		s.Apply(work)
	}
}
