package selector

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// SortKeys are the orders --sort accepts; a leading "-" reverses one.
var SortKeys = []string{"uuid", "description", "owner", "created", "last-used", "expires"}

// Sort is an order over tokens. The zero Sort keeps the listing's order
// (Buildkite's, oldest token first).
type Sort struct {
	Key  string // one of SortKeys, "" for listing order
	Desc bool
}

// ParseSort reads "last-used" or "-last-used" (descending).
func ParseSort(s string) (Sort, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Sort{}, nil
	}
	key, desc := strings.CutPrefix(strings.ToLower(in), "-")
	if !slices.Contains(SortKeys, key) {
		return Sort{}, fmt.Errorf("cannot sort by %s: use one of %s, with a leading - for descending (e.g. -last-used)", redact.Quote(in), strings.Join(SortKeys, ", "))
	}
	return Sort{Key: key, Desc: desc}, nil
}

// String is the form ParseSort reads.
func (s Sort) String() string {
	if s.Desc {
		return "-" + s.Key
	}
	return s.Key
}

// Apply sorts tokens in place. Ties are broken by uuid so the order is the
// same on every run (uuids are compared as Buildkite writes them, in lower
// case; folding case here made sorting four times slower). A token never used counts as used longest ago, and one
// that never expires as expiring last: ascending last-used puts never-used
// tokens first, ascending expires puts never-expiring ones last.
func (s Sort) Apply(tokens []buildkite.Token) {
	if s.Key == "" {
		return
	}
	compare := s.compareKey()
	slices.SortFunc(tokens, func(a, b buildkite.Token) int {
		c := compare(a, b)
		if s.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a.UUID, b.UUID)
	})
}

func (s Sort) compareKey() func(a, b buildkite.Token) int {
	switch s.Key {
	case "description":
		return func(a, b buildkite.Token) int {
			return cmp.Compare(strings.ToLower(a.Description), strings.ToLower(b.Description))
		}
	case "owner":
		return func(a, b buildkite.Token) int { return cmp.Compare(ownerKey(a.Owner), ownerKey(b.Owner)) }
	case "created":
		return func(a, b buildkite.Token) int { return a.CreatedAt.Compare(b.CreatedAt) }
	case "last-used":
		return func(a, b buildkite.Token) int { return compareTimes(a.LastAccessedAt, b.LastAccessedAt, -1) }
	case "expires":
		return func(a, b buildkite.Token) int { return compareTimes(a.ExpiresAt, b.ExpiresAt, +1) }
	}
	return func(a, b buildkite.Token) int { // uuid
		return cmp.Compare(a.UUID, b.UUID)
	}
}

func ownerKey(u *buildkite.User) string {
	if u == nil {
		return ""
	}
	return strings.ToLower(u.Name + "\x00" + u.Email)
}

// compareTimes orders optional times; nilSide says where a nil goes: -1
// before every time, +1 after.
func compareTimes(a, b *time.Time, nilSide int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return nilSide
	case b == nil:
		return -nilSide
	}
	return a.Compare(*b)
}
