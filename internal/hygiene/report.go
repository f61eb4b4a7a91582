package hygiene

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/orgsettings"
)

// ReportSchemaVersion is the version of the JSON report. Fields are only
// ever added within a version; a change that removes or renames one gets a
// new version.
const ReportSchemaVersion = 1

// Report is the document `tokenctl check -o json` prints (see
// docs/contracts/report-schema.md).
type Report struct {
	SchemaVersion int                   `json:"schemaVersion"`
	GeneratedAt   time.Time             `json:"generatedAt"`
	Policy        PolicyRef             `json:"policy"`
	Organizations []CheckedOrganization `json:"organizations"`
	Summary       Summary               `json:"summary"`
	// Findings are worst first; with --compare, resolved ones follow.
	Findings          []Finding      `json:"findings"`
	ExceptionsApplied []ExceptionUse `json:"exceptionsApplied"`
	// Compared names the earlier report, with --compare; null otherwise.
	Compared *ComparedRef `json:"compared"`
	// NotChecked lists organizations of --all-orgs, or of repeated --org,
	// whose tokens could not be listed.
	NotChecked []NotChecked `json:"notChecked"`
	// NotListed is how many organizations of --all-orgs Buildkite counted
	// but did not list, so that none of their tokens was checked.
	NotListed int `json:"notListed"`
	// OrganizationFindings are the organization rules' findings about
	// organizations' API settings, worst first.
	OrganizationFindings []OrganizationFinding `json:"organizationFindings"`
	// SettingsNotRead are the organizations whose API settings could not
	// be read, so that their organization rules were not judged.
	SettingsNotRead []orgsettings.NotRead `json:"settingsNotRead"`
}

// PolicyRef says which policy judged the tokens.
type PolicyRef struct {
	Version int      `json:"version"`
	Digest  string   `json:"digest"`
	Default bool     `json:"default"`
	Rules   []string `json:"rules"`
}

// CheckedOrganization is one organization checked, and what was read
// from it.
type CheckedOrganization struct {
	document.OrganizationRef
	Tokens int `json:"tokens"`
	// Members is null when no rule needed them and they were not listed.
	Members *int `json:"members"`
}

// Finding statuses.
const (
	StatusOpen     = "open"     // counts, unless its owner is a bot
	StatusExcepted = "excepted" // hidden by an active exception; still counted apart
	StatusResolved = "resolved" // in the compared report, gone now (--compare)
)

// Changes since the compared report.
const (
	ChangeNew       = "new"
	ChangeUnchanged = "unchanged"
	ChangeResolved  = "resolved"
)

// Finding is one rule broken by one token.
type Finding struct {
	Organization string `json:"organization"`
	// Token is shared by the token's findings.
	Token    *TokenRef       `json:"token"`
	Owner    *OwnerRef       `json:"owner"`
	Rule     string          `json:"rule"`
	Kind     string          `json:"kind"`
	Severity Severity        `json:"severity"`
	Message  string          `json:"message"`
	Evidence FindingEvidence `json:"evidence"`
	// Bot is true when the owner is a Buildkite-managed bot user: such
	// findings are reported apart and never fail the check.
	Bot bool `json:"bot"`
	// MachineUser is true when the owner is a machine user: such findings
	// are listed apart, and count and fail like any other.
	MachineUser bool   `json:"machineUser"`
	Status      string `json:"status"`
	// Exception is the exception that hides the finding, or the expired
	// one that no longer does; null when none covers it.
	Exception *ExceptionRef `json:"exception"`
	// Change is new, unchanged or resolved with --compare; null otherwise.
	Change *string `json:"change"`
}

// Counts reports whether the finding counts against the organization:
// open, and not a bot's.
func (f Finding) Counts() bool { return f.Status == StatusOpen && !f.Bot }

// TokenRef is the token as the check saw it.
type TokenRef struct {
	ID             string     `json:"id"`
	UUID           string     `json:"uuid"`
	Description    *string    `json:"description"`
	Scopes         []string   `json:"scopes"`
	CreatedAt      time.Time  `json:"createdAt"`
	LastAccessedAt *time.Time `json:"lastAccessedAt"`
	ExpiresAt      *time.Time `json:"expiresAt"`
}

