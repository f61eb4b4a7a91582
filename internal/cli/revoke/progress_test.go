package revoke

import (
	"strings"
	"testing"
	"time"
)

// testProgress is a progress line of total steps on a buffer, at a clock
// the test moves, on a terminal cols wide (0: unknown).
func testProgress(total, cols int) (*progressLine, *strings.Builder, *time.Time) {
	var out strings.Builder
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &progressLine{w: &out, total: total, barWidth: progressBarWidth, throttle: progressThrottle,
		now: func() time.Time { return now }, termWidth: func() int { return cols }}
	p.draw()
	return p, &out, &now
}

const (
	blank3 = "\rRevoking   0% |                              | (0/3) "
	erase3 = "\r                                                     \r"
	one3   = "\rRevoking  33% |█████████                     | (1/3) "
	two3   = "\rRevoking  66% |███████████████████           | (2/3) "
)

func TestProgressLineDrawsEachStepAndErasesItselfAtTheEnd(t *testing.T) {
	p, out, now := testProgress(3, 0)
	for range 3 {
		*now = now.Add(progressThrottle)
		p.add()
	}
	p.finish() // already erased: nothing more
	if want := blank3 + erase3 + one3 + erase3 + two3 + erase3; out.String() != want {
		t.Errorf("drew\n%q\nwant\n%q", out.String(), want)
	}
}

func TestProgressLineIsThrottledButNotAtTheEnd(t *testing.T) {
	p, out, now := testProgress(3, 0)
	*now = now.Add(progressThrottle - time.Millisecond)
	p.add() // too soon after the empty line: not drawn
	if out.String() != blank3 {
		t.Fatalf("a step within the throttle was drawn: %q", out.String())
	}
	*now = now.Add(time.Millisecond)
	p.add() // a throttle after the last drawing: drawn, at 2 of 3
	if want := blank3 + erase3 + two3; out.String() != want {
		t.Fatalf("drew %q, want %q", out.String(), want)
	}
	p.add() // the last step, at once: erased all the same
	if want := blank3 + erase3 + two3 + erase3; out.String() != want {
		t.Errorf("the last step was throttled: %q", out.String())
	}
}

func TestProgressLineFinishedEarlyIsErasedOnce(t *testing.T) {
	p, out, now := testProgress(3, 0)
	*now = now.Add(time.Second)
	p.add()
	p.finish()
	p.finish()
	p.add()
	if want := blank3 + erase3 + one3 + erase3; out.String() != want {
		t.Errorf("drew\n%q\nwant\n%q", out.String(), want)
	}
}

func TestProgressLineFitsANarrowTerminal(t *testing.T) {
	// At 1 of 2 the line is 53 columns with the bar at its full 30.
	for _, tt := range []struct{ cols, bar int }{{0, 30}, {80, 30}, {53, 30}, {52, 29}, {40, 17}, {23, 0}, {10, 0}} {
		p, out, now := testProgress(2, tt.cols)
		*now = now.Add(time.Second)
		p.add()
		drawn := out.String()[strings.LastIndex(out.String(), "\r\r")+1:]
		want := "\rRevoking  50% |" + strings.Repeat("█", tt.bar/2) + strings.Repeat(" ", tt.bar-tt.bar/2) + "| (1/2) "
		if drawn != want {
			t.Errorf("%d columns: drew %q, want %q", tt.cols, drawn, want)
		}
	}
}
