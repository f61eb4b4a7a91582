package output

import (
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
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
type FieldOption func(*field)

type field struct {
	tone Tone
	cut  bool
}

// WithTone colours the cell (only on a coloured terminal).
func WithTone(t Tone) FieldOption { return func(f *field) { f.tone = t } }

// Cut lets the table printer shorten the cell's column, with an
// ellipsis, to fit a terminal: for free text such as descriptions and
// owners, never for ids a person copies.
func Cut(f *field) { f.cut = true }

// TablePrinter builds the rows of one table: commands add fields, it owns
// how times, colours and widths are shown. Its Rows go to Printer.Print
// (the table, wide and CSV formats) or WriteTable.
type TablePrinter struct {
	style   TableStyle
	rows    Rows
	tones   [][]Tone
	current []string
	curTone []Tone
}

// NewTablePrinter starts a table with the given headers.
func NewTablePrinter(style TableStyle, headers ...string) *TablePrinter {
	return &TablePrinter{style: style, rows: Rows{Headers: headers, Cut: make([]bool, len(headers))}}
}

// AddHeader adds columns (such as the extra columns of -o wide).
func (p *TablePrinter) AddHeader(headers ...string) {
	p.rows.Headers = append(p.rows.Headers, headers...)
	p.rows.Cut = append(p.rows.Cut, make([]bool, len(headers))...)
}

// AddField adds a cell to the current row.
func (p *TablePrinter) AddField(text string, opts ...FieldOption) {
	var f field
	for _, o := range opts {
		o(&f)
	}
	col := len(p.current)
	if f.cut && col < len(p.rows.Cut) {
		p.rows.Cut[col] = true
	}
	p.current = append(p.current, text)
	p.curTone = append(p.curTone, f.tone)
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
	default:
		p.AddField(p.style.Time(*t), opts...)
	}
}

// EndRow finishes the current row.
func (p *TablePrinter) EndRow() {
	p.rows.Cells = append(p.rows.Cells, p.current)
	p.tones = append(p.tones, p.curTone)
	p.current, p.curTone = nil, nil
}

// Rows is the finished table, coloured and fitted as the style says.
func (p *TablePrinter) Rows() Rows {
	if len(p.current) > 0 {
		p.EndRow()
	}
	rows := p.rows
	if p.style.Colour && p.style.human() {
		tones := p.tones
		rows.Colour = func(row, col int) *color.Color {
			if row < len(tones) && col < len(tones[row]) {
				return tones[row][col].colour()
			}
			return nil
		}
	}
	if p.style.Terminal && p.style.Format != Wide {
		rows.Width = p.style.Width
	}
	return rows
}

// ellipsis ends a cell cut to fit.
const ellipsis = "…"

// columnGap is the blank between columns.
const columnGap = 3

// fitWidths returns each column's width: its widest cell, or less for
// columns that may be cut, widest first, until the table fits width (0:
// no limit). A cut column keeps at least its header and a few characters.
func fitWidths(rows Rows, width int) []int {
	widths := make([]int, len(rows.Headers))
	floors := make([]int, len(rows.Headers))
	for c, h := range rows.Headers {
		widths[c] = twwidth.Width(h)
		floors[c] = max(widths[c], 8)
	}
	for _, r := range rows.Cells {
		for c, cell := range r {
			if c < len(widths) {
				widths[c] = max(widths[c], twwidth.Width(cell))
			}
		}
	}
	if width <= 0 {
		return widths
	}
	total := columnGap * max(len(widths)-1, 0)
	for _, w := range widths {
		total += w
	}
	for total > width {
		widest := -1
		for c, w := range widths {
			if c < len(rows.Cut) && rows.Cut[c] && w > floors[c] && (widest < 0 || w > widths[widest]) {
				widest = c
			}
		}
		if widest < 0 {
			break // nothing left to cut: the terminal wraps
		}
		widths[widest]--
		total--
	}
	return widths
}

// truncate cuts s to width display columns, ending it with an ellipsis.
func truncate(s string, width int) string {
	if twwidth.Width(s) <= width {
		return s
	}
	budget := width - twwidth.Width(ellipsis)
	var b strings.Builder
	used := 0
	for _, r := range s {
		w := twwidth.Width(string(r))
		if used+w > budget {
			break
		}
		b.WriteRune(r)
		used += w
	}
	return b.String() + ellipsis
}

// paint colours cells of a rendered table in place. The table writer lays
// out plain text (it would leave a reset code in the next cell of a
// coloured one); each coloured cell is then found where its column starts
// and wrapped in its colour, and only when the text there is the cell's.
func paint(lines []string, rows Rows, widths []int) {
	if rows.Colour == nil {
		return
	}
	starts := make([]int, len(widths))
	for c := 1; c < len(widths); c++ {
		starts[c] = starts[c-1] + widths[c-1] + columnGap
	}
	for r, cells := range rows.Cells {
		line := r + 1 // after the header
		if line >= len(lines) {
			return
		}
		// Right to left, so earlier byte offsets stay valid.
		for c := len(cells) - 1; c >= 0; c-- {
			colour := rows.Colour(r, c)
			if colour == nil || cells[c] == "" || c >= len(starts) {
				continue
			}
			from := byteAt(lines[line], starts[c])
			if from < 0 || !strings.HasPrefix(lines[line][from:], cells[c]) {
				continue
			}
			to := from + len(cells[c])
			lines[line] = lines[line][:from] + colour.Sprint(cells[c]) + lines[line][to:]
		}
	}
}

// byteAt is the byte offset of display column col in line, or -1.
func byteAt(line string, col int) int {
	at := 0
	for i, r := range line {
		if at == col {
			return i
		}
		at += twwidth.Width(string(r))
		if at > col {
			return -1
		}
	}
	if at == col {
		return len(line)
	}
	return -1
}