// OwnerRef is the token's owner.
type OwnerRef struct {
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Role is admin or member, null when members were not listed.
	Role *string `json:"role"`
	Bot  bool    `json:"bot"`
	// MachineUser is true for a machine user account (User.machineUser).
	MachineUser bool `json:"machineUser"`
}

// ExceptionRef is an exception as a finding names it.
type ExceptionRef struct {
	Source  string    `json:"source"`
	Reason  string    `json:"reason"`
	Until   time.Time `json:"until"`
	Expired bool      `json:"expired"`
}

// ExceptionUse is one exception of the policy and how many findings it
// covered (hid, or, when expired, no longer hid).
type ExceptionUse struct {
	Source      string    `json:"source"`
	Token       string    `json:"token,omitempty"`
	Owner       string    `json:"owner,omitempty"`
	Description string    `json:"description,omitempty"`
	Rules       []string  `json:"rules,omitempty"`
	Reason      string    `json:"reason"`
	Until       time.Time `json:"until"`
	Expired     bool      `json:"expired"`
	Findings    int       `json:"findings"`
}

// ComparedRef names the report a check was compared with.
type ComparedRef struct {
	GeneratedAt  time.Time `json:"generatedAt"`
	PolicyDigest string    `json:"policyDigest"`
}

// Summary counts the findings.
type Summary struct {
	Tokens int `json:"tokens"`
	// Open counts findings that count: open and not a bot's.
	Open       int            `json:"open"`
	BySeverity SeverityCounts `json:"bySeverity"`
	// Excepted findings are hidden by an active exception.
	Excepted int `json:"excepted"`
	// ExceptionExpired counts open findings whose exception has expired.
	ExceptionExpired int `json:"exceptionExpired"`
	// Bots counts open findings about bot users' tokens.
	Bots int `json:"bots"`
	// MachineUsers counts open findings about machine users' tokens
	// (also counted in open).
	MachineUsers int `json:"machineUsers"`
	// Failing is true when an open finding is at error or revoke severity:
	// the check exits 8.
	Failing bool        `json:"failing"`
	ByRule  []RuleCount `json:"byRule"`
	// New, Unchanged and Resolved are set with --compare.
	New       *int `json:"new"`
	Unchanged *int `json:"unchanged"`
	Resolved  *int `json:"resolved"`
}

// SeverityCounts counts open findings by severity.
type SeverityCounts struct {
	Revoke int `json:"revoke"`
	Error  int `json:"error"`
	Warn   int `json:"warn"`
	Info   int `json:"info"`
}

func (c *SeverityCounts) add(s Severity) {
	switch s {
	case SeverityRevoke:
		c.Revoke++
	case SeverityError:
		c.Error++
	case SeverityWarn:
		c.Warn++
	case SeverityInfo:
		c.Info++
	}
}

// RuleCount counts one rule's findings.
type RuleCount struct {
	Rule     string   `json:"rule"`
	Kind     string   `json:"kind"`
	Severity Severity `json:"severity"`
	Open     int      `json:"open"`
	Excepted int      `json:"excepted"`
	Bots     int      `json:"bots"`
}

