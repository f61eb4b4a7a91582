package bench

import (
	"testing"
	"time"
)

// spans builds spans from [start, end] pairs in milliseconds.
func spans(ms ...[2]int) []Span {
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	out := make([]Span, len(ms))
	for i, m := range ms {
		out[i] = Span{Start: t0.Add(time.Duration(m[0]) * time.Millisecond), End: t0.Add(time.Duration(m[1]) * time.Millisecond)}
	}
	return out
}

func TestSequentialRoundTrips(t *testing.T) {
	cases := []struct {
		name  string
		spans []Span
		want  int
	}{
		{"nothing sent", nil, 0},
		{"one request", spans([2]int{0, 20}), 1},
		{"one after another", spans([2]int{0, 20}, [2]int{21, 41}, [2]int{42, 62}), 3},
		{"all at once", spans([2]int{0, 20}, [2]int{1, 21}, [2]int{2, 22}, [2]int{3, 23}), 1},
		{"a request sent as the previous answer arrives follows it", spans([2]int{0, 20}, [2]int{20, 40}), 2},
		{
			// Resolve: the self-check overlaps the first page; then a
			// second page, then two rounds of two mutations.
			"listing with a parallel self-check, then mutations",
			spans([2]int{0, 20}, [2]int{0, 5}, [2]int{21, 41}, [2]int{42, 62}, [2]int{42, 63}, [2]int{63, 83}, [2]int{64, 84}),
			4,
		},
		{"out of order in the log", spans([2]int{42, 62}, [2]int{0, 20}, [2]int{21, 41}), 3},
		{
			// Workers refill their slot as soon as one finishes: the chain
			// follows whichever request ended first.
			"staggered workers",
			spans([2]int{0, 20}, [2]int{10, 30}, [2]int{21, 41}, [2]int{31, 51}, [2]int{42, 62}),
			3,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := SequentialRoundTrips(tc.spans); got != tc.want {
				t.Errorf("SequentialRoundTrips = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestServerWait(t *testing.T) {
	cases := []struct {
		name  string
		spans []Span
		want  time.Duration
	}{
		{"nothing sent", nil, 0},
		{"one request", spans([2]int{0, 20}), 20 * time.Millisecond},
		// The gaps between answers and the next requests are the client's.
		{"one after another", spans([2]int{0, 20}, [2]int{25, 45}, [2]int{50, 80}), 70 * time.Millisecond},
		{"all at once: the longest", spans([2]int{0, 20}, [2]int{1, 35}, [2]int{2, 22}), 34 * time.Millisecond},
		{
			// Two pages of tokens beside three shorter pages of members:
			// the members' chain has more requests, the tokens' the
			// longer wait.
			"side by side listings",
			spans([2]int{0, 33}, [2]int{0, 21}, [2]int{22, 43}, [2]int{38, 71}, [2]int{44, 65}),
			66 * time.Millisecond,
		},
		{"out of order in the log", spans([2]int{50, 80}, [2]int{0, 20}, [2]int{25, 45}), 70 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ServerWait(tc.spans); got != tc.want {
				t.Errorf("ServerWait = %v, want %v", got, tc.want)
			}
		})
	}
}
