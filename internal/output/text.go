package output

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tokenctl/tokenctl/internal/redact"
)

// Printable returns s with every character that could act on a terminal
// instead of being shown replaced by a visible escape: C0 and C1 control
// characters (ESC starts the sequences that move the cursor, clear lines
// or recolour text), DEL, and the invisible format characters (bidi
// overrides such as U+202E, zero-width spaces and joiners) that can
// reorder or hide text. Anyone with a Buildkite account chooses a token's
// description and their own name, and those reach the tables an
// administrator confirms against, so what the table shows must be what
// the data says. Characters are escaped as in a JSON string (\t, \n, \r,
// \uNNNN), so escaped JSON is still the same JSON; invalid UTF-8 bytes,
// which JSON cannot hold, become \xNN. Anything shaped like a token value
// is first replaced by redact.Secrets: a table, a report or a hint never
// repeats one, wherever the text came from.
func Printable(s string) string {
	p, _ := printable(s)
	return p
}

// printable is Printable(s), and whether it is printable ASCII, a column
// a byte.
func printable(s string) (string, bool) {
	s = redact.Secrets(s)
	if printableASCII(s) {
		return s, true
	}
	if isPrintable(s, false) {
		return s, false
	}
	var b strings.Builder
	escapeTo(&b, s, false)
	return b.String(), false
}

// isPrintable reports whether s needs no escaping; keepLines allows tabs
// and newlines (for text that is laid out in lines, such as stderr).
func isPrintable(s string, keepLines bool) bool {
	if printableASCII(s) {
		return true // most text
	}
	for _, r := range s {
		if !shown(r, keepLines) {
			return false
		}
	}
	return true
}

// printableASCII reports whether every byte of s is printable ASCII, from
// the space to the tilde. It looks at eight bytes at a time.
func printableASCII(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		// A byte of 0x80 or more, one below the space, or DEL: subtracting
		// sets the high bit of a byte that was below (a borrow moves only
		// past such a byte), and DEL is the byte that XOR with 0x7f zeroes.
		del := x ^ 0x7f*ones
		if x&highs != 0 || (x-0x20*ones)&^x&highs != 0 || (del-ones)&^del&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// shown reports whether r is shown as itself. utf8.RuneError also stands
// for an invalid byte, which is escaped; a real U+FFFD is escaped too,
// which loses nothing.
func shown(r rune, keepLines bool) bool {
	if keepLines && (r == '\n' || r == '\t') {
		return true
	}
	return r != utf8.RuneError && unicode.IsGraphic(r)
}

func escapeTo(b *strings.Builder, s string, keepLines bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(b, `\x%02x`, s[i])
		case shown(r, keepLines):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
		}
		i += size
	}
}

// spreadsheetFormula reports whether a spreadsheet opening a CSV file
// would take cell for a formula (or, for a leading tab or carriage
// return, may strip it and then do so).
func spreadsheetFormula(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0]))
}

// csvCell is a cell as CSV carries it: printable, and never a formula. A
// cell a spreadsheet would run is prefixed with ', which spreadsheets
// show as text; the value is then the cell without its first character.
func csvCell(cell string) string {
	cell = Printable(cell)
	if spreadsheetFormula(cell) {
		return "'" + cell
	}
	return cell
}

// TerminalWriter escapes, in everything written through it, what
// Printable escapes, except tabs and newlines, which lay out lines, and
// redacts what Printable redacts (within each write). It is
// for streams that carry only text meant for people (standard error,
// prompts), where a message may repeat what an API answered. A UTF-8
// sequence split across writes is held until its end arrives.
type TerminalWriter struct {
	mu      sync.Mutex
	w       io.Writer
	pending []byte
}

// NewTerminalWriter wraps w.
func NewTerminalWriter(w io.Writer) *TerminalWriter { return &TerminalWriter{w: w} }

// Write escapes p and writes it; it reports len(p) when everything was
// written, as io.Writer requires.
func (t *TerminalWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	data := append(t.pending, p...)
	t.pending = nil
	// Hold back an incomplete UTF-8 sequence at the end, at most 3 bytes.
	if cut := incompleteTail(data); cut > 0 {
		t.pending = append([]byte(nil), data[len(data)-cut:]...)
		data = data[:len(data)-cut]
	}
	s := redact.Secrets(string(data))
	if !isPrintable(s, true) {
		var b strings.Builder
		escapeTo(&b, s, true)
		s = b.String()
	}
	if _, err := io.WriteString(t.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

// incompleteTail returns how many bytes at the end of b start a UTF-8
// sequence that is not yet complete.
func incompleteTail(b []byte) int {
	for n := 1; n <= 3 && n <= len(b); n++ {
		c := b[len(b)-n]
		if c < 0x80 {
			return 0 // ASCII: nothing pending
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-n:]) {
				return n
			}
			return 0
		}
	}
	return 0
}
