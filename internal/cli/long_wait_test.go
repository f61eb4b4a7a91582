package cli

import (
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
)

// A rate limit that says to come back in an hour is waited out (five
// minutes at a time): tokenctl says so on stderr as the wait starts, once,
// so the run does not look hung; -o json's stdout stays a document. Short
// waits are not announced.
func TestLongWaitIsAnnounced(t *testing.T) {
	for _, tt := range []struct {
		retryAfter int
		want       string // "" for no line
	}{
		{3600, "tokenctl: waiting 5m0s to retry a request Buildkite answered with HTTP 429 Too Many Requests; Ctrl-C stops the wait, and nothing more is sent\n"},
		{2, ""},
	} {
		for _, format := range []string{"table", "json"} {
			h := newHarness(t, emulator.Options{Faults: []emulator.Fault{
				{Kind: emulator.FaultThrottle, Match: revokeMutation, Times: 1, RetryAfter: tt.retryAfter},
			}})
			r := h.run("revoke", "--org", "acme", "--token", target, "--yes", "-o", format)
			if r.code != 0 {
				t.Fatalf("retry-after %d, -o %s:\n%s", tt.retryAfter, format, r)
			}
			// The retry's wait comes first; pacing may wait again for the
			// reset the answer announced, and says so the same way.
			if tt.want == "" && r.stderr != "" || tt.want != "" && !strings.HasPrefix(r.stderr, tt.want) {
				t.Errorf("retry-after %d, -o %s: stderr:\n%s\nwant first the line %q", tt.retryAfter, format, r.stderr, tt.want)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			for _, line := range lines {
				if line != "" && !(strings.HasPrefix(line, "tokenctl: waiting ") && strings.HasSuffix(line, "; Ctrl-C stops the wait, and nothing more is sent")) {
					t.Errorf("retry-after %d, -o %s: unexpected stderr line %q", tt.retryAfter, format, line)
				}
			}
			if n := int64(len(lines)); tt.want != "" && n > h.clock.waits.Load() {
				t.Errorf("retry-after %d, -o %s: %d lines for %d waits", tt.retryAfter, format, n, h.clock.waits.Load())
			}
			if strings.Contains(r.stdout, "waiting") {
				t.Errorf("retry-after %d, -o %s: the notice is on stdout:\n%s", tt.retryAfter, format, r.stdout)
			}
			if h.clock.waits.Load() == 0 {
				t.Errorf("retry-after %d, -o %s: tokenctl never waited, so the test proves nothing", tt.retryAfter, format)
			}
		}
	}
}
