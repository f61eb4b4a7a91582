package hygiene

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/redact"
	"github.com/tokenctl/tokenctl/internal/selector"
	"github.com/tokenctl/tokenctl/internal/span"
)

// PolicyVersion is the only policy file version this tokenctl reads.
const PolicyVersion = 1

// DefaultPolicyYAML is the policy that applies when none is given, as
// `tokenctl check --print-default-policy` prints it.
//
//go:embed default-policy.yaml
var DefaultPolicyYAML []byte

// Severity is how much a finding matters. Error and revoke make a check
// fail; revoke also puts the token in the revocation plan.
type Severity string

const (
	SeverityInfo   Severity = "info"
	SeverityWarn   Severity = "warn"
	SeverityError  Severity = "error"
	SeverityRevoke Severity = "revoke"
)

// Severities lists every severity, worst first.
var Severities = []Severity{SeverityRevoke, SeverityError, SeverityWarn, SeverityInfo}

// rank orders severities: higher is worse.
func (s Severity) rank() int { return len(Severities) - slices.Index(Severities, s) }

// Failing reports whether a finding of this severity fails the check.
func (s Severity) Failing() bool { return s == SeverityError || s == SeverityRevoke }

// Rule kinds.
const (
	KindIdle           = "idle"
	KindNeverUsed      = "never-used"
	KindLifetime       = "lifetime"
	KindExpiring       = "expiring"
	KindScopes         = "scopes"
	KindOwnerInactive  = "owner-inactive"
	KindOwnerNo2FA     = "owner-no-2fa"
	KindOwnerNotAdmin  = "owner-not-admin"
	ownerRoleAdmin     = "admin"
	ownerRoleMember    = "member"
	policyFileExample  = "see `tokenctl check --print-default-policy` for an example"
	exceptionUntilHelp = "write YYYY-MM-DD (midnight UTC) or an RFC 3339 time"
)

// ruleKinds says, for every kind, which parameters it takes; the first is
// required when listed in required.
var ruleKinds = map[string]struct{ params, required []string }{
	KindIdle:          {params: []string{"after"}, required: []string{"after"}},
	KindNeverUsed:     {params: []string{"after"}, required: []string{"after"}},
	KindLifetime:      {params: []string{"max"}},
	KindExpiring:      {params: []string{"within"}, required: []string{"within"}},
	KindScopes:        {params: []string{"scopes", "owner-role"}, required: []string{"scopes"}},
	KindOwnerInactive: {params: []string{"after"}, required: []string{"after"}},
	KindOwnerNo2FA:    {},
	KindOwnerNotAdmin: {},
	// Organization rules (orgrules.go).
	KindOrgInactivity:         {params: []string{"max"}},
	KindOrgCreationRestricted: {},
	KindOrgAllowlist:          {params: []string{"ranges"}},
}

// Policy is a parsed, validated policy file.
type Policy struct {
	Version    int         `yaml:"version" json:"version"`
	Rules      []Rule      `yaml:"rules" json:"rules"`
	Exceptions []Exception `yaml:"exceptions" json:"exceptions"`
	// Default is true for the built-in default policy.
	Default bool `yaml:"-" json:"-"`
}

// Rule is one check: a kind, its parameters and the severity of what it
// finds. Several rules may share a kind (an idle warning at 90 days and a
// revocation at a year); each has a unique name.
type Rule struct {
	Name      string   `yaml:"name" json:"name"`
	Kind      string   `yaml:"rule" json:"rule"`
	Severity  Severity `yaml:"severity" json:"severity"`
	After     string   `yaml:"after,omitempty" json:"after,omitempty"`
	Max       string   `yaml:"max,omitempty" json:"max,omitempty"`
	Within    string   `yaml:"within,omitempty" json:"within,omitempty"`
	Scopes    []string `yaml:"scopes,omitempty" json:"scopes,omitempty"`
	OwnerRole string   `yaml:"owner-role,omitempty" json:"ownerRole,omitempty"`
	// Ranges are the CIDR ranges an org-allowlist rule wants covered.
	Ranges []string `yaml:"ranges,omitempty" json:"ranges,omitempty"`
	// OwnerKind limits a token rule to machine users' tokens
	// (machine-user) or to people's (person); empty: every token.
	OwnerKind string `yaml:"owner-kind,omitempty" json:"ownerKind,omitempty"`

	after, max, within time.Duration
	ranges             []netip.Prefix
}

// needsMembers reports whether the rule reads the owner's membership.
func (r Rule) needsMembers() bool {
	switch r.Kind {
	case KindOwnerInactive, KindOwnerNo2FA, KindOwnerNotAdmin:
		return true
	case KindScopes:
		return r.OwnerRole != ""
	}
	return false
}

