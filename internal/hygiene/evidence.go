package hygiene

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Evidence is the values a finding was judged on, by name. Times are RFC
// 3339 in UTC and spans are written like the policy's (400d).
type Evidence map[string]any

// FindingEvidence is a token finding's evidence. A finding judged in this
// run holds it typed, a few words rather than a map (a large organization
// has hundreds of thousands of findings), and its names and values are
// laid out only when written; a finding read back from a saved report
// holds the map it was read as. Either way it is written as the same JSON
// object, keys in order.
type FindingEvidence struct {
	rule *Rule // the rule that judged the token; nil when read back
	// What the rule's kind was judged on; see pairs.
	span    time.Duration
	at, at2 int64 // Unix seconds
	variant evidenceVariant
	more    *evidenceMore // the scope and role rules' values
	saved   Evidence      // read back from a saved report (nil: null)
}

// evidenceMore is what only the scope and role rules name.
type evidenceMore struct {
	scopes []string
	role   string
}

// evidenceVariant tells apart the shapes one kind's evidence takes.
type evidenceVariant uint8

const (
	variantTimed     evidenceVariant = iota
	variantNoExpiry                  // lifetime: the token never expires
	variantNotMember                 // owner-inactive: the owner is not a member
	variantNeverSeen                 // owner-inactive: the owner was never seen
)

// graphQLScope is the scope the not-admin rule names, shared by its findings.
var graphQLScope = []string{"GRAPHQL"}

// evidencePair is one name and its value: null, a string, a bool or a list
// of strings. A time (Unix seconds) and a span in whole days are strings
// too, laid out only when written.
type evidencePair struct {
	key    string
	kind   pairKind
	str    string
	flag   bool
	scopes []string
	n      int64 // pairUnix: seconds; pairDays: a time.Duration
}

type pairKind uint8

const (
	pairNull pairKind = iota
	pairString
	pairBool
	pairStrings
	pairUnix // a time, written as unixStamp writes it
	pairDays // a span, written as wholeDays writes it
)

func unixPair(k string, s int64) evidencePair { return evidencePair{key: k, kind: pairUnix, n: s} }
func daysPair(k string, d time.Duration) evidencePair {
	return evidencePair{key: k, kind: pairDays, n: int64(d)}
}

func strPair(k, v string) evidencePair       { return evidencePair{key: k, kind: pairString, str: v} }
func boolPair(k string, v bool) evidencePair { return evidencePair{key: k, kind: pairBool, flag: v} }
func nullPair(k string) evidencePair         { return evidencePair{key: k} }
func listPair(k string, v []string) evidencePair {
	return evidencePair{key: k, kind: pairStrings, scopes: v}
}

// optPair is a string, or null when it is empty (an unset rule field).
func optPair(k, v string) evidencePair {
	if v == "" {
		return nullPair(k)
	}
	return strPair(k, v)
}

func unixStamp(s int64) string { return stamp(time.Unix(s, 0)) }

