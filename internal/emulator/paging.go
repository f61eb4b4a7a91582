package emulator

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Connection paging shared by apiAccessTokens and Viewer.organizations.

type pageArgs struct {
	First, Last   *int32
	After, Before *string
}

// checkPageArgs enforces Buildkite's paging rules: a page size is required
// on token lists and bounded everywhere.
func checkPageArgs(field string, first, last *int32, maxPage int, required bool) error {
	if required && first == nil && last == nil {
		return newAPIError(ErrPageArgsMissing, field)
	}
	for _, a := range []struct {
		name string
		v    *int32
	}{{"first", first}, {"last", last}} {
		switch {
		case a.v == nil:
		case *a.v < 0:
			return newAPIError(ErrPageArgNegative, a.name, field)
		case int(*a.v) > maxPage:
			return newAPIError(ErrPageTooLarge, *a.v, field, a.name, maxPage)
		}
	}
	return nil
}

// paginate applies after/before, then first, then last to items identified
// by increasing sequence numbers, and reports honest pageInfo. With repeat,
// a page after a cursor starts again with the item the cursor names, as a
// server whose list grew while a client paged may hand an item out twice
// (info.repeated says it did).
func paginate(seqs []int, args pageArgs, repeat bool) (from, to int, info *pageInfo, err error) {
	repeated := false
	from, to = 0, len(seqs)
	if args.After != nil {
		after, err := decodeCursor(*args.After)
		if err != nil {
			return 0, 0, nil, err
		}
		for from < to && seqs[from] <= after {
			from++
		}
		if repeat && from > 0 && seqs[from-1] == after {
			from--
			repeated = true
		}
	}
	if args.Before != nil {
		before, err := decodeCursor(*args.Before)
		if err != nil {
			return 0, 0, nil, err
		}
		for to > from && seqs[to-1] >= before {
			to--
		}
	}
	if args.First != nil && int(*args.First) < to-from {
		to = from + int(*args.First)
	}
	if args.Last != nil && int(*args.Last) < to-from {
		from = to - int(*args.Last)
	}
	info = &pageInfo{hasPreviousPage: from > 0, hasNextPage: to < len(seqs), repeated: repeated && from < to}
	if from < to {
		info.startCursor = strPtr(encodeCursor(seqs[from]))
		info.endCursor = strPtr(encodeCursor(seqs[to-1]))
	}
	return from, to, info, nil
}

type tokenConnection struct {
	edges     []*tokenEdge
	nullEdges bool // answer edges (and nodes) with null: see ListingHole
	pageInfo  *pageInfo
}

func (c *tokenConnection) Edges() *[]*tokenEdge {
	if c.nullEdges {
		return nil
	}
	return &c.edges
}

func (c *tokenConnection) Nodes() *[]*tokenResolver {
	if c.nullEdges {
		return nil
	}
	nodes := make([]*tokenResolver, len(c.edges))
	for i, e := range c.edges {
		if e != nil {
			nodes[i] = e.node
		}
	}
	return &nodes
}
func (c *tokenConnection) PageInfo() *pageInfo { return c.pageInfo }

type tokenEdge struct {
	cursor string
	node   *tokenResolver
}

func (e *tokenEdge) Cursor() string       { return e.cursor }
func (e *tokenEdge) Node() *tokenResolver { return e.node }

type pageInfo struct {
	hasNextPage, hasPreviousPage bool
	startCursor, endCursor       *string
	// repeated: the page starts with the item its cursor named (not part
	// of the answer).
	repeated bool
}

func (p *pageInfo) HasNextPage() bool     { return p.hasNextPage }
func (p *pageInfo) HasPreviousPage() bool { return p.hasPreviousPage }
func (p *pageInfo) StartCursor() *string  { return p.startCursor }
func (p *pageInfo) EndCursor() *string    { return p.endCursor }

// Cursors carry a token's creation sequence number, not its position in the
// list, so a page boundary stays put when tokens before it are revoked while
// a client is paging.
const cursorPrefix = "cursor:"

func encodeCursor(seq int) string {
	return base64.StdEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(seq)))
}

func decodeCursor(c string) (int, error) {
	raw, err := base64.StdEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return 0, newAPIError(ErrInvalidCursor, c)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), cursorPrefix))
	if err != nil || n < 0 {
		return 0, newAPIError(ErrInvalidCursor, c)
	}
	return n, nil
}

type orgConnection struct {
	count    int32
	edges    []*orgEdge
	pageInfo *pageInfo
}

func (c *orgConnection) Count() int32        { return c.count }
func (c *orgConnection) Edges() *[]*orgEdge  { return &c.edges }
func (c *orgConnection) PageInfo() *pageInfo { return c.pageInfo }

type orgEdge struct {
	cursor string
	node   *orgResolver
}

func (e *orgEdge) Cursor() string     { return e.cursor }
func (e *orgEdge) Node() *orgResolver { return e.node }
