package output

import (
	"slices"
	"strings"
	"time"

	"github.com/fatih/color"
)

// TableStyle is how one output shows a table, decided once per command
// run from where the output goes (iostreams) and its format. It is the one
// place that says how a time reads: relative ("3 days ago") only in a
// table on a terminal, RFC 3339 in UTC everywhere else (pipes, CSV, files).
type TableStyle struct {
	Format Format
	// Terminal says the table goes to a person at a terminal.
	Terminal bool
	// Colour allows colour (a terminal, or CLICOLOR_FORCE, and no NO_COLOR).
	Colour bool
	// Width is the terminal's width in columns, 0 when unknown. A table
	// (not -o wide) on a terminal is fitted to it.
	Width int
	// Now is the clock relative times are read from.
	Now time.Time
}

// Relative reports whether times read relative to now.
func (s TableStyle) Relative() bool { return s.Terminal && s.human() }

func (s TableStyle) human() bool { return s.Format == Table || s.Format == Wide || s.Format == "" }

// Time renders a time cell under the style's rule.
func (s TableStyle) Time(t time.Time) string {
	if s.Relative() {
		return RelativeTime(t, s.Now)
	}
	return t.UTC().Format(time.RFC3339)
}

// Tone is what a cell's colour means; the table printer picks the colour.
type Tone int

const (
	Plain Tone = iota
	Good       // done as asked (green)
	Bad        // failed (red)
	Warn       // worth a look, such as a stale token (yellow)
)

func (t Tone) colour() *color.Color {
	switch t {
	case Good:
		return Green
	case Bad:
		return Red
	case Warn:
		return Yellow
	}
	return nil
}

// FieldOption changes how one cell is shown.
type FieldOption struct {
	tone    Tone
	setTone bool
	cut     bool
}

// WithTone colours the cell (only on a coloured terminal).
func WithTone(t Tone) FieldOption { return FieldOption{tone: t, setTone: true} }

// Cut lets the table printer shorten the cell's column, with an
// ellipsis, to fit a terminal: for free text such as descriptions and
// owners, never for ids a person copies.
var Cut = FieldOption{cut: true}

// TablePrinter builds the rows of one table: commands add fields, it owns
// how times, colours and widths are shown. Its Rows go to Printer.Print
// (the table, wide and CSV formats) or WriteTable.
type TablePrinter struct {
	style   TableStyle
	rows    Rows
	tones   [][]Tone
	current []string
	curTone []Tone
	// cells holds the cells of rows to come, a block at a time.
	cells []string
	// block and scratch make the text of time cells (see text).
	block   strings.Builder
	scratch [32]byte
	// sink, while WriteRows runs, takes each row as it ends instead of
	// the table keeping it; the row's cells and tones are reused after.
	sink      func(cells []string, tones []Tone)
	spareTone []Tone
	// measuring says the rows added now are only measured (see
	// WriteRows): a cell may be any text as wide as its own.
	measuring bool
}

// NewTablePrinter starts a table with the given headers.
func NewTablePrinter(style TableStyle, headers ...string) *TablePrinter {
	return &TablePrinter{style: style, rows: Rows{Headers: headers, Cut: make([]bool, len(headers))}}
}

// Grow makes room for n more rows, for a caller that knows how many
// rows the table will have.
func (p *TablePrinter) Grow(n int) {
	p.rows.Cells = slices.Grow(p.rows.Cells, n)
}

// AddHeader adds columns (such as the extra columns of -o wide).
func (p *TablePrinter) AddHeader(headers ...string) {
	p.rows.Headers = append(p.rows.Headers, headers...)
	p.rows.Cut = append(p.rows.Cut, make([]bool, len(headers))...)
}

