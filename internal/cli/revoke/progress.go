package revoke

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progressLine is the line that shows how far a bulk revocation has got,
// redrawn in place on a terminal:
//
//	Revoking  40% |████████████                  | (4/10)
//
// It is drawn empty at once, redrawn at most every throttle (and always
// when the last token is done), narrowed to fit a terminal narrower than
// the line, and erased when done. It is not safe for concurrent use:
// Executor.OnResult calls it one result at a time.
type progressLine struct {
	w         io.Writer
	total     int
	done      int
	barWidth  int
	throttle  time.Duration
	now       func() time.Time
	termWidth func() int // the terminal's columns, or 0 when unknown

	lastShown time.Time
	widest    int // columns of the widest line drawn; 0 before the first
	finished  bool
}

const (
	progressLabel    = "Revoking"
	progressBarWidth = 30
	progressThrottle = 100 * time.Millisecond
)

// newProgressLine draws an empty line of total steps on w, a terminal.
func newProgressLine(w io.Writer, total int) *progressLine {
	p := &progressLine{w: w, total: total, barWidth: progressBarWidth, throttle: progressThrottle,
		now: time.Now, termWidth: func() int { return terminalColumns(w) }}
	p.draw()
	return p
}

// terminalColumns is the width of the terminal w is, or 0.
func terminalColumns(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// add counts one step done and redraws, unless the line was drawn less
// than a throttle ago and this is not the last step. The last step erases
// the line.
func (p *progressLine) add() {
	if p.finished {
		return
	}
	p.done = min(p.done+1, p.total)
	if p.done < p.total && p.now().Sub(p.lastShown) < p.throttle {
		return
	}
	p.erase()
	if p.done >= p.total {
		p.finished = true
		return
	}
	p.draw()
}

// finish erases the line, however far it got.
func (p *progressLine) finish() {
	if p.finished {
		return
	}
	p.finished = true
	p.erase()
}

func (p *progressLine) draw() {
	line := p.line()
	_, _ = io.WriteString(p.w, line)
	// Every character of the line is one column wide; the carriage
	// return takes none.
	p.widest = max(p.widest, len([]rune(line))-1)
	p.lastShown = p.now()
}

// erase overwrites the widest line drawn with spaces and returns to the
// line's start.
func (p *progressLine) erase() {
	if p.widest == 0 {
		return
	}
	_, _ = io.WriteString(p.w, "\r"+strings.Repeat(" ", p.widest)+"\r")
}

// line is the line to draw, with its leading carriage return.
func (p *progressLine) line() string {
	fraction := float64(p.done) / float64(p.total)
	percent := int(fraction * 100)
	count := fmt.Sprintf("(%d/%d)", p.done, p.total)
	width := p.barWidth
	if cols := p.termWidth(); cols > 0 {
		// The line at full width, less the carriage return.
		full := len([]rune(p.format(percent, strings.Repeat(" ", width), count))) - 1
		if full > cols {
			width = max(width-(full-cols), 0)
		}
	}
	filled := min(int(float64(percent)/100.0*float64(width)), width)
	return p.format(percent, strings.Repeat("█", filled)+strings.Repeat(" ", width-filled), count)
}

func (p *progressLine) format(percent int, bar, count string) string {
	return fmt.Sprintf("\r%s%4d%% |%s| %s ", progressLabel, percent, bar, count)
}