func summarize(p *Policy, fs []Finding, ofs []OrganizationFinding) Summary {
	s := Summary{ByRule: []RuleCount{}}
	byRule := map[string]*RuleCount{}
	for _, r := range p.Rules {
		s.ByRule = append(s.ByRule, RuleCount{Rule: r.Name, Kind: r.Kind, Severity: r.Severity})
	}
	for i := range s.ByRule {
		byRule[s.ByRule[i].Rule] = &s.ByRule[i]
	}
	for _, f := range fs {
		rc := byRule[f.Rule]
		if rc == nil {
			// A rule the policy does not name (a saved report's): counted
			// in the totals only.
			rc = &RuleCount{}
		}
		switch {
		case f.Status == StatusExcepted:
			s.Excepted++
			rc.Excepted++
		case f.Status != StatusOpen:
		case f.Bot:
			s.Bots++
			rc.Bots++
		default:
			if f.MachineUser {
				s.MachineUsers++
			}
			s.Open++
			rc.Open++
			s.BySeverity.add(f.Severity)
			s.Failing = s.Failing || f.Severity.Failing()
			if f.Exception != nil && f.Exception.Expired {
				s.ExceptionExpired++
			}
		}
	}
	for _, f := range ofs {
		s.Open++
		if rc := byRule[f.Rule]; rc != nil {
			rc.Open++
		}
		s.BySeverity.add(f.Severity)
		s.Failing = s.Failing || f.Severity.Failing()
	}
	// Worst first, then as the policy lists them.
	slices.SortStableFunc(s.ByRule, func(a, b RuleCount) int { return b.Severity.rank() - a.Severity.rank() })
	return s
}

// findingKey identifies a finding across runs: organization, token, rule.
func findingKey(f Finding) string { return f.Organization + "\x00" + f.Token.UUID + "\x00" + f.Rule }

// ReadReport reads a report written by `tokenctl check -o json`, for
// --compare.
func ReadReport(data []byte, source string) (*Report, error) {
	var r struct {
		Report
		Error *json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not a tokenctl check JSON report (%w); write one with `tokenctl check -o json`", source, err)
	}
	if r.SchemaVersion == 0 {
		return nil, fmt.Errorf("%s: not a tokenctl check JSON report (no schemaVersion); write one with `tokenctl check -o json`", source)
	}
	if r.SchemaVersion != ReportSchemaVersion {
		return nil, fmt.Errorf("%s: report schemaVersion %d, this tokenctl reads %d", source, r.SchemaVersion, ReportSchemaVersion)
	}
	if r.Error != nil {
		return nil, fmt.Errorf("%s: %w", source, ErrFailureDocument)
	}
	r.recount()
	return &r.Report, nil
}

// recount derives a saved report's summary from its findings again, so
// that what the file's summary says (a "failing": false beside findings at
// error severity, counts that do not add up) decides neither the verdict
// nor the exit status of anything that reads it back.
func (r *Report) recount() {
	rules := make([]Rule, len(r.Summary.ByRule))
	for i, rc := range r.Summary.ByRule {
		rules[i] = Rule{Name: rc.Rule, Kind: rc.Kind, Severity: rc.Severity}
	}
	fresh := summarize(&Policy{Rules: rules}, r.Findings, r.OrganizationFindings)
	fresh.Tokens, fresh.New, fresh.Unchanged, fresh.Resolved = r.Summary.Tokens, r.Summary.New, r.Summary.Unchanged, r.Summary.Resolved
	r.Summary = fresh
}

// Failing says whether an open finding that counts (not excepted, not a
// bot's) is at error or revoke severity: the check fails, exit 8. It is
// read from the findings, never from the summary.
func (r Report) Failing() bool {
	for _, f := range r.Findings {
		if f.Status == StatusOpen && !f.Bot && f.Severity.Failing() {
			return true
		}
	}
	for _, f := range r.OrganizationFindings {
		if f.Severity.Failing() {
			return true
		}
	}
	return false
}

// Compare marks each finding new or unchanged against prev, and adds prev's
// findings that are gone as resolved (after the others).
func (r *Report) Compare(prev *Report) error {
	if prev == nil {
		return errors.New("no report to compare with")
	}
	before := make(map[string]bool, len(prev.Findings))
	for _, f := range prev.Findings {
		if f.Status != StatusResolved {
			before[findingKey(f)] = true
		}
	}
	now := make(map[string]bool, len(r.Findings))
	newCount, unchanged, resolved := 0, 0, 0
	for i := range r.Findings {
		f := &r.Findings[i]
		key := findingKey(*f)
		now[key] = true
		change := ChangeNew
		if before[key] {
			change = ChangeUnchanged
			unchanged++
		} else {
			newCount++
		}
		f.Change = &change
	}
	// Only what was checked in both runs can be resolved: a finding of an
	// organization not checked this time is not known to be gone.
	checked := make(map[string]bool, len(r.Organizations))
	for _, o := range r.Organizations {
		checked[o.Slug] = true
	}
	for _, f := range prev.Findings {
		if f.Status == StatusResolved || now[findingKey(f)] || !checked[f.Organization] {
			continue
		}
		change := ChangeResolved
		f.Status, f.Change = StatusResolved, &change
		r.Findings = append(r.Findings, f)
		resolved++
	}
	r.Summary.New, r.Summary.Unchanged, r.Summary.Resolved = &newCount, &unchanged, &resolved
	r.Compared = &ComparedRef{GeneratedAt: prev.GeneratedAt, PolicyDigest: prev.Policy.Digest}
	return nil
}

