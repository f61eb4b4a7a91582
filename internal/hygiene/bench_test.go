package hygiene

import (
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// largeOrganization is 5,000 tokens of 1,000 members with a mix of
// findings under the default policy.
func largeOrganization() Organization {
	o := Organization{Organization: acme}
	for i := range 1000 {
		u := buildkite.User{UUID: fmt.Sprintf("user-%d", i), Name: fmt.Sprintf("User %d", i), Email: fmt.Sprintf("u%d@acme.example", i)}
		role := "MEMBER"
		if i%10 == 0 {
			role = "ADMIN"
		}
		o.Members = append(o.Members, buildkite.Member{User: u, Role: role, LastSeenAt: daysAgo(i % 200), TwoFactorEnabled: i%3 != 0})
		for j := range 5 {
			owner := u
			t := token(fmt.Sprintf("%08d-0000-4000-8000-%012d", i, j), func(t *buildkite.Token) {
				t.Owner = &owner
				t.Scopes = [][]string{{"READ_BUILDS"}, {"GRAPHQL", "WRITE_BUILDS"}, {"WRITE_TEAMS"}, {"READ_AGENTS"}, {"GRAPHQL"}}[j]
				if (i+j)%4 == 0 {
					t.LastAccessedAt = daysAgo(100 + i%300)
				}
				if (i+j)%5 == 0 {
					t.ExpiresAt = nil
				}
			})
			o.Tokens = append(o.Tokens, t)
		}
	}
	return o
}

// BenchmarkCheck is the work a check does after the listings: judging
// 5,000 tokens and writing the JSON report.
func BenchmarkCheck(b *testing.B) {
	p := DefaultPolicy()
	orgs := []Organization{largeOrganization()}
	at := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		r := Check(p, orgs, at)
		if err := r.WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(r.Findings)), "findings")
	}
}

// BenchmarkMarkdown is the Markdown summary of a check of 5,000 tokens:
// far more findings than the summary's 1 MiB holds.
func BenchmarkMarkdown(b *testing.B) {
	r := Check(DefaultPolicy(), []Organization{largeOrganization()}, time.Now())
	b.ReportAllocs()
	for b.Loop() {
		if md := r.Markdown(AnnotationLimit); len(md) == 0 {
			b.Fatal("no Markdown")
		}
	}
}

// BenchmarkJudgePages is what a check of 5,000 tokens does page by page
// while the listing goes on (judging pages of 500), and then what is left
// after the last page: laying the findings out in order.
func BenchmarkJudgePages(b *testing.B) {
	p := DefaultPolicy()
	o := largeOrganization()
	at := checkTime(time.Now())
	b.ReportAllocs()
	for b.Loop() {
		j := newOrgFindings(p, at, o.Members)
		for page := range slices.Chunk(o.Tokens, 500) {
			j.add(o.Organization, page)
		}
		orgs := []Organization{{Organization: o.Organization, Members: o.Members, judged: j}}
		if fs := findingsInOrder(p, orgs, []*orgFindings{j}); len(fs) == 0 {
			b.Fatal("no findings")
		}
	}
}

// BenchmarkWriteJSON is writing the JSON report of a check of 5,000
// tokens, what is left of a check -o json after the last page.
func BenchmarkWriteJSON(b *testing.B) {
	r := Check(DefaultPolicy(), []Organization{largeOrganization()}, time.Now())
	b.ReportAllocs()
	for b.Loop() {
		if err := r.WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
