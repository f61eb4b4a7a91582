package hygiene

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/rejection"
)

// Any policy file is either read or refused with a message that names the
// file, keeps to the rules of every refusal (no secret repeated), and
// never panics; a policy that is read judges tokens without failing.
func FuzzParsePolicy(f *testing.F) {
	f.Add(DefaultPolicyYAML)
	f.Add([]byte(okRules))
	f.Add([]byte("version: 1\nrules:\n  - {rule: scopes, scopes: [bkua_0123456789abcdef0123456789abcdef01234567], severity: error}\n"))
	f.Add([]byte(okRules + "exceptions:\n  - {token: bkua_0123456789abcdef0123456789abcdef01234567, reason: x, until: 2027-01-01}\n"))
	f.Add([]byte(okRules + "exceptions:\n  - {description: '(', reason: x, until: 'x'}\n"))
	f.Add([]byte("version: [1]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy(data, "p.yaml")
		if err != nil {
			rejection.Check(t, string(data), err, rejection.OneProblemPerLine())
			return
		}
		r := Check(p, nil, now)
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("the report of an accepted policy does not encode: %v", err)
		}
	})
}

// Any file given as a plan is read or refused, never half-trusted.
func FuzzReadPlan(f *testing.F) {
	pol := DefaultPolicy()
	good, _ := json.Marshal(NewPlan(Report{Policy: PolicyRef{Digest: pol.Digest()}}, pol, now))
	f.Add(good)
	f.Add([]byte(`{"kind": "tokenctl-revocation-plan", "schemaVersion": 2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadPlan(data, "plan.json", now, DefaultMaxPlanAge)
		if err != nil {
			rejection.Check(t, string(data), err)
			return
		}
		if p.Digest != p.digest() {
			t.Fatal("a plan whose digest does not match was read")
		}
		if p.policy == nil || p.policy.Digest() != p.PolicyDigest {
			t.Fatal("a plan was read without the policy its digest names")
		}
	})
}

// Findings ordered by their uuids' keys are ordered as their uuids.
func FuzzByTokenUUID(f *testing.F) {
	f.Add("11111111-1111-4111-8111-111111111111", "11111111-1111-4111-8111-111111111112")
	f.Add("ab", "ab\x00")
	f.Add("", "\x00")
	f.Add("abcdefgh", "abcdefg")
	f.Fuzz(func(t *testing.T, a, b string) {
		ja := judged{token: &judgedToken{ref: TokenRef{UUID: a}}, key: uuidKey(a)}
		jb := judged{token: &judgedToken{ref: TokenRef{UUID: b}}, key: uuidKey(b)}
		if got, want := byTokenUUID(&ja, &jb), strings.Compare(a, b); got != want {
			t.Errorf("%q, %q: %d, want %d", a, b, got, want)
		}
	})
}

// Text that mdText leaves as it is comes out as the full escaping makes it.
func FuzzMdText(f *testing.F) {
	for _, s := range []string{"", "Generated token 18 (stale teams)", " lead", "two  spaces", "a|b", "snake_case", "tab\there", "é", "bkua_0123456789abcdef0123456789abcdef01234567", "x@acme.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := markdownEscaper.Replace(output.Printable(strings.Join(strings.Fields(s), " ")))
		if got := mdText(s); got != want {
			t.Errorf("mdText(%q) = %q, want %q", s, got, want)
		}
	})
}
