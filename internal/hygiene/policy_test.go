package hygiene

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestDefaultPolicyParses(t *testing.T) {
	p := DefaultPolicy()
	if !p.Default || len(p.Rules) != 8 {
		t.Fatalf("default policy: default=%v, %d rules", p.Default, len(p.Rules))
	}
	kinds := map[string]bool{}
	for _, r := range p.Rules {
		kinds[r.Kind] = true
		if r.Severity == SeverityRevoke {
			t.Errorf("rule %s: the default policy must never ask for a revocation", r.Name)
		}
	}
	for k := range ruleKinds {
		// Organization rules need another scope: documented, commented out.
		if slices.Contains(orgKinds, k) {
			if !bytes.Contains(DefaultPolicyYAML, []byte("# - rule: "+k)) || kinds[k] {
				t.Errorf("the default policy should document the %s rule in a comment, not apply it", k)
			}
			continue
		}
		if !kinds[k] {
			t.Errorf("the default policy has no %s rule; it documents every kind", k)
		}
	}
	if p.NeedsSettings() {
		t.Error("the default policy reads organizations' API settings")
	}
	if !p.NeedsMembers() {
		t.Error("the default policy has owner rules but says it needs no members")
	}
}

// Every mistake is reported with the file, the line and the field, and
// what to write instead.
func TestParsePolicyRejects(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"empty", "", []string{"p.yaml: the file is empty"}},
		{"not a mapping", "- 1\n", []string{"p.yaml: line 1: cannot unmarshal !!seq into a policy (a mapping of version, rules and exceptions)"}},
		{"no version", "rules:\n  - rule: never-used\n    after: 30d\n    severity: warn\n", []string{"p.yaml:1: version: must be 1"}},
		{"wrong version", "version: 2\nrules:\n  - {rule: no-such}\n", []string{"p.yaml:1: version: must be 1"}},
		{"no rules", "version: 1\n", []string{"the policy has no rules"}},
		{"unknown top-level field", "version: 1\nrulez: []\n", []string{"p.yaml: line 2: field rulez not found at the top level (known: version, rules, exceptions)"}},
		{"unknown rule field", "version: 1\nrules:\n  - rule: idle\n    after: 90d\n    sevrity: warn\n", []string{"line 5: field sevrity not found in a rule (known: name, rule, severity"}},
		{"unknown kind", "version: 1\nrules:\n  - rule: stale\n    severity: warn\n", []string{"p.yaml:3: rules[0]: rule \"stale\" is not a rule tokenctl knows; use one of expiring, idle, lifetime"}},
		{"bad severity", "version: 1\nrules:\n  - rule: owner-no-2fa\n    severity: critical\n", []string{"p.yaml:4: rules[0] (owner-no-2fa): severity \"critical\": use info, warn, error or revoke"}},
		{"bad duration", "version: 1\nrules:\n  - rule: idle\n    after: 3 months\n    severity: warn\n", []string{"p.yaml:4: rules[0] (idle): after: invalid duration"}},
		{"missing parameter", "version: 1\nrules:\n  - rule: expiring\n    severity: info\n", []string{"p.yaml:3: rules[0] (expiring): rule expiring needs within"}},
		{"parameter of another rule", "version: 1\nrules:\n  - rule: lifetime\n    after: 30d\n    severity: info\n", []string{"p.yaml:4: rules[0] (lifetime): after does not apply to rule lifetime (it takes max)"}},
		{"duplicate name", "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n  - {rule: idle, after: 1y, severity: revoke}\n", []string{"p.yaml:4: rules[1] (idle): another rule is already named \"idle\""}},
		{"unknown scope", "version: 1\nrules:\n  - {rule: scopes, scopes: [WRITE_ORGANISATIONS], severity: error}\n", []string{"rules[0] (scopes): scopes: unknown scope \"WRITE_ORGANISATIONS\": did you mean WRITE_ORGANIZATIONS?"}},
		{"bad owner role", "version: 1\nrules:\n  - {rule: scopes, scopes: [GRAPHQL], owner-role: owner, severity: error}\n", []string{"owner-role \"owner\": use admin or member"}},
		{"severity not a string", "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: [warn]}\n", []string{"line 3: cannot unmarshal !!seq into a severity"}},
		{"exception with two matchers", okRules + "exceptions:\n  - {token: c1000000-0000-4000-8000-000000000002, owner: a@b.example, reason: x, until: 2027-01-01}\n", []string{"p.yaml:5: exceptions[0]: give exactly one of token"}},
		{"exception without matcher", okRules + "exceptions:\n  - {reason: x, until: 2027-01-01}\n", []string{"give exactly one of token"}},
		{"exception token not a uuid", okRules + "exceptions:\n  - {token: bkua_abc, reason: x, until: 2027-01-01}\n", []string{"p.yaml:5: exceptions[0]: token \"bkua_abc\" is not a token uuid"}},
		{"exception owner not an email", okRules + "exceptions:\n  - {owner: mo, reason: x, until: 2027-01-01}\n", []string{"owner \"mo\" is not an email address"}},
		{"exception bad pattern", okRules + "exceptions:\n  - {description: 'break(', reason: x, until: 2027-01-01}\n", []string{"description \"break(\" is not a valid pattern"}},
		{"exception without reason", okRules + "exceptions:\n  - {owner: mo@x.example, until: 2027-01-01}\n", []string{"p.yaml:5: exceptions[0]: reason is required"}},
		{"exception without until", okRules + "exceptions:\n  - {owner: mo@x.example, reason: x}\n", []string{"p.yaml:5: exceptions[0]: until is required"}},
		{"exception bad until", okRules + "exceptions:\n  - owner: mo@x.example\n    reason: x\n    until: next year\n", []string{"p.yaml:7: exceptions[0]: until \"next year\""}},
		{"exception names an unknown rule", okRules + "exceptions:\n  - {owner: mo@x.example, reason: x, until: 2027-01-01, rules: [stale]}\n", []string{"p.yaml:5: rules: the policy has no rule named \"stale\" (its rules: idle)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePolicy([]byte(tt.yaml), "p.yaml")
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

const okRules = "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n"

func TestParsePolicyAcceptsSpellings(t *testing.T) {
	p, err := ParsePolicy([]byte(`version: 1
rules:
  - rule: scopes
    name: teams
    scopes: [write_teams, WRITE_ORGANIZATIONS]
    severity: error
  - {rule: idle, name: idle-a-year, after: 1y, severity: revoke}
  - {rule: lifetime, severity: info}
exceptions:
  - {description: "^break-glass", reason: on call, until: "2027-01-01T09:00:00Z", rules: [teams]}
`), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Rules[0].Scopes, ","); got != "WRITE_TEAMS,WRITE_ORGANIZATIONS" {
		t.Errorf("scopes = %s", got)
	}
	if p.Rules[1].Name != "idle-a-year" || p.Rules[2].Name != "lifetime" {
		t.Errorf("names = %s, %s", p.Rules[1].Name, p.Rules[2].Name)
	}
	if p.NeedsMembers() {
		t.Error("no owner rule, yet members are needed")
	}
	if p.Exceptions[0].Source != "p.yaml:10" {
		t.Errorf("exception source = %s", p.Exceptions[0].Source)
	}
}

// The digest follows the content, not the layout.
func TestPolicyDigest(t *testing.T) {
	a, _ := ParsePolicy([]byte(okRules), "a")
	b, _ := ParsePolicy([]byte("# a comment\nversion: 1\nrules:\n  - rule: idle\n    after: 90d\n    severity: warn\n"), "b")
	c, _ := ParsePolicy([]byte(strings.Replace(okRules, "90d", "91d", 1)), "c")
	if a.Digest() != b.Digest() {
		t.Error("same rules, different digests")
	}
	if a.Digest() == c.Digest() || !strings.HasPrefix(a.Digest(), "sha256:") {
		t.Errorf("digests %s, %s", a.Digest(), c.Digest())
	}
}

func TestParseExceptions(t *testing.T) {
	p, _ := ParsePolicy([]byte(okRules), "p.yaml")
	if err := p.ParseExceptions([]byte("version: 1\nexceptions:\n  - {owner: mo@x.example, reason: leave, until: 2027-01-01}\n"), "e.yaml"); err != nil {
		t.Fatal(err)
	}
	if len(p.Exceptions) != 1 || p.Exceptions[0].Source != "e.yaml:3" {
		t.Fatalf("exceptions = %+v", p.Exceptions)
	}
	err := p.ParseExceptions([]byte("version: 1\nrules: []\n"), "e.yaml")
	if err == nil || !strings.Contains(err.Error(), "field rules not found at the top level (known: version, exceptions)") {
		t.Errorf("err = %v", err)
	}
}

func TestDefaultPolicyYAMLIsWhatIsPrinted(t *testing.T) {
	if !bytes.Contains(DefaultPolicyYAML, []byte("version: 1")) {
		t.Fatal("the embedded default policy lost its version")
	}
}
