package bench

import (
	"slices"
	"time"
)

// SequentialRoundTrips is the length of the longest chain of requests in
// which each one arrived after the previous one was answered: the round
// trips a run had to wait for one after another, whatever else overlapped
// them. Latency multiplies this number, not the request count.
func SequentialRoundTrips(spans []Span) int {
	byEnd := slices.Clone(spans)
	slices.SortFunc(byEnd, func(a, b Span) int { return a.End.Compare(b.End) })
	// chain[i] is the longest chain ending with byEnd[i]; best[i] is the
	// longest among byEnd[:i+1]. A request can follow every request that
	// ended before it arrived, which is a prefix of byEnd.
	chain := make([]int, len(byEnd))
	best := make([]int, len(byEnd))
	for i, s := range byEnd {
		before := endedBefore(byEnd[:i], s.Start)
		chain[i] = 1
		if before > 0 {
			chain[i] += best[before-1]
		}
		best[i] = chain[i]
		if i > 0 {
			best[i] = max(best[i], best[i-1])
		}
	}
	if len(best) == 0 {
		return 0
	}
	return best[len(best)-1]
}

// endedBefore counts the spans (sorted by end) that ended no later than t.
func endedBefore(byEnd []Span, t time.Time) int {
	n, _ := slices.BinarySearchFunc(byEnd, t, func(s Span, t time.Time) int {
		if s.End.After(t) {
			return 1
		}
		return -1
	})
	return n
}

// ServerWait is how long the longest chain of requests, each sent after
// the previous one was answered, kept the client waiting: the sum of the
// chain's spans, from a request's arrival to the end of its answer, so the
// added latency and the server's own work on each answer. It is the floor
// measured in the run itself: a client that cost nothing would still wait
// this long for the same requests sent the same way, at the same moment,
// however loaded the machine. What a run takes beyond it is the client's
// own time (and the network's, nil on loopback).
func ServerWait(spans []Span) time.Duration {
	byEnd := slices.Clone(spans)
	slices.SortFunc(byEnd, func(a, b Span) int { return a.End.Compare(b.End) })
	// best[i] is the longest wait of a chain among byEnd[:i+1] (see
	// SequentialRoundTrips, which counts where this adds up).
	best := make([]time.Duration, len(byEnd))
	for i, s := range byEnd {
		chain := s.End.Sub(s.Start)
		if before := endedBefore(byEnd[:i], s.Start); before > 0 {
			chain += best[before-1]
		}
		best[i] = chain
		if i > 0 {
			best[i] = max(best[i], best[i-1])
		}
	}
	if len(best) == 0 {
		return 0
	}
	return best[len(best)-1]
}
