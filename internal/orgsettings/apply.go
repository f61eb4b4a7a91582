package orgsettings

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

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
	// Mapped is set when Address is an IPv4-mapped IPv6 address the
	// allowlist covers in one form only.
	Mapped string
}

func (e *LockoutError) Error() string {
	if e.Mapped != "" {
		return fmt.Sprintf("organization %q: Buildkite sees your requests come from %s, an IPv4-mapped IPv6 address, and the allowlist %s covers only one of its forms; Buildkite does not document which form it matches, so cover both %s and %s (or pass --allow-lockout); nothing was sent",
			e.Org, e.Address, strings.Join(e.Ranges, " "), e.Address, e.Mapped)
	}
	return fmt.Sprintf("organization %q: the allowlist %s does not admit %s, the address Buildkite sees your requests come from: it would lock this token out of the organization's API at once. Add a range that covers %s, or pass --allow-lockout if that is what you intend; nothing was sent",
		e.Org, strings.Join(e.Ranges, " "), e.Address, e.Address)
}

// UnknownAddressError is a guard that could not learn, or could not
// confirm as current, the caller's address, so could not tell whether the
// allowlist admits it.
type UnknownAddressError struct {
	Org    string
	Reason string
}

func (e *UnknownAddressError) Error() string {
	return fmt.Sprintf("organization %q: cannot confirm which address Buildkite sees your requests come from (%s), so cannot check that the allowlist keeps your access; name the address with --caller-address (it must be in the allowlist), or pass --allow-lockout to send it anyway; nothing was sent", e.Org, e.Reason)
}

// ClockSkew is how far before the run's start the caller's token may say
// it was last used and still count as used by this run: the two clocks
// (tokenctl's, Buildkite's) are not the same.
const ClockSkew = 2 * time.Minute

// CallerAddress is the address Buildkite saw the caller's requests come
// from: the ipAddress of the caller's own token (uuid, as REST
// /v2/access-token names it) in a listing of the organization, made twice
// in a row just before the change. Buildkite documents ipAddress only as
// the address of the token's last request, so the address counts only when
// it is confirmed as this run's: both listings show the same address, and
// the token's lastAccessedAt is not before runStart (less ClockSkew),
// which says the record was updated by this run's requests rather than
// kept from an older one. It is returned as Buildkite spelled it.
func CallerAddress(ctx context.Context, c *buildkite.Client, slug, callerUUID string, runStart time.Time) (netip.Addr, error) {
	first, err := listedCaller(ctx, c, slug, callerUUID)
	if err != nil {
		return netip.Addr{}, err
	}
	second, err := listedCaller(ctx, c, slug, callerUUID)
	if err != nil {
		return netip.Addr{}, err
	}
	unknown := func(format string, args ...any) error {
		return &UnknownAddressError{Org: slug, Reason: fmt.Sprintf(format, args...)}
	}
	addr, err := netip.ParseAddr(second.IPAddress)
	switch {
	case err != nil:
		return netip.Addr{}, unknown("its ipAddress is %q", second.IPAddress)
	case first.IPAddress != second.IPAddress:
		return netip.Addr{}, unknown("two listings in a row show it as %s, then %s", first.IPAddress, second.IPAddress)
	case second.LastAccessedAt == nil:
		return netip.Addr{}, unknown("the listing does not say when this token was last used, so its ipAddress %s may be an older request's", second.IPAddress)
	case second.LastAccessedAt.Before(runStart.Add(-ClockSkew)):
		return netip.Addr{}, unknown("the listing says this token was last used at %s, before this run began, so its ipAddress %s is an older request's", second.LastAccessedAt.UTC().Format(time.RFC3339), second.IPAddress)
	}
	return addr, nil
}

// listedCaller is the caller's token in a fresh listing of the
// organization.
func listedCaller(ctx context.Context, c *buildkite.Client, slug, callerUUID string) (buildkite.Token, error) {
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
		if ctx.Err() != nil {
			return buildkite.Token{}, err
		}
		return buildkite.Token{}, &UnknownAddressError{Org: slug, Reason: err.Error()}
	}
	if found == nil {
		return buildkite.Token{}, &UnknownAddressError{Org: slug, Reason: "the token tokenctl uses is not in the organization's listing"}
	}
	return *found, nil
}

// Guard refuses an allowlist that does not admit every one of addrs. An
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is admitted only when the
// allowlist covers both its forms: Buildkite does not document whether it
// matches such an address against IPv4 ranges, IPv6 ones, or both.
func Guard(slug string, allowlist []netip.Prefix, addrs ...netip.Addr) error {
	covers := func(a netip.Addr) bool {
		return slices.ContainsFunc(allowlist, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	ranges := make([]string, len(allowlist))
	for i, p := range allowlist {
		ranges[i] = p.String()
	}
	for _, addr := range addrs {
		if !addr.Is4In6() {
			if !covers(addr) {
				return &LockoutError{Org: slug, Address: addr.String(), Ranges: ranges}
			}
			continue
		}
		v4, v6 := covers(addr.Unmap()), covers(addr)
		switch {
		case !v4 && !v6:
			return &LockoutError{Org: slug, Address: addr.String(), Ranges: ranges}
		case !v4 || !v6:
			return &LockoutError{Org: slug, Address: addr.String(), Ranges: ranges, Mapped: addr.Unmap().String()}
		}
	}
	return nil
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
		// The read-back error is context only: the send error alone decides
		// how the failure is classified, so it alone is wrapped.
		return fmt.Errorf("%w; reading the settings back failed too (%v), so whether the change was applied is not known: run settings show", sendErr, out.ReadBackErr) //nolint:errorlint // see above
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
