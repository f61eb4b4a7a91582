package gcpace

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, headroom uint64
		want           int
	}{
		{0, 16 * mib, 400},         // before any collection: Go's 4 MiB start
		{2 * mib, 16 * mib, 400},   // a heap under 4 MiB paces as 4 MiB
		{5 * mib, 16 * mib, 320},   // grows by the headroom
		{16 * mib, 16 * mib, 100},  // the headroom is the heap: doubles
		{100 * mib, 16 * mib, 100}, // a large heap doubles, as without pacing
		{4 * mib, 1 << 30, 1000},   // capped
	} {
		if got := percent(c.live, c.headroom); got != c.want {
			t.Errorf("percent(%d MiB, %d MiB) = %d, want %d", c.live/mib, c.headroom/mib, got, c.want)
		}
	}
}

// Started, the pacer sets GOGC before the first collection and again after
// each one; with GOGC in the environment it is not started.
func TestStart(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	Start(64<<20, true)
	if got := gcPercent(); got != 100 {
		t.Fatalf("with GOGC set: GOGC is %d, want it left at 100", got)
	}
	start(64 << 20)
	if got := gcPercent(); got != maxPercent {
		t.Fatalf("started: GOGC is %d, want %d", got, maxPercent)
	}
	// The finalizer that paces again runs after a collection and arms
	// itself for the next: a reset is undone after each.
	for round := range 3 {
		debug.SetGCPercent(100)
		if !pacedAgain() {
			t.Fatalf("round %d: after collections GOGC is %d, want the pacer's %d", round, gcPercent(), maxPercent)
		}
	}
}

func pacedAgain() bool {
	for range 100 {
		runtime.GC()
		runtime.Gosched()
		if gcPercent() == maxPercent {
			return true
		}
	}
	return false
}

func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}
