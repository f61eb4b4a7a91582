package inactivity

import (
	"context"
	"fmt"

	"github.com/tokenctl/tokenctl/internal/audit"
	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// ActionUpdate is the audit log's action for a change of period.
const ActionUpdate = "organizationRevokeInactiveTokensAfterUpdate"

// ResultUpdated is the outcome of a change Buildkite applied.
const ResultUpdated = "updated"

// Updater is the part of the API client a change needs.
type Updater interface {
	UpdateRevokeInactiveTokensAfter(ctx context.Context, org buildkite.Organization, period, clientMutationID string) (string, error)
}

// Change is a change of an organization's period.
type Change struct {
	Organization     buildkite.Organization
	From             string // the period before ("" when unset)
	To               string
	ClientMutationID string
	Caller           audit.Caller
}

// Apply makes the change, with an intent record before it and an outcome
// record after it in the audit log (log may be nil), and returns the period
// Buildkite says is now in force. Setting a period is idempotent, so an
// answer that is lost is simply asked again by the transport.
func Apply(ctx context.Context, client Updater, log *audit.Log, ch Change) (string, error) {
	rec := audit.Record{
		Event: audit.EventIntent, Action: ActionUpdate, Caller: ch.Caller,
		Organization:     audit.Organization{ID: ch.Organization.ID, Slug: ch.Organization.Slug},
		ClientMutationID: ch.ClientMutationID,
		Setting:          &audit.Setting{Name: "revokeInactiveTokensAfter", From: ch.From, To: ch.To},
	}
	if err := log.Write(rec); err != nil {
		return "", fmt.Errorf("%w; nothing was sent", err)
	}
	now, err := client.UpdateRevokeInactiveTokensAfter(ctx, ch.Organization, ch.To, ch.ClientMutationID)
	rec.Event, rec.Result = audit.EventOutcome, ResultUpdated
	// Null is what the schema allows for "no automatic revocation".
	if err == nil && now != ch.To && !(now == "" && ch.To == Never) {
		err = &buildkite.Error{Kind: buildkite.KindInvalid, Message: fmt.Sprintf("Buildkite accepted the change but says the period is now %q, not %s", now, ch.To)}
	}
	if err != nil {
		rec.Result, rec.Error = "failed", err.Error()
	}
	if auditErr := log.Write(rec); auditErr != nil && err == nil {
		return now, fmt.Errorf("the period was changed, but the outcome could not be written to the audit log: %w", auditErr)
	}
	return now, err
}
