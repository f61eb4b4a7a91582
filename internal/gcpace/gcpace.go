// Package gcpace paces the garbage collector of a run that reads a large
// listing.
//
// Go collects whenever the heap has doubled since the last collection
// (GOGC=100), from a start of 4 MiB. A listing of a few thousand tokens
// allocates some 20 MiB while it holds under 10: seven collections, each
// competing with the pages being decoded (and, on a small machine, with
// the server) for the processors. Pacing lets the heap grow by at least
// a fixed headroom past what the last collection kept, so a run that
// holds little collects once or twice; once the heap kept is larger than
// the headroom, collections are as Go makes them (GOGC=100), so a run
// that holds much peaks where it did.
package gcpace

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// minHeap is the heap Go's pacing starts from (at GOGC=100).
const minHeap = 4 << 20

// maxPercent caps the GOGC pacing sets, however small the heap kept.
const maxPercent = 1000

var once sync.Once

// Start paces every collection from now on so that the heap may grow by
// headroom bytes past what the last one kept, or double, whichever is
// more. It does nothing when GOGC is set in the environment (the user's
// choice stands) or once it has started.
func Start(headroom uint64, gogcSet bool) {
	if gogcSet || headroom == 0 {
		return
	}
	once.Do(func() { start(headroom) })
}

func start(headroom uint64) {
	p := &pacer{headroom: headroom, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	p.set()
	p.arm()
}

type pacer struct {
	headroom uint64
	sample   []metrics.Sample
}

// sentinel is allocated for its finalizer alone, which runs after the
// first collection that finds it unreachable. It is larger than the
// runtime's tiny allocations, which may share a block and never be
// finalized.
type sentinel struct{ _ [16]uint64 }

// arm sets p.set to run after the next collection, and to arm again.
func (p *pacer) arm() {
	runtime.SetFinalizer(new(sentinel), func(*sentinel) {
		p.set()
		p.arm()
	})
}

// set paces the next collection from the heap the last one kept.
func (p *pacer) set() {
	metrics.Read(p.sample)
	live := uint64(0)
	if p.sample[0].Value.Kind() == metrics.KindUint64 {
		live = p.sample[0].Value.Uint64()
	}
	debug.SetGCPercent(percent(live, p.headroom))
}

// percent is the GOGC that lets a heap of live bytes grow by headroom, at
// least 100 and at most maxPercent.
func percent(live, headroom uint64) int {
	// Before the first collection nothing has been kept, and Go starts
	// from a heap of 4 MiB.
	live = max(live, minHeap)
	if headroom/live >= maxPercent/100 {
		return maxPercent
	}
	return max(100, int(headroom*100/live)) //nolint:gosec // below maxPercent: the test above returned when it was not
}
