package emulator

import (
	"fmt"
	"strings"
)

// ListingHole is a null the schema allows in a page of a listing, where a
// client that skipped it would take part of the list for the whole.
// Buildkite documents none of them; the emulator answers one on demand
// (Options.ListingHole) on every page asked for after a cursor, so that the
// first page is whole and the listing is visibly cut.
type ListingHole string

const (
	// HoleMembersPageInfo answers the members connection's pageInfo
	// (nullable there) with null.
	HoleMembersPageInfo ListingHole = "members-page-info"
	// HoleMembersEdges answers the page's member edges with null.
	HoleMembersEdges ListingHole = "members-edges"
	// HoleMembersEdge answers the page's first member edge with null.
	HoleMembersEdge ListingHole = "members-edge"
	// HoleMembersNode answers the node of the page's first member edge
	// with null.
	HoleMembersNode ListingHole = "members-node"
	// HoleTokensEdges answers the page's token edges with null.
	HoleTokensEdges ListingHole = "tokens-edges"
	// HoleTokensEdge answers the page's first token edge with null.
	HoleTokensEdge ListingHole = "tokens-edge"
	// HoleTokensNode answers the node of the page's first token edge
	// with null.
	HoleTokensNode ListingHole = "tokens-node"
)

// ListingHoles lists every kind of hole in a listing of tokens or members,
// for tests and the flag's help.
var ListingHoles = []ListingHole{
	HoleMembersPageInfo, HoleMembersEdges, HoleMembersEdge, HoleMembersNode,
	HoleTokensEdges, HoleTokensEdge, HoleTokensNode,
}

// ParseListingHole reads a --listing-hole value: one of ListingHoles or
// AuditHoles.
func ParseListingHole(s string) (ListingHole, error) {
	var names []string
	for _, h := range append(ListingHoles[:len(ListingHoles):len(ListingHoles)], AuditHoles...) {
		if string(h) == s {
			return h, nil
		}
		names = append(names, string(h))
	}
	return "", fmt.Errorf("unknown listing hole %q: want one of %s", s, strings.Join(names, ", "))
}

// holed reports whether the page asked for with args is to have the
// listing's hole of kind ("members" or "tokens") in it.
func (s *Server) holed(kind string, args pageArgs) bool {
	return args.After != nil && strings.HasPrefix(string(s.opts.ListingHole), kind+"-")
}

// holeTokens punches the server's hole into a page of tokens.
func (s *Server) holeTokens(conn *tokenConnection, args pageArgs) {
	if !s.holed("tokens", args) {
		return
	}
	switch s.opts.ListingHole {
	case HoleTokensEdges:
		conn.nullEdges = true
	case HoleTokensEdge:
		if len(conn.edges) > 0 {
			conn.edges[0] = nil
		}
	case HoleTokensNode:
		if len(conn.edges) > 0 {
			conn.edges[0] = &tokenEdge{cursor: conn.edges[0].cursor}
		}
	}
}

// holeMembers punches the server's hole into a page of members.
func (s *Server) holeMembers(conn *memberConnection, args pageArgs) {
	if !s.holed("members", args) {
		return
	}
	switch s.opts.ListingHole {
	case HoleMembersPageInfo:
		conn.pageInfo = nil
	case HoleMembersEdges:
		conn.nullEdges = true
	case HoleMembersEdge:
		if len(conn.edges) > 0 {
			conn.edges[0] = nil
		}
	case HoleMembersNode:
		if len(conn.edges) > 0 {
			conn.edges[0] = &memberEdge{cursor: conn.edges[0].cursor}
		}
	}
}
