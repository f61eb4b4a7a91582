package orgsettings

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// LockoutError is an allowlist that does not admit the address Buildkite
// sees tokenctl's requests come from: sent, it would shut the caller out of
// the organization's API at once.
type LockoutError struct {
	Org     string
	Address string
	Ranges  []string
}

func (e *LockoutError) Error() string {
	return fmt.Sprintf("organization %q: the allowlist %s does not admit %s, the address Buildkite sees your requests come from: it would lock this token out of the organization's API at once. Add a range that covers %s, or pass --allow-lockout if that is what you intend; nothing was sent",
		e.Org, strings.Join(e.Ranges, " "), e.Address, e.Address)
}

// UnknownAddressError is a guard that could not learn the caller's
// address, so could not tell whether the allowlist admits it.
type UnknownAddressError struct {
	Org    string
	Reason string
}

func (e *UnknownAddressError) Error() string {
	return fmt.Sprintf("organization %q: cannot tell which address Buildkite sees your requests come from (%s), so cannot check that the allowlist keeps your access; pass --allow-lockout to send it anyway", e.Org, e.Reason)
}

// CallerAddress is the address Buildkite saw the caller's last request
// come from: the ipAddress of the caller's own token (uuid, as REST
// /v2/access-token names it) in a fresh listing of the organization. The
// listing is itself a request, so the address is that of this run.
func CallerAddress(ctx context.Context, c *buildkite.Client, slug, callerUUID string) (netip.Addr, error) {
	var found *buildkite.Token
	_, err := c.ListTokens(ctx, ident.Org{Slug: slug}, func(p buildkite.TokenPage) bool {
		for i, t := range p.Tokens {
			if strings.EqualFold(t.UUID, callerUUID) {
				found = &p.Tokens[i]
				return false
			}
		}
		return true
	})
	if err != nil {
		return netip.Addr{}, &UnknownAddressError{Org: slug, Reason: err.Error()}
	}
	if found == nil {
		return netip.Addr{}, &UnknownAddressError{Org: slug, Reason: "the token tokenctl uses is not in the organization's listing"}
	}
	addr, err := netip.ParseAddr(found.IPAddress)
	if err != nil {
		return netip.Addr{}, &UnknownAddressError{Org: slug, Reason: fmt.Sprintf("its ipAddress is %q", found.IPAddress)}
	}
	return addr.Unmap(), nil
}

// Guard refuses an allowlist that does not admit addr.
func Guard(slug string, allowlist []netip.Prefix, addr netip.Addr) error {
	for _, p := range allowlist {
		if p.Contains(addr) {
			return nil
		}
	}
	ranges := make([]string, len(allowlist))
	for i, p := range allowlist {
		ranges[i] = p.String()
	}
	return &LockoutError{Org: slug, Address: addr.String(), Ranges: ranges}
}

// ActionUpdate is the audit log's action for a change of API settings.
const ActionUpdate = "apiSettingsUpdate"

// Audit results of a change.
const (
	ResultUpdated = "updated"
	ResultFailed  = "failed"
	ResultUnknown = "unknown"
	// ResultNotHeld: Buildkite accepted the change, but reading the
	// settings back shows something else than what was asked for some
	// changed field (another value, or an entry more or less).
	ResultNotHeld = "not-held"
)

// Outcome is what became of a change.
type Outcome struct {
	// After is what Buildkite holds, read back after the change; nil
	// when it could not be read.
	After *Settings
	// Result is ResultUpdated, ResultNotHeld, ResultFailed or
	// ResultUnknown.
	Result string
	// ReadBackErr is why the settings could not be read back: after an
	// allowlist, most likely that it shut the caller out.
	ReadBackErr error
	// Note says how an answer that left the outcome open was settled:
	// an error the read-back showed to be a change applied after all.
	Note string
}

// Apply sends the change (only its fields) with an intent record before it
// and an outcome record after it in the audit log (log may be nil), then
// reads the settings back. An error that leaves open whether Buildkite
// applied the change (a server error, a lost answer, a timeout) is settled
// by the read: applied is updated (with a Note), not applied is failed,
// unreadable is unknown. The error is the change's failure; a change
// Buildkite accepted whose read-back failed returns no error and says so in
// the outcome.
func Apply(ctx context.Context, c *buildkite.Client, log *audit.Log, ch Change, caller audit.Caller) (Outcome, error) {
	slug := ch.Before.Organization.Slug
	rec := audit.Record{
		Event: audit.EventIntent, Action: ActionUpdate, Caller: caller,
		Organization: audit.Organization{Slug: slug},
		Settings:     auditSettings(ch.Fields),
	}
	if err := log.Write(rec); err != nil {
		return Outcome{}, fmt.Errorf("%w; nothing was sent", err)
	}
	_, err := c.UpdateAPISettings(ctx, slug, ch.patch)
	out := Outcome{Result: ResultUpdated}
	switch {
	case err == nil:
		out.After, out.ReadBackErr = readBack(ctx, c, ch.Before.Organization)
		err = ch.checkHeld(&out)
	case outcomeOpen(err):
		out.After, out.ReadBackErr = readBack(ctx, c, ch.Before.Organization)
		err = ch.settle(&out, err)
	default:
		out.Result = ResultFailed
	}
	rec.Event, rec.Result = audit.EventOutcome, out.Result
	switch {
	case err != nil:
		rec.Error = err.Error()
	case out.Note != "":
		rec.Error = out.Note
	case out.ReadBackErr != nil:
		rec.Error = "applied; reading the settings back failed: " + out.ReadBackErr.Error()
	}
	if auditErr := log.Write(rec); auditErr != nil && err == nil {
		return out, fmt.Errorf("the settings were changed, but the outcome could not be written to the audit log: %w", auditErr)
	}
	return out, err
}

