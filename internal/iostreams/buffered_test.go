package iostreams

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// writesRecorder keeps every write it is given, and fails from the
// failAt'th on when failAt > 0.
type writesRecorder struct {
	writes [][]byte
	failAt int
}

var errWrite = errors.New("disk full")

func (w *writesRecorder) Write(p []byte) (int, error) {
	if w.failAt > 0 && len(w.writes)+1 >= w.failAt {
		return 0, errWrite
	}
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

func (w *writesRecorder) all() string { return string(bytes.Join(w.writes, nil)) }

func TestBufferedOutWritesEverythingInOrderInFewWrites(t *testing.T) {
	for _, sizes := range [][]int{
		{1},
		{100, 200, 300},
		{outBufferSize - 1, 1, 1},
		{outBufferSize},
		{10, outBufferSize, 10},
		{10, 3*outBufferSize + 7, 10},
		{outBufferStart, outBufferStart + 1, 2 * outBufferStart, 40000, 30000, 500},
	} {
		var rec writesRecorder
		b := newBufferedOut(&rec)
		var want strings.Builder
		for i, n := range sizes {
			chunk := strings.Repeat(string(rune('a'+i%26)), n)
			want.WriteString(chunk)
			var err error
			if i%2 == 0 {
				_, err = b.Write([]byte(chunk))
			} else {
				_, err = b.WriteString(chunk)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		if rec.all() != want.String() {
			t.Errorf("%v: wrote %d bytes, not what was given (%d)", sizes, len(rec.all()), want.Len())
		}
		if bound := want.Len()/outBufferSize + len(sizes); len(rec.writes) > bound {
			t.Errorf("%v: %d writes, want at most %d", sizes, len(rec.writes), bound)
		}
		// Only a chunk larger than the buffer is written larger.
		larger, wantLarger := 0, 0
		for _, w := range rec.writes {
			if len(w) > outBufferSize {
				larger++
			}
		}
		for _, n := range sizes {
			if n > outBufferSize {
				wantLarger++
			}
		}
		if larger != wantLarger {
			t.Errorf("%v: %d writes larger than the buffer, want %d", sizes, larger, wantLarger)
		}
	}
}

func TestBufferedOutHoldsUntilFlushAndStartsSmall(t *testing.T) {
	var rec writesRecorder
	b := newBufferedOut(&rec)
	if _, err := b.WriteString("tokenctl v1.2.3 (commit abc, built today)\n"); err != nil {
		t.Fatal(err)
	}
	if len(rec.writes) != 0 {
		t.Errorf("written before Flush: %q", rec.writes)
	}
	if cap(b.buf) > outBufferStart {
		t.Errorf("a line took a buffer of %d bytes; it starts at %d", cap(b.buf), outBufferStart)
	}
	if err := b.Flush(); err != nil || rec.all() != "tokenctl v1.2.3 (commit abc, built today)\n" {
		t.Errorf("Flush: %v, wrote %q", err, rec.all())
	}
	if err := b.Flush(); err != nil || len(rec.writes) != 1 {
		t.Errorf("a second Flush with nothing held: %v, %d writes", err, len(rec.writes))
	}
}

func TestBufferedOutKeepsTheFirstError(t *testing.T) {
	rec := &writesRecorder{failAt: 1}
	b := newBufferedOut(rec)
	if _, err := b.WriteString("held"); err != nil {
		t.Fatalf("a buffered write failed: %v", err)
	}
	if err := b.Flush(); !errors.Is(err, errWrite) {
		t.Fatalf("Flush = %v, want %v", err, errWrite)
	}
	if _, err := b.Write([]byte("more")); !errors.Is(err, errWrite) {
		t.Errorf("Write after the failure = %v", err)
	}
	if err := b.Flush(); !errors.Is(err, errWrite) {
		t.Errorf("Flush again = %v", err)
	}
	big := newBufferedOut(&writesRecorder{failAt: 1})
	if n, err := big.Write(make([]byte, outBufferSize+1)); n != 0 || !errors.Is(err, errWrite) {
		t.Errorf("a write past the buffer: %d, %v", n, err)
	}
}
