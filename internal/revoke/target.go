package revoke

// Every way of naming tokens (ids, --from-file, filters, a leaked value,
// a scanner's findings, a plan's policy) yields items that carry the
// evidence that selected them, and the executor's caller asks this file,
// never the way in, whether a person must confirm.

// Evidence is what selected a token for revocation.
type Evidence string

const (
	// EvidenceNamed: the user named the token by uuid or id (--token).
	EvidenceNamed Evidence = "named"
	// EvidenceListed: the token is listed in a file (--from-file).
	EvidenceListed Evidence = "listed"
	// EvidenceValue: the user gave the token's secret value
	// (--token-value-file).
	EvidenceValue Evidence = "value"
	// EvidenceFilter: the token matched filters (--stale, --owner, ...).
	EvidenceFilter Evidence = "filter"
	// EvidenceScan: a secret scanner found the token's value (--from-scan).
	EvidenceScan Evidence = "scan"
	// EvidencePolicy: a plan's policy condemned the token (--plan).
	EvidencePolicy Evidence = "policy"
)

// NamesToken reports whether the evidence names the token itself, so
// that the user chose each token one by one. A selection (a filter, a
// scan, a policy) chose them for the user, and so, to be safe, did a way
// in that does not say what selected its tokens (no evidence).
func (e Evidence) NamesToken() bool {
	switch e {
	case EvidenceNamed, EvidenceListed, EvidenceValue:
		return true
	}
	return false
}

// Selection is how a run chose its targets: the evidence for its tokens,
// and whether the user named the organizations (or they were reached by
// listing the caller's, --all-orgs).
type Selection struct {
	Evidence Evidence
	Reached  bool
}

// NeedsYes is the one rule for a run nobody can be asked to confirm: it
// may go ahead without --yes only when the user named each token and each
// organization. A scan, a plan, a filter or --all-orgs needs --yes, as gh
// requires for what a script did not spell out.
func (s Selection) NeedsYes() bool {
	return !s.Evidence.NamesToken() || s.Reached
}

// NeedsYes reports whether the pending targets of the plans need --yes
// when nobody can be asked (see Selection.NeedsYes).
func NeedsYes(plans []*Plan) bool {
	for _, p := range plans {
		for _, it := range p.Pending() {
			if (Selection{Evidence: it.Evidence, Reached: p.Reached}).NeedsYes() {
				return true
			}
		}
	}
	return false
}
