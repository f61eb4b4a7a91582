package iostreams

import (
	"io"
)

// outBufferSize is how much standard output gathers before it is written
// when it is not a terminal: a report of a large organization is
// hundreds of thousands of lines, which unbuffered would be as many
// write system calls.
const outBufferSize = 64 << 10

// outBufferStart is the buffer's first size: it doubles as output comes,
// up to outBufferSize, so that a command that prints a line (tokenctl
// version) does not pay at start-up for a buffer sized for a report.
const outBufferStart = 4 << 10

// bufferedOut is standard output gathered in a buffer. Flush writes what
// is held; IOStreams.Flush calls it when the command ends (or is
// interrupted) and before any question, so what a question is about is
// out first. The first error writing it meets is returned then and by
// every later Write and Flush.
type bufferedOut struct {
	w   io.Writer
	buf []byte
	err error
}

func newBufferedOut(w io.Writer) *bufferedOut { return &bufferedOut{w: w} }

func (b *bufferedOut) Write(p []byte) (int, error) {
	if err := b.makeRoom(len(p)); err != nil {
		return 0, err
	}
	if len(p) >= outBufferSize {
		return b.writeOut(p)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *bufferedOut) WriteString(s string) (int, error) {
	if err := b.makeRoom(len(s)); err != nil {
		return 0, err
	}
	if len(s) >= outBufferSize {
		return b.writeOut([]byte(s))
	}
	b.buf = append(b.buf, s...)
	return len(s), nil
}

// makeRoom gets the buffer ready to take n more bytes: it writes out what
// it holds when they would not fit in outBufferSize (and when they are as
// much by themselves, which are then written past it), and grows it to
// hold them when they would.
func (b *bufferedOut) makeRoom(n int) error {
	if b.err != nil {
		return b.err
	}
	if n >= outBufferSize || len(b.buf)+n > outBufferSize {
		if err := b.Flush(); err != nil || n >= outBufferSize {
			return err
		}
	}
	if need := len(b.buf) + n; need > cap(b.buf) {
		size := max(cap(b.buf), outBufferStart)
		for size < need {
			size *= 2
		}
		grown := make([]byte, len(b.buf), min(size, outBufferSize))
		copy(grown, b.buf)
		b.buf = grown
	}
	return nil
}

// writeOut writes p past the buffer, which is empty.
func (b *bufferedOut) writeOut(p []byte) (int, error) {
	n, err := b.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	b.err = err
	return n, err
}

// Flush writes out what the buffer holds.
func (b *bufferedOut) Flush() error {
	if b.err != nil || len(b.buf) == 0 {
		return b.err
	}
	if _, err := b.writeOut(b.buf); err != nil {
		return err
	}
	b.buf = b.buf[:0]
	return nil
}

// Flush writes out what standard output holds. It returns the first error
// writing it met, then and on every later call; nil when Out is not
// buffered.
func (s *IOStreams) Flush() error {
	if b, ok := s.Out.(*bufferedOut); ok {
		return b.Flush()
	}
	return nil
}

// SetBufferedOut gathers what is written to Out in a buffer until Flush
// (tests of the buffering).
func (s *IOStreams) SetBufferedOut() {
	if _, ok := s.Out.(*bufferedOut); !ok {
		s.Out = newBufferedOut(s.Out)
	}
}
