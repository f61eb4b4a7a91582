package emulator

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Request is one entry of the request log: what a client asked for and how
// the emulator answered. Tests count requests by kind and operation to prove
// a client retried, paged or stopped as it should.
type Request struct {
	Time          time.Time
	Method, Path  string
	Kind          string // "graphql" or "rest"; "" for unknown paths
	Operation     string // GraphQL operation name, or e.g. "GET /v2/access-token"
	OperationType string // "query", "mutation" or "" (REST, unparsable documents)
	Status        int    // 0 when a fault dropped the connection without answering
	Caller        string // uuid of the caller's token, "" when unauthenticated
	Complexity    int
	Fault         string // kinds of the faults that fired, comma-separated
}

// Request kinds.
const (
	KindGraphQL = "graphql"
	KindREST    = "rest"
)

type requestLog struct {
	mu      sync.Mutex
	entries []Request

	inFlight    atomic.Int64
	maxInFlight atomic.Int64
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	l.entries = append(l.entries, r)
	l.mu.Unlock()
}

// enter counts a request in flight and returns the function that counts it
// out.
func (l *requestLog) enter() func() {
	n := l.inFlight.Add(1)
	for {
		m := l.maxInFlight.Load()
		if n <= m || l.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	return func() { l.inFlight.Add(-1) }
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return slices.Clone(s.log.entries)
}

// ResetRequests empties the request log and the in-flight high-water mark.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	s.log.entries = nil
	s.log.mu.Unlock()
	s.log.maxInFlight.Store(s.log.inFlight.Load())
}

// CountRequests counts logged requests for which filter returns true; a nil
// filter counts them all.
func (s *Server) CountRequests(filter func(Request) bool) int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	n := 0
	for _, r := range s.log.entries {
		if filter == nil || filter(r) {
			n++
		}
	}
	return n
}

// MaxInFlight is the largest number of requests the server was handling at
// once since it started or since ResetRequests. A request counts from its
// arrival until its answer starts being written.
func (s *Server) MaxInFlight() int { return int(s.log.maxInFlight.Load()) }
