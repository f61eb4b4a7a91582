package iostreams

import (
	"bufio"
	"io"
)

// outBufferSize is how much standard output gathers before it is written
// when it is not a terminal: a report of a large organization is
// hundreds of thousands of lines, which unbuffered would be as many
// write system calls.
const outBufferSize = 64 << 10

// bufferedOut is standard output gathered in a buffer. Flush writes what
// is held; IOStreams.Flush calls it when the command ends (or is
// interrupted) and before any question, so what a question is about is
// out first.
type bufferedOut struct {
	*bufio.Writer
}

func newBufferedOut(w io.Writer) *bufferedOut {
	return &bufferedOut{Writer: bufio.NewWriterSize(w, outBufferSize)}
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