// Complete reports whether every organization meant to be checked was:
// none not checked, none Buildkite did not list.
func (r Report) Complete() bool { return len(r.NotChecked) == 0 && r.NotListed == 0 }

// Missed reports whether the check missed organizations it was meant to
// read: some Buildkite did not list, or some not checked, whatever the
// cause (an organization the caller belongs to but may not read is one
// whose tokens nobody checked; as revoke.OrgsPlan.Missed).
func (r Report) Missed() bool { return !r.Complete() }

// WriteJSON writes the report as `tokenctl check -o json` prints it: the
// same bytes as an indented encoding of the whole document, but written
// one finding at a time, so a report of a large organization is never
// held in memory twice over.
func (r Report) WriteJSON(w io.Writer) error {
	findings := r.Findings
	r.Findings = []Finding{}
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	// The empty list stands where the findings go.
	const empty = "\n  \"findings\": [],\n"
	before, after, ok := bytes.Cut(head.Bytes(), []byte(empty))
	if !ok {
		return errors.New("report: no place for the findings in the encoded document")
	}
	if len(findings) == 0 {
		_, err := w.Write(head.Bytes())
		return err
	}
	// bufio keeps the first write error and Flush returns it.
	bw := bufio.NewWriterSize(w, 64<<10)
	_, _ = bw.Write(before)
	_, _ = bw.WriteString("\n  \"findings\": [\n")
	if err := writeFindings(bw, findings); err != nil {
		return err
	}
	_, _ = bw.WriteString("  ],\n")
	_, _ = bw.Write(after)
	return bw.Flush()
}

// findingsChunk is how many findings one buffer of writeFindings holds.
const findingsChunk = 256

// writeFindings writes the findings of the report's list, one a line. What
// is left of a check after its last page is mostly this, while the server
// has nothing more to send: the chunks of findings are laid out on every
// processor at once (each worker its own chunks, in turn) and written in
// order.
func writeFindings(w io.Writer, findings []Finding) error {
	chunks := (len(findings) + findingsChunk - 1) / findingsChunk
	workers := min(runtime.GOMAXPROCS(0), 4, chunks)
	type laid struct {
		b   []byte
		err error
	}
	done := make(chan struct{})
	defer close(done)
	out, free := make([]chan laid, workers), make([]chan []byte, workers)
	for k := range workers {
		out[k], free[k] = make(chan laid, 2), make(chan []byte, 2)
		free[k] <- make([]byte, 0, 256<<10)
		free[k] <- make([]byte, 0, 256<<10)
		go func() {
			fw := findingJSON{}
			for c := k; c < chunks; c += workers {
				select {
				case fw.b = <-free[k]:
				case <-done:
					return
				}
				fw.b = fw.b[:0]
				for i := c * findingsChunk; i < min((c+1)*findingsChunk, len(findings)); i++ {
					fw.b = append(fw.b, "    "...)
					fw.finding(&findings[i])
					if i < len(findings)-1 {
						fw.b = append(fw.b, ',')
					}
					fw.b = append(fw.b, '\n')
				}
				out[k] <- laid{fw.b, fw.err}
			}
		}()
	}
	for c := range chunks {
		k := c % workers
		l := <-out[k]
		if l.err != nil {
			return l.err
		}
		_, _ = w.Write(l.b)
		free[k] <- l.b
	}
	return nil
}
