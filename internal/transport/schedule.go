package transport

import (
	"math/rand/v2"
	"time"
)

// The retry schedule: the first wait is about half a second, each further
// one about twice the last, up to about 30 seconds.
const (
	firstStep = 500 * time.Millisecond
	lastStep  = 30 * time.Second
)

// schedule hands out the waits between attempts: the step doubles from
// firstStep up to lastStep, and each wait is drawn uniformly from half to
// one and a half times its step, so that workers that failed together do
// not retry in lockstep.
type schedule struct {
	step   time.Duration
	random func() float64 // in [0, 1)
}

func newSchedule() *schedule { return &schedule{step: firstStep, random: rand.Float64} }

// next is the wait before the next attempt.
func (s *schedule) next() time.Duration {
	step := s.step
	s.step = min(2*step, lastStep)
	spread := float64(step) // from step/2 to 3*step/2, both included
	return step/2 + time.Duration(s.random()*(spread+1))
}
