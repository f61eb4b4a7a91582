package emulator

// Holes in a page of the audit log (see ListingHole): a client that skipped
// one would take part of the log for the whole, and report a revocation
// the hole hid as one Buildkite has no record of.
const (
	// HoleAuditPageInfo answers the audit events connection's pageInfo
	// (nullable there) with null.
	HoleAuditPageInfo ListingHole = "audit-page-info"
	// HoleAuditEdges answers the page's event edges with null.
	HoleAuditEdges ListingHole = "audit-edges"
	// HoleAuditEdge answers the page's first event edge with null.
	HoleAuditEdge ListingHole = "audit-edge"
	// HoleAuditNode answers the node of the page's first event edge with
	// null.
	HoleAuditNode ListingHole = "audit-node"
	// HoleAuditSubject answers the subject (nullable) of the page's first
	// event with null: which token it is about cannot be told.
	HoleAuditSubject ListingHole = "audit-subject"
)

// AuditHoles lists every kind of hole in a page of the audit log.
var AuditHoles = []ListingHole{HoleAuditPageInfo, HoleAuditEdges, HoleAuditEdge, HoleAuditNode, HoleAuditSubject}

// holeAudit punches the server's hole into a page of audit events.
func (s *Server) holeAudit(conn *auditEventConnection, args auditEventsArgs) {
	if args.After == nil {
		return
	}
	switch s.opts.ListingHole {
	case HoleAuditPageInfo:
		conn.pageInfo = nil
	case HoleAuditEdges:
		conn.nullEdges = true
	case HoleAuditEdge:
		if len(conn.edges) > 0 {
			conn.edges[0] = nil
		}
	case HoleAuditNode:
		if len(conn.edges) > 0 {
			conn.edges[0] = &auditEventEdge{cursor: conn.edges[0].cursor}
		}
	case HoleAuditSubject:
		if len(conn.edges) > 0 {
			conn.edges[0].node.noSubject = true
		}
	}
}
