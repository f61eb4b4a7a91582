package transport

import (
	"testing"
	"time"
)

func TestScheduleDoublesWithinItsJitterUpToItsLastStep(t *testing.T) {
	steps := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for _, tt := range []struct {
		name   string
		random float64
		wait   func(step time.Duration) time.Duration
	}{
		{"shortest", 0, func(step time.Duration) time.Duration { return step / 2 }},
		{"middle", 0.5, func(step time.Duration) time.Duration { return step }},
		{"longest", 1 - 1e-12, func(step time.Duration) time.Duration { return 3 * step / 2 }},
	} {
		s := &schedule{step: firstStep, random: func() float64 { return tt.random }}
		for i, step := range steps {
			got, want := s.next(), tt.wait(step)
			if d := got - want; d < -time.Millisecond || d > time.Millisecond {
				t.Errorf("%s: wait %d = %s, want %s (step %s)", tt.name, i+1, got, want, step)
			}
		}
	}
}

func TestScheduleIsJittered(t *testing.T) {
	a, b := newSchedule(), newSchedule()
	same := 0
	for range 5 {
		if a.next() == b.next() {
			same++
		}
	}
	if same == 5 {
		t.Error("two schedules drew the same five waits: no jitter")
	}
}
