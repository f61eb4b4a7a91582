package emulator

import "time"

// ReachedFragments lets the external tests build the per-operation
// documents genqlient sends with the emulator's own fragment walk.
var ReachedFragments = reachedFragments

// JitterDraws returns n delays drawn the way a server started with opts
// draws each request's jitter.
func JitterDraws(opts Options, n int) ([]time.Duration, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	draws := make([]time.Duration, n)
	for i := range draws {
		draws[i] = s.faults.jitter(opts.Jitter)
	}
	return draws, nil
}