// NeedsMembers reports whether any rule reads owners' memberships, so the
// organization's members must be listed.
func (p *Policy) NeedsMembers() bool { return slices.ContainsFunc(p.Rules, Rule.needsMembers) }

// Exception hides the findings of one token, of one owner's tokens, or of
// tokens whose description matches a pattern, until a date, for a reason.
type Exception struct {
	Token       string   `yaml:"token,omitempty" json:"token,omitempty"`
	Owner       string   `yaml:"owner,omitempty" json:"owner,omitempty"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Rules       []string `yaml:"rules,omitempty" json:"rules,omitempty"`
	Reason      string   `yaml:"reason" json:"reason"`
	Until       string   `yaml:"until" json:"until"`

	// Source names the file and line it came from, for the report.
	Source string `yaml:"-" json:"-"`

	until   time.Time
	pattern *regexp.Regexp
}

// matches reports whether the exception covers the finding's token, owner
// and rule.
func (e *Exception) matches(f *Finding) bool {
	if len(e.Rules) > 0 && !slices.Contains(e.Rules, f.Rule) {
		return false
	}
	switch {
	case e.Token != "":
		return strings.EqualFold(e.Token, f.Token.UUID)
	case e.Owner != "":
		return f.Owner != nil && strings.EqualFold(e.Owner, f.Owner.Email)
	default:
		return f.Token.Description != nil && e.pattern.MatchString(*f.Token.Description)
	}
}

// expired reports whether the exception no longer hides anything at now.
func (e *Exception) expired(now time.Time) bool { return !now.Before(e.until) }

// DefaultPolicy returns the built-in policy.
func DefaultPolicy() *Policy {
	p, err := ParsePolicy(DefaultPolicyYAML, "default policy")
	if err != nil {
		panic(err) // a test guards the embedded file
	}
	p.Default = true
	return p
}

// ParsePolicy reads a policy file. source names it in errors, which say the
// line and the field at fault and what to write instead.
func ParsePolicy(data []byte, source string) (*Policy, error) {
	var p Policy
	root, err := decodeStrict(data, source, &p, "a policy")
	if err != nil {
		return nil, err
	}
	errs := &problems{source: source}
	if p.Version != PolicyVersion {
		errs.add(valueLine(root, "version"), "version: must be %d (write `version: %d` at the top; %s)", PolicyVersion, PolicyVersion, policyFileExample)
	}
	if len(p.Rules) == 0 {
		errs.add(valueLine(root, "rules"), "rules: the policy has no rules; %s", policyFileExample)
	}
	names := map[string]bool{}
	ruleNodes := seqItems(root, "rules")
	for i := range p.Rules {
		validateRule(&p.Rules[i], fmt.Sprintf("rules[%d]", i), itemNode(ruleNodes, i), names, errs)
	}
	excNodes := seqItems(root, "exceptions")
	for i := range p.Exceptions {
		validateException(&p.Exceptions[i], fmt.Sprintf("exceptions[%d]", i), itemNode(excNodes, i), errs)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	if err := p.checkExceptionRules(); err != nil {
		return nil, err
	}
	return &p, nil
}

// exceptionsFile is a file of exceptions kept apart from the policy (for
// example owned by another team): `--exceptions FILE`.
type exceptionsFile struct {
	Version    int         `yaml:"version"`
	Exceptions []Exception `yaml:"exceptions"`
}

// ParseExceptions reads an exceptions file (version: 1, exceptions: [...])
// and adds its exceptions to the policy's.
func (p *Policy) ParseExceptions(data []byte, source string) error {
	var f exceptionsFile
	root, err := decodeStrict(data, source, &f, "an exceptions file")
	if err != nil {
		return err
	}
	errs := &problems{source: source}
	if f.Version != PolicyVersion {
		errs.add(valueLine(root, "version"), "version: must be %d (write `version: %d` at the top)", PolicyVersion, PolicyVersion)
	}
	nodes := seqItems(root, "exceptions")
	for i := range f.Exceptions {
		validateException(&f.Exceptions[i], fmt.Sprintf("exceptions[%d]", i), itemNode(nodes, i), errs)
	}
	if err := errs.err(); err != nil {
		return err
	}
	p.Exceptions = append(p.Exceptions, f.Exceptions...)
	return p.checkExceptionRules()
}

// checkExceptionRules refuses an exception naming a rule the policy does
// not have: it would silently hide nothing.
func (p *Policy) checkExceptionRules() error {
	var errs []error
	for _, e := range p.Exceptions {
		for _, r := range e.Rules {
			if !slices.ContainsFunc(p.Rules, func(rule Rule) bool { return rule.Name == r }) {
				errs = append(errs, fmt.Errorf("%s: rules: the policy has no rule named %q (its rules: %s)", e.Source, redact.Secrets(r), strings.Join(p.ruleNames(), ", ")))
			}
		}
	}
	return errors.Join(errs...)
}

func (p *Policy) ruleNames() []string {
	names := make([]string, len(p.Rules))
	for i, r := range p.Rules {
		names[i] = r.Name
	}
	return names
}

// Digest identifies the policy's content (rules and exceptions, not its
// layout or comments), so a report says which policy judged it.
func (p *Policy) Digest() string {
	canonical, err := json.Marshal(struct {
		Version    int         `json:"version"`
		Rules      []Rule      `json:"rules"`
		Exceptions []Exception `json:"exceptions"`
	}{p.Version, p.Rules, p.Exceptions})
	if err != nil {
		panic(err) // plain strings and slices always marshal
	}
	sum := sha256.Sum256(canonical)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// decodeStrict decodes YAML into v refusing unknown fields, and returns the
// document's root mapping for line numbers.
func decodeStrict(data []byte, source string, v any, what string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the file is empty; it must be %s (%s)", source, what, policyFileExample)
		}
		return nil, fmt.Errorf("%s: %s", source, redact.Secrets(yamlMessage(err)))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", source, redact.Secrets(yamlMessage(err)))
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: must be a YAML mapping with version and rules; %s", source, policyFileExample)
	}
	return doc.Content[0], nil
}

var yamlTypeNames = strings.NewReplacer(
	"in type hygiene.Policy", "at the top level (known: version, rules, exceptions)",
	"in type hygiene.exceptionsFile", "at the top level (known: version, exceptions)",
	"in type hygiene.Rule", "in a rule (known: name, rule, severity, after, max, within, scopes, owner-role, owner-kind, ranges)",
	"in type hygiene.Exception", "in an exception (known: token, owner, description, rules, reason, until)",
	"into hygiene.Severity", "into a severity",
	"into hygiene.Policy", "into a policy (a mapping of version, rules and exceptions)",
	"into hygiene.exceptionsFile", "into an exceptions file (a mapping of version and exceptions)",
	"into hygiene.Rule", "into a rule (a mapping)",
	"into hygiene.Exception", "into an exception (a mapping)",
	"into []hygiene.Rule", "into a list of rules",
	"into []hygiene.Exception", "into a list of exceptions",
	"yaml: ", "",
)

// yamlMessage rewords the decoder's errors ("line 4: field sevrity not found
// in type hygiene.Rule") in the policy's terms, one line.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return yamlTypeNames.Replace(strings.Join(te.Errors, "; "))
	}
	return yamlTypeNames.Replace(err.Error())
}

// problems collects validation errors, each prefixed with file and line.
type problems struct {
	source string
	list   []error
}

func (p *problems) add(line int, format string, args ...any) {
	where := p.source
	if line > 0 {
		where = fmt.Sprintf("%s:%d", p.source, line)
	}
	p.list = append(p.list, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
}

// err is every problem, one per line, with anything shaped like a token
// value redacted: a secret pasted into a policy is never repeated.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return errors.New(redact.Secrets(errors.Join(p.list...).Error()))
}

// valueLine is the line of key's value in mapping m, or of m itself.
func valueLine(m *yaml.Node, key string) int {
	if n := mappingValue(m, key); n != nil {
		return n.Line
	}
	if m != nil {
		return m.Line
	}
	return 0
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func seqItems(m *yaml.Node, key string) []*yaml.Node {
	if n := mappingValue(m, key); n != nil && n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return nil
}

func itemNode(items []*yaml.Node, i int) *yaml.Node {
	if i < len(items) {
		return items[i]
	}
	return nil
}

func validateRule(r *Rule, where string, node *yaml.Node, names map[string]bool, errs *problems) {
	// A rule's name reaches every report and plan: a secret pasted into
	// it is redacted as it is read, so that no format repeats it.
	r.Name = redact.Secrets(r.Name)
	at := func(key string) int { return valueLine(node, key) }
	spec, known := ruleKinds[r.Kind]
	if !known {
		kinds := make([]string, 0, len(ruleKinds))
		for k := range ruleKinds {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		errs.add(at("rule"), "%s: rule %q is not a rule tokenctl knows; use one of %s", where, r.Kind, strings.Join(kinds, ", "))
		return
	}
	if r.Name == "" {
		r.Name = r.Kind
	}
	where = fmt.Sprintf("%s (%s)", where, r.Name)
	if names[r.Name] {
		errs.add(at("name"), "%s: another rule is already named %q; give each rule of the same kind its own name", where, r.Name)
	}
	names[r.Name] = true
	if !slices.Contains(Severities, r.Severity) {
		errs.add(at("severity"), "%s: severity %q: use info, warn, error or revoke", where, r.Severity)
	}
	given := map[string]bool{"after": r.After != "", "max": r.Max != "", "within": r.Within != "", "scopes": len(r.Scopes) > 0, "owner-role": r.OwnerRole != "", "ranges": len(r.Ranges) > 0}
	for _, param := range []string{"after", "max", "within", "scopes", "owner-role", "ranges"} {
		switch {
		case given[param] && !slices.Contains(spec.params, param):
			errs.add(at(param), "%s: %s does not apply to rule %s (it takes %s)", where, param, r.Kind, describeParams(spec.params))
		case !given[param] && slices.Contains(spec.required, param):
			errs.add(lineOf(node), "%s: rule %s needs %s", where, r.Kind, param)
		}
	}
	duration := func(param, value string, into *time.Duration) {
		if value == "" {
			return
		}
		d, err := span.Parse(value)
		if err != nil {
			errs.add(at(param), "%s: %s: %v", where, param, err)
		}
		*into = d
	}
	duration("after", r.After, &r.after)
	duration("max", r.Max, &r.max)
	duration("within", r.Within, &r.within)
	for i, s := range r.Scopes {
		name, err := selector.ParseScope(s)
		if err != nil {
			errs.add(at("scopes"), "%s: scopes: %v", where, err)
			continue
		}
		r.Scopes[i] = name
	}
	switch r.OwnerRole {
	case "", ownerRoleAdmin, ownerRoleMember:
	default:
		errs.add(at("owner-role"), "%s: owner-role %q: use admin or member", where, r.OwnerRole)
	}
	switch r.OwnerKind {
	case "", OwnerKindMachineUser, OwnerKindPerson:
		if r.OwnerKind != "" && r.isOrgRule() {
			errs.add(at("owner-kind"), "%s: owner-kind applies to token rules, not to rule %s", where, r.Kind)
		}
	default:
		errs.add(at("owner-kind"), "%s: owner-kind %q: use %s or %s", where, r.OwnerKind, OwnerKindMachineUser, OwnerKindPerson)
	}
	validateOrgRule(r, where, at, errs)
}

func describeParams(params []string) string {
	if len(params) == 0 {
		return "no parameters"
	}
	return strings.Join(params, ", ")
}

func validateException(e *Exception, where string, node *yaml.Node, errs *problems) {
	// The reason reaches reports, and the rules it names are compared with
	// the rules' names, redacted alike (validateRule).
	e.Reason = redact.Secrets(e.Reason)
	for i, r := range e.Rules {
		e.Rules[i] = redact.Secrets(r)
	}
	at := func(key string) int { return valueLine(node, key) }
	line := lineOf(node)
	e.Source = fmt.Sprintf("%s:%d", errs.source, line)
	set := 0
	for _, v := range []string{e.Token, e.Owner, e.Description} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		errs.add(line, "%s: give exactly one of token (a token uuid), owner (an email) or description (a pattern)", where)
	}
	if e.Token != "" {
		if _, err := uuid.Parse(e.Token); err != nil || strings.Count(e.Token, "-") != 4 {
			errs.add(at("token"), "%s: token %q is not a token uuid (as the web UI and `tokenctl tokens list` show it)", where, e.Token)
		}
	}
	if e.Owner != "" && !strings.Contains(e.Owner, "@") {
		errs.add(at("owner"), "%s: owner %q is not an email address", where, e.Owner)
	}
	if e.Description != "" {
		re, err := regexp.Compile(e.Description)
		if err != nil {
			errs.add(at("description"), "%s: description %q is not a valid pattern (Go regular expression): %v", where, e.Description, err)
		}
		e.pattern = re
	}
	if strings.TrimSpace(e.Reason) == "" {
		errs.add(line, "%s: reason is required: say why the finding is accepted", where)
	}
	if e.Until == "" {
		errs.add(line, "%s: until is required (%s): an exception must end", where, exceptionUntilHelp)
	} else {
		t, err := span.ParseDate(e.Until)
		if err != nil {
			errs.add(at("until"), "%s: until %q: %s", where, e.Until, exceptionUntilHelp)
		}
		e.until = t
	}
}

// Owner kinds a token rule may be limited to (owner-kind).
const (
	OwnerKindMachineUser = "machine-user"
	OwnerKindPerson      = "person"
)

// appliesToOwner says whether the rule judges this token, by its owner's
// kind: a machine user (User.machineUser) or a person (neither a machine
// user nor a bot).
func (r Rule) appliesToOwner(t *buildkite.Token, member *buildkite.Member) bool {
	if r.OwnerKind == "" {
		return true
	}
	var machine, bot bool
	if t.Owner != nil {
		machine, bot = t.Owner.MachineUser, t.Owner.Bot
	}
	if member != nil {
		machine, bot = machine || member.User.MachineUser, bot || member.User.Bot
	}
	if r.OwnerKind == OwnerKindMachineUser {
		return machine
	}
	return !machine && !bot
}