// pairs appends the judged evidence's names and values to dst, sorted by
// name as encoding/json sorts a map's keys. Read-back evidence has none.
func (e *FindingEvidence) pairs(dst []evidencePair) []evidencePair {
	r := e.rule
	if r == nil {
		return dst
	}
	start := len(dst)
	switch r.Kind {
	case KindIdle:
		dst = append(dst, strPair("after", r.After), daysPair("idleFor", e.span), unixPair("lastAccessedAt", e.at))
	case KindNeverUsed:
		dst = append(dst, strPair("after", r.After), daysPair("age", e.span), unixPair("createdAt", e.at), nullPair("lastAccessedAt"))
	case KindLifetime:
		if e.variant == variantNoExpiry {
			dst = append(dst, unixPair("createdAt", e.at), nullPair("expiresAt"), optPair("max", r.Max))
			break
		}
		dst = append(dst, unixPair("createdAt", e.at), unixPair("expiresAt", e.at2), daysPair("lifetime", e.span), strPair("max", r.Max))
	case KindExpiring:
		dst = append(dst, boolPair("expired", e.span <= 0), unixPair("expiresAt", e.at))
		if e.span > 0 {
			dst = append(dst, daysPair("expiresIn", e.span))
		}
		dst = append(dst, strPair("within", r.Within))
	case KindScopes:
		if e.more.role != "" {
			dst = append(dst, strPair("ownerRole", e.more.role))
		}
		dst = append(dst, listPair("scopes", e.more.scopes))
	case KindOwnerInactive:
		switch e.variant {
		case variantNotMember:
			dst = append(dst, boolPair("member", false))
		case variantNeverSeen:
			dst = append(dst, strPair("after", r.After), nullPair("lastSeenAt"), boolPair("member", true))
		default:
			dst = append(dst, strPair("after", r.After), unixPair("lastSeenAt", e.at), boolPair("member", true), daysPair("unseenFor", e.span))
		}
	case KindOwnerNo2FA:
		dst = append(dst, boolPair("twoFactorEnabled", false), listPair("writeScopes", e.more.scopes))
	case KindOwnerNotAdmin:
		dst = append(dst, strPair("ownerRole", e.more.role), listPair("scopes", e.more.scopes))
	}
	// Each kind lists its names in order; keep it so whatever a kind adds.
	slices.SortFunc(dst[start:], func(a, b evidencePair) int { return strings.Compare(a.key, b.key) })
	return dst
}

// message says in words what the evidence shows.
func (e *FindingEvidence) message() string {
	r := e.rule
	switch r.Kind {
	case KindIdle:
		return fmt.Sprintf("last used %s ago (limit %s)", wholeDays(e.span), r.After)
	case KindNeverUsed:
		return fmt.Sprintf("never used, created %s ago (limit %s)", wholeDays(e.span), r.After)
	case KindLifetime:
		if e.variant == variantNoExpiry {
			return "never expires"
		}
		return fmt.Sprintf("lives %s (limit %s)", wholeDays(e.span), r.Max)
	case KindExpiring:
		if e.span <= 0 {
			return fmt.Sprintf("expired %s ago", wholeDays(-e.span))
		}
		return fmt.Sprintf("expires in %s (replace it within %s)", wholeDays(e.span), r.Within)
	case KindScopes:
		msg := "holds " + strings.Join(e.more.scopes, ", ")
		if role := e.more.role; role != "" {
			msg += fmt.Sprintf(" and its owner is %s %s", article(role), role)
		}
		return msg
	case KindOwnerInactive:
		switch e.variant {
		case variantNotMember:
			return "its owner is not a member of the organization"
		case variantNeverSeen:
			return "its owner has never been seen in the organization"
		}
		return fmt.Sprintf("its owner was last seen %s ago (limit %s)", wholeDays(e.span), r.After)
	case KindOwnerNo2FA:
		return "its owner has no two-factor authentication and the token can write"
	case KindOwnerNotAdmin:
		return "has GraphQL access and its owner is not an administrator"
	}
	return ""
}

func (p evidencePair) value() any {
	switch p.kind {
	case pairString:
		return p.str
	case pairBool:
		return p.flag
	case pairStrings:
		return p.scopes
	case pairUnix:
		return unixStamp(p.n)
	case pairDays:
		return wholeDays(time.Duration(p.n))
	}
	return nil
}

// Map is the evidence by name, as a saved report holds it.
func (e FindingEvidence) Map() Evidence {
	if e.rule == nil {
		return e.saved
	}
	ps := e.pairs(nil)
	m := make(Evidence, len(ps))
	for _, p := range ps {
		m[p.key] = p.value()
	}
	return m
}

// String writes the evidence as key=value pairs in key order.
func (e FindingEvidence) String() string { return e.Map().String() }

// MarshalJSON writes the evidence as a JSON object, keys in order, or
// null. HTML is left as it is: an encoder that escapes it does so itself.
func (e FindingEvidence) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e.Map()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads evidence back from a saved report.
func (e *FindingEvidence) UnmarshalJSON(data []byte) error {
	*e = FindingEvidence{}
	return json.Unmarshal(data, &e.saved)
}

// SavedEvidence is evidence as a saved report holds it.
func SavedEvidence(m Evidence) FindingEvidence { return FindingEvidence{saved: m} }
