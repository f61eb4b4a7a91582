package bench

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// memorySampler watches this process's Go heap while a scenario runs. The
// emulator lives in another process, so what it sees is tokenctl's.
type memorySampler struct {
	stop      chan struct{}
	done      chan struct{}
	peak      uint64
	allocated uint64
}

const (
	metricHeapObjects = "/memory/classes/heap/objects:bytes"
	metricAllocs      = "/gc/heap/allocs:bytes"
)

// sampleEvery is fine enough to catch a listing page being decoded (which
// takes longer than this) and cheap: reading these metrics does not stop
// the world.
const sampleEvery = time.Millisecond

// startMemorySampler collects garbage first, so the peak is what the
// scenario added to a clean heap, plus the little the bench itself holds.
func startMemorySampler() *memorySampler {
	runtime.GC()
	m := &memorySampler{stop: make(chan struct{}), done: make(chan struct{})}
	samples := []metrics.Sample{{Name: metricHeapObjects}, {Name: metricAllocs}}
	metrics.Read(samples)
	allocStart := samples[1].Value.Uint64()
	m.peak = samples[0].Value.Uint64()
	update := func() {
		metrics.Read(samples)
		m.peak = max(m.peak, samples[0].Value.Uint64())
		m.allocated = samples[1].Value.Uint64() - allocStart
	}
	go func() {
		defer close(m.done)
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			update()
			select {
			case <-m.stop:
				update()
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// finish stops sampling and returns the peak heap and the bytes allocated
// since the start.
func (m *memorySampler) finish() (peak, allocated uint64) {
	close(m.stop)
	<-m.done
	return m.peak, m.allocated
}
