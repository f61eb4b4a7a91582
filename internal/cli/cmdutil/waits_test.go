package cmdutil

import (
	"strings"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// Waits of LongWait or more are announced, on the factory's clock, once
// for waits that end together; shorter ones are not; the line is redacted.
func TestWaitNotice(t *testing.T) {
	ios, _, errOut := iostreams.Test("")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	f := &Factory{IO: ios, Now: func() time.Time { return now }}
	notice := f.WaitNotice()

	notice(LongWait-time.Millisecond, "for nothing much")
	if errOut.Len() != 0 {
		t.Fatalf("a short wait was announced: %q", errOut.String())
	}
	notice(5*time.Minute, "to retry bkua_"+strings.Repeat("a1", 20))
	notice(5*time.Minute+time.Second, "as well") // a worker throttled at the same moment
	want := "tokenctl: waiting 5m0s to retry [redacted]; Ctrl-C stops the wait, and nothing more is sent\n"
	if got := errOut.String(); got != want {
		t.Fatalf("stderr = %q, want %q", got, want)
	}
	now = now.Add(5 * time.Minute) // that wait is over: the next one is news
	notice(time.Minute, "again")
	if got := strings.Count(errOut.String(), "\n"); got != 2 {
		t.Errorf("stderr = %q, want a second line", errOut.String())
	}
}