// AddField adds a cell to the current row.
func (p *TablePrinter) AddField(text string, opts ...FieldOption) {
	tone, cut := Plain, false
	for _, o := range opts {
		if o.setTone {
			tone = o.tone
		}
		cut = cut || o.cut
	}
	col := len(p.current)
	if cut && col < len(p.rows.Cut) {
		p.rows.Cut[col] = true
	}
	if p.current == nil && p.sink == nil {
		// Rows take their cells from a shared block, each with room for
		// one cell a header.
		n := len(p.rows.Headers)
		if cap(p.cells)-len(p.cells) < n {
			p.cells = make([]string, 0, max(n, 256*n))
		}
		p.current = p.cells[len(p.cells) : len(p.cells) : len(p.cells)+n]
		p.cells = p.cells[:len(p.cells)+n]
	}
	p.current = append(p.current, text)
	// Tones are kept only for a coloured table, and only for the rows
	// that have one.
	if tone != Plain && p.curTone == nil && p.coloured() {
		if p.sink != nil {
			p.curTone = slices.Grow(p.spareTone[:0], max(len(p.rows.Headers), col+1))[:col]
			clear(p.curTone)
		} else {
			p.curTone = make([]Tone, col, max(len(p.rows.Headers), col+1))
		}
	}
	if p.curTone != nil {
		p.curTone = append(p.curTone, tone)
	}
}

// AddTimeField adds a time cell: relative on a terminal, RFC 3339 UTC
// elsewhere; nil reads never (empty in CSV, so the column stays
// machine-readable).
func (p *TablePrinter) AddTimeField(t *time.Time, never string, opts ...FieldOption) {
	switch {
	case t == nil && p.style.Format == CSV:
		p.AddField("", opts...)
	case t == nil:
		p.AddField(never, opts...)
	case p.style.Relative():
		p.AddField(RelativeTime(*t, p.style.Now), opts...)
	case p.measuring && rfc3339Width(*t):
		// Only widths are read: every such time is as wide as this one.
		p.AddField(rfc3339Sample, opts...)
	default:
		p.AddField(p.text(t.UTC().AppendFormat(p.scratch[:0], time.RFC3339)), opts...)
	}
}

// rfc3339Sample is a time written in RFC 3339 in UTC (which has no
// fraction of a second), as wide as any time of the years 0 to 9999
// written so (see rfc3339Width).
const rfc3339Sample = "2006-01-02T15:04:05Z"

// rfc3339Width reports whether t written in RFC 3339 in UTC is as wide
// as rfc3339Sample: whether its year has four digits.
func rfc3339Width(t time.Time) bool {
	y := t.UTC().Year()
	return 0 <= y && y <= 9999
}

// text makes a string of b inside a block shared with the table's other
// such cells, so that a long table's times are not one allocation each.
// A block only grows (strings.Builder), so what was made of it stays.
func (p *TablePrinter) text(b []byte) string {
	const block = 16 << 10
	if p.block.Len()+len(b) > p.block.Cap() {
		p.block = strings.Builder{}
		p.block.Grow(max(block, len(b)))
	}
	start := p.block.Len()
	p.block.Write(b)
	return p.block.String()[start:]
}

// EndRow finishes the current row.
func (p *TablePrinter) EndRow() {
	if p.sink != nil {
		p.sink(p.current, p.curTone)
		if p.curTone != nil {
			p.spareTone = p.curTone
		}
		p.current, p.curTone = p.current[:0], nil
		return
	}
	p.rows.Cells = append(p.rows.Cells, p.current)
	if p.coloured() {
		p.tones = append(p.tones, p.curTone)
	}
	p.current, p.curTone = nil, nil
}

// coloured reports whether the table is shown in colour.
func (p *TablePrinter) coloured() bool { return p.style.Colour && p.style.human() }

// Rows is the finished table, coloured and fitted as the style says.
func (p *TablePrinter) Rows() Rows {
	if len(p.current) > 0 {
		p.EndRow()
	}
	rows := p.rows
	if p.coloured() {
		tones := p.tones
		rows.Colour = func(row, col int) *color.Color {
			if row < len(tones) && col < len(tones[row]) {
				return tones[row][col].colour()
			}
			return nil
		}
	}
	rows.Width = p.fitTo()
	return rows
}

// fitTo is the width the table must fit, 0 for none: the terminal's,
// except with -o wide.
func (p *TablePrinter) fitTo() int {
	if p.style.Terminal && p.style.Format != Wide {
		return p.style.Width
	}
	return 0
}