// outcomeOpen says whether err, the PATCH's failure, leaves open whether
// Buildkite applied it: a server error (it may have failed after applying),
// a lost or unreadable answer, a timeout or an interrupted wait. A refusal
// (4xx) is known not to have been applied.
func outcomeOpen(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	switch buildkite.KindOf(err) {
	case buildkite.KindOutcomeUnknown, buildkite.KindServer, buildkite.KindNetwork:
		return true
	}
	var e *buildkite.Error
	return errors.As(err, &e) && e.Status >= 500
}

// checkHeld compares an accepted change with its read-back: a field that
// does not hold what was asked makes the change not-held.
func (ch Change) checkHeld(out *Outcome) error {
	if out.After == nil {
		return nil
	}
	differ := ch.Holds(*out.After)
	if len(differ) == 0 {
		return nil
	}
	out.Result = ResultNotHeld
	return &buildkite.Error{Kind: buildkite.KindOther, Message: fmt.Sprintf("organization %q: Buildkite accepted the change, but now %s", ch.Before.Organization.Slug, strings.Join(differ, "; "))}
}

// settle decides, from the read-back, what became of a change whose PATCH
// failed with an open outcome (sendErr).
func (ch Change) settle(out *Outcome, sendErr error) error {
	if out.After == nil {
		out.Result = ResultUnknown
		return fmt.Errorf("%w; reading the settings back failed too (%v), so whether the change was applied is not known: run settings show", sendErr, out.ReadBackErr)
	}
	differ := ch.Holds(*out.After)
	switch {
	case len(differ) == 0:
		out.Result = ResultUpdated
		out.Note = fmt.Sprintf("Buildkite answered with an error (%s), but reading the settings back shows the change was applied", oneLine(sendErr.Error()))
		return nil
	case ch.unchangedIn(*out.After):
		out.Result = ResultFailed
		return fmt.Errorf("%w; reading the settings back shows the change was not applied", sendErr)
	default:
		out.Result = ResultUnknown
		return fmt.Errorf("%w; reading the settings back shows neither the settings before nor the change asked for: %s", sendErr, strings.Join(differ, "; "))
	}
}

// unchangedIn says whether now holds every changed field as it was before.
func (ch Change) unchangedIn(now Settings) bool {
	for _, f := range ch.Fields {
		if now.Describe(f.Name) != ch.Before.Describe(f.Name) {
			return false
		}
	}
	return true
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func readBack(ctx context.Context, c *buildkite.Client, org Organization) (*Settings, error) {
	a, err := c.APISettings(ctx, org.Slug)
	if err != nil {
		return nil, err
	}
	s, err := FromAPI(org, a)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func auditSettings(fields []FieldChange) []audit.Setting {
	out := make([]audit.Setting, len(fields))
	for i, f := range fields {
		out[i] = audit.Setting{Name: f.Name, From: f.From, To: f.To}
	}
	return out
}

// Reachability is whether the organization's API still answers the
// caller after a change, on each API.
type Reachability struct {
	REST    bool   `json:"rest"`
	GraphQL bool   `json:"graphql"`
	Reason  string `json:"reason,omitempty"`
}

// CheckReachable asks the organization's API once on each side: the
// settings (REST) and the organization (GraphQL). readBackErr is the
// read-back's failure, which already answered for REST.
func CheckReachable(ctx context.Context, c *buildkite.Client, slug string, readBackErr error) Reachability {
	r := Reachability{REST: readBackErr == nil}
	var reasons []string
	if readBackErr != nil {
		reasons = append(reasons, readBackErr.Error())
	}
	_, err := c.Organization(ctx, ident.Org{Slug: slug})
	r.GraphQL = err == nil
	if err != nil && !errors.Is(err, context.Canceled) {
		reasons = append(reasons, err.Error())
	}
	r.Reason = strings.Join(reasons, "; ")
	return r
}
