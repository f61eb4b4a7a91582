package history

import (
	"context"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// ReconcileSource is what a reconciliation asks Buildkite: the
// organization, and its audit log.
type ReconcileSource interface {
	AuditLog
	Organization(ctx context.Context, org ident.Org) (buildkite.Organization, error)
}

// ReconcileRequest is a reconciliation of tokenctl's audit log with
// Buildkite's, for one organization.
type ReconcileRequest struct {
	// Org is the organization; its id is looked up when only the slug is
	// known (the local records name it by id).
	Org buildkite.Organization
	// Local is every change tokenctl's audit log holds; those of other
	// organizations are left out.
	Local []LocalChange
	// Since and Until bound the window read; without Since, the window
	// starts a day (slack for clocks that disagree) before the earliest
	// local change.
	Since, Until *time.Time
}

// ReconcileWith is the whole reconciliation sequence: the organization,
// its local changes, the window, Buildkite's change events in it, and the
// matching (Reconcile). The command only prints what it returns.
func ReconcileWith(ctx context.Context, src ReconcileSource, req ReconcileRequest) (ReconcileDoc, Reconciliation, error) {
	org := req.Org
	if org.ID == "" {
		var err error
		if org, err = src.Organization(ctx, ident.Org{Slug: org.Slug}); err != nil {
			return ReconcileDoc{}, Reconciliation{}, err
		}
	}
	local := InOrganization(req.Local, org)
	since := req.Since
	if since == nil && len(local) > 0 {
		t := Earliest(local).Add(-24 * time.Hour).UTC()
		since = &t
	}
	ev, err := Read(ctx, src, Query{Org: org.Slug, Types: ChangeTypes, Since: since, Until: req.Until})
	if err != nil {
		return ReconcileDoc{}, Reconciliation{}, err
	}
	r := Reconcile(local, ev.Events)
	return NewReconcileDoc(ev.Organization, since, r), r, nil
}
