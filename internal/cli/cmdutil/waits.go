package cmdutil

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tokenctl/tokenctl/internal/redact"
	"github.com/tokenctl/tokenctl/internal/transport"
)

// LongWait is the shortest wait that tokenctl announces on stderr: a run
// that goes quiet for longer (a rate limit that says to come back in an
// hour is waited out five minutes at a time) would look hung.
const LongWait = 5 * time.Second

// WaitNotice returns what the transport, and anything else that waits
// before sending, calls as it starts a wait: one stderr line for a wait of
// LongWait or more, saying how long, what for, and that Ctrl-C stops it.
// Waits that several requests start together (concurrent revocations
// throttled at once) are announced once. The line is stderr's only, and
// redacted as all of it.
func (f *Factory) WaitNotice() func(d time.Duration, what string) {
	var mu sync.Mutex
	var announced time.Time // the end of the last wait announced
	return func(d time.Duration, what string) {
		if d < LongWait {
			return
		}
		now := time.Now
		if f.Now != nil {
			now = f.Now
		}
		until := now().Add(d)
		mu.Lock()
		defer mu.Unlock()
		if until.Before(announced.Add(LongWait)) {
			return
		}
		announced = until
		line := fmt.Sprintf("tokenctl: waiting %s %s; Ctrl-C stops the wait, and nothing more is sent\n", d.Round(time.Second), what)
		fmt.Fprint(f.IO.ErrOut, redact.Secrets(line))
	}
}

// SleepAnnounced is the factory's Sleep that first announces a long wait
// for what (see WaitNotice).
func (f *Factory) SleepAnnounced(what string) func(ctx context.Context, d time.Duration) error {
	notice := f.WaitNotice()
	sleep := f.Sleep
	if sleep == nil {
		sleep = transport.Sleep
	}
	return func(ctx context.Context, d time.Duration) error {
		notice(d, what)
		return sleep(ctx, d)
	}
}
