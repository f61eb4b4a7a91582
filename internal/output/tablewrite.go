package output

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/fatih/color"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// WriteTable renders a borderless, column-aligned table.
// Every cell is made printable first, so data cannot move the cursor or
// rewrite rows; columns that may be cut are shortened to rows.Width;
// colours are added last, around the cells' text only.
//
// tablewriter lays the table out: it renders the header and a ruler, a
// row of cells exactly as wide as the whole table's columns. The rows are
// then written at the columns the ruler shows, each cell trimmed as
// tablewriter trims it and padded to its column, one pass over the cells
// and no work per cell beyond that, so a table costs what its bytes cost.
// Writing the ruler that way must give tablewriter's own line, or the
// whole table goes through tablewriter (see writeTableBatches), as it does
// when a row has more cells than the table has headers.
func WriteTable(w io.Writer, rows Rows) error {
	rows, cw := printableRows(rows)
	widths := columnWidths(rows, cw, 0)
	if l, ok := newLayout(rows, widths); ok && cw != nil {
		return l.write(w, rows, cw)
	}
	return writeTableBatches(w, rows, widths)
}

// layout is how tablewriter laid out a table's header and columns.
type layout struct {
	header string
	widths []int
	starts []int
	trim   func(string) string
}

// newLayout has tablewriter render the header and the ruler, and reports
// whether rows can be written at its columns: the ruler written by
// appendRow must be the line tablewriter rendered.
func newLayout(rows Rows, widths []int) (layout, bool) {
	if len(rows.Headers) == 0 {
		return layout{}, false
	}
	for _, cells := range rows.Cells {
		if len(cells) > len(rows.Headers) {
			return layout{}, false
		}
	}
	ruler := make([]string, len(widths))
	for c, n := range widths {
		ruler[c] = strings.Repeat("x", n)
	}
	lines, t, err := renderTableWriter(rows.Headers, [][]string{ruler})
	if err != nil || len(lines) != 2 {
		return layout{}, false
	}
	l := layout{header: lines[0], widths: widths, starts: columnStarts(widths), trim: t.Trimmer}
	if string(l.appendRow(nil, ruler, nil)) != lines[1]+"\n" {
		return layout{}, false
	}
	return l, true
}

// write writes the header and the rows, in chunks of about 32 KiB; cw
// is the width of each cell (see printableRows).
func (l layout) write(w io.Writer, rows Rows, cw []int32) error {
	lw := l.start(w)
	n := len(rows.Headers)
	for r, cells := range rows.Cells {
		var colour func(c int) *color.Color
		if rows.Colour != nil {
			colour = func(c int) *color.Color { return rows.Colour(r, c) }
		}
		lw.row(cells, cw[r*n:r*n+len(cells)], colour)
	}
	return lw.end()
}

// lineWriter writes a table's lines at its layout's columns, in chunks
// of about 32 KiB, and keeps the first write error.
type lineWriter struct {
	l   layout
	w   io.Writer
	out []byte
	err error
}

// lineChunk is about how many bytes a lineWriter writes at once.
const lineChunk = 32 << 10

// start returns a lineWriter that has the header to write.
func (l layout) start(w io.Writer) *lineWriter {
	out := make([]byte, 0, lineChunk+1024)
	return &lineWriter{l: l, w: w, out: append(append(out, l.header...), '\n')}
}

// row adds a row of printable cells of widths cw, coloured by colour
// when it is not nil.
func (lw *lineWriter) row(cells []string, cw []int32, colour func(c int) *color.Color) {
	if lw.err != nil {
		return
	}
	start := len(lw.out)
	lw.out = lw.l.appendRow(lw.out, cells, cw)
	if colour != nil {
		line := paintLine(string(lw.out[start:len(lw.out)-1]), cells, lw.l.starts, colour)
		lw.out = append(append(lw.out[:start], line...), '\n')
	}
	if len(lw.out) >= lineChunk {
		_, lw.err = lw.w.Write(lw.out)
		lw.out = lw.out[:0]
	}
}

// end writes what is left and returns the first error.
func (lw *lineWriter) end() error {
	if lw.err != nil {
		return lw.err
	}
	_, err := lw.w.Write(lw.out)
	return err
}

// appendRow appends one line: each cell trimmed and padded to its column,
// without trailing blanks, and a newline. widths, when not nil, are the
// cells' widths.
func (l layout) appendRow(out []byte, cells []string, widths []int32) []byte {
	start := len(out)
	for c, cell := range cells {
		trimmed := l.trim(cell)
		out = append(out, trimmed...)
		if c < len(cells)-1 {
			w := 0
			if widths != nil && len(trimmed) == len(cell) {
				w = int(widths[c]) // trimming left it as it was
			} else {
				w = displayWidth(trimmed)
			}
			for pad := l.widths[c] - w + columnGap; pad > 0; pad -= len(blanks) {
				out = append(out, blanks[:min(pad, len(blanks))]...)
			}
		}
	}
	end := len(out)
	for end > start && out[end-1] == ' ' {
		end--
	}
	return append(out[:end], '\n')
}

// blanks pad cells to their columns.
const blanks = "                                                                "

// columnStarts is the display column where each column starts.
func columnStarts(widths []int) []int {
	starts := make([]int, len(widths))
	for c := 1; c < len(widths); c++ {
		starts[c] = starts[c-1] + widths[c-1] + columnGap
	}
	return starts
}

// writeTableBatches lays the whole table out with tablewriter,
// tableBatch rows at a time, every batch at the whole table's column
// widths, so what is held at once does not grow with the table.
func writeTableBatches(w io.Writer, rows Rows, widths []int) error {
	cells := rows.Cells
	size := tableBatch
	if len(rows.Headers) == 0 {
		size = max(len(cells), 1) // no columns to hold the batches to
	}
	var out []byte
	for start := 0; start == 0 || start < len(cells); start += size {
		batch := rows
		batch.Cells = cells[start:min(start+size, len(cells))]
		lines, err := layOut(batch, widths)
		if err != nil {
			return err
		}
		starts := columnStarts(widths)
		for r, cells := range batch.Cells {
			if r+1 < len(lines) && rows.Colour != nil {
				lines[r+1] = paintLine(lines[r+1], cells, starts, func(c int) *color.Color { return rows.Colour(start+r, c) })
			}
		}
		if start > 0 {
			lines = lines[1:] // the header is written once
		}
		out = out[:0]
		for _, line := range lines {
			out = append(append(out, line...), '\n')
		}
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	return nil
}

// tableBatch is how many rows writeTableBatches lays out at once.
var tableBatch = 1024

// layOut renders the header and rows with tablewriter, every column at
// widths (a row of cells exactly that wide is laid out with them, then
// dropped), and returns the lines: the header, then one line per row.
func layOut(rows Rows, widths []int) ([]string, error) {
	var ruler []string
	for _, n := range widths {
		ruler = append(ruler, strings.Repeat("x", n))
	}
	cells := rows.Cells
	if ruler != nil {
		cells = append([][]string{ruler}, cells...)
	}
	lines, _, err := renderTableWriter(rows.Headers, cells)
	if err != nil || ruler == nil {
		return lines, err
	}
	if len(lines) < 2 {
		return nil, errors.New("table: the layout lost its rows")
	}
	return append(lines[:1], lines[2:]...), nil
}

// renderTableWriter has tablewriter render a borderless table with left-aligned
// columns columnGap apart, and returns its lines without their trailing
// blanks (the padding leaves them; output diffs cleanly without), and
// the table, whose Trimmer says how it trims cells.
func renderTableWriter(headers []string, cells [][]string) ([]string, *tablewriter.Table, error) {
	layoutTable.Lock()
	defer layoutTable.Unlock()
	buf := &layoutTable.buf
	if layoutTable.t == nil {
		layoutTable.t = newTableWriter(buf)
	} else {
		layoutTable.t.Reset()
	}
	buf.Reset()
	lines, t, err := renderWith(layoutTable.t, buf, headers, cells)
	if buf.Cap() > 1<<20 {
		*buf = bytes.Buffer{} // a long batch's room is not kept
	}
	return lines, t, err
}

// layoutTable is the one tablewriter table that lays tables out, reset
// before each: a new table makes a cache of 10,240 entries (some 200
// KB) for the values it turns into text, which cells, already text,
// never use, and a check prints up to eight tables. The table reset
// keeps noStringerCache instead.
var layoutTable struct {
	sync.Mutex
	t   *tablewriter.Table
	buf bytes.Buffer
}

// renderWith renders headers and cells with t, which writes to buf.
func renderWith(t *tablewriter.Table, buf *bytes.Buffer, headers []string, cells [][]string) ([]string, *tablewriter.Table, error) {
	t.Header(headers)
	if err := t.Bulk(cells); err != nil {
		return nil, nil, err
	}
	if err := t.Render(); err != nil {
		return nil, nil, err
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i, line := range lines {
		lines[i] = strings.TrimRight(line, " ")
	}
	return lines, t, nil
}

// newTableWriter is a tablewriter table, writing to w, that lays out a
// borderless table with left-aligned columns columnGap apart.
func newTableWriter(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.SeparatorsNone,
				Lines:      tw.LinesNone,
			},
		})),
		tablewriter.WithStringerCacheCustom(noStringerCache{}),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Left: "", Right: strings.Repeat(" ", columnGap)}},
			},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Left: "", Right: strings.Repeat(" ", columnGap)}},
			},
		}),
	)
}

// noStringerCache is a tablewriter table's cache of stringer functions,
// kept empty: tablewriter is given text, never values to turn into text,
// and its own cache is made anew (some 200 KB) at each Reset.
type noStringerCache struct{}

func (noStringerCache) Add(reflect.Type, reflect.Value) bool   { return false }
func (noStringerCache) Get(reflect.Type) (reflect.Value, bool) { return reflect.Value{}, false }
func (noStringerCache) Purge()                                 {}

// printableRows returns rows with every header and cell printable and
// the columns that may be cut shortened to rows.Width, and the display
// width of each cell: row r's cell c at r*len(rows.Headers)+c, nil when a
// row has more cells than the table has headers. Colours are applied
// after layout (see paintLine). The caller's rows are not written to: a
// row is copied when one of its cells changes.
func printableRows(rows Rows) (Rows, []int32) {
	out := rows
	out.Headers = make([]string, len(rows.Headers))
	for i, h := range rows.Headers {
		out.Headers[i] = Printable(h)
	}
	var owned []bool // which rows are copies; nil until a cell changes
	set := func(r, c int, s string) {
		if owned == nil {
			out.Cells, owned = slices.Clone(rows.Cells), make([]bool, len(rows.Cells))
		}
		if !owned[r] {
			out.Cells[r], owned[r] = slices.Clone(out.Cells[r]), true
		}
		out.Cells[r][c] = s
	}
	n := len(rows.Headers)
	cw := make([]int32, n*len(rows.Cells))
	for r, cells := range rows.Cells {
		if len(cells) > n {
			cw = nil
		}
		for c, cell := range cells {
			p, ascii := printable(cell)
			if p != cell {
				set(r, c, p)
			}
			if cw != nil {
				cw[r*n+c] = width32(len(p))
				if !ascii {
					cw[r*n+c] = width32(displayWidth(p))
				}
			}
		}
	}
	if rows.Width <= 0 {
		return out, cw
	}
	widths := columnWidths(out, cw, rows.Width)
	for r, cells := range out.Cells {
		for c, cell := range cells {
			if c < len(widths) && c < len(out.Cut) && out.Cut[c] {
				if cut := truncate(cell, widths[c]); cut != cell {
					set(r, c, cut)
					if cw != nil {
						cw[r*n+c] = width32(displayWidth(cut))
					}
				}
			}
		}
	}
	return out, cw
}

// ellipsis ends a cell cut to fit.
const ellipsis = "…"

// columnGap is the blank between columns.
const columnGap = 3

// displayWidth is the columns s takes on a terminal, as tablewriter
// measures it; printable ASCII, most cells, takes one column a byte.
func displayWidth(s string) int {
	if printableASCII(s) {
		return len(s)
	}
	return twwidth.Width(s)
}

// runeWidth is the columns r takes, as tablewriter measures it.
func runeWidth(r rune) int {
	if ' ' <= r && r < 0x7f {
		return 1
	}
	return twwidth.Width(string(r))
}

// fitWidths returns each column's width: its widest cell, or less for
// columns that may be cut, widest first, until the table fits width (0:
// no limit). A cut column keeps at least its header and a few characters.
func fitWidths(rows Rows, width int) []int { return columnWidths(rows, nil, width) }

// columnWidths is fitWidths with the cells' widths, when cw is not nil,
// read from cw (see printableRows) instead of measured.
func columnWidths(rows Rows, cw []int32, width int) []int {
	n := len(rows.Headers)
	widths := headerWidths(rows.Headers)
	for r, cells := range rows.Cells {
		for c, cell := range cells {
			switch {
			case c >= n:
			case cw != nil:
				widths[c] = max(widths[c], int(cw[r*n+c]))
			default:
				widths[c] = max(widths[c], displayWidth(cell))
			}
		}
	}
	return fitColumns(widths, rows.Headers, rows.Cut, width)
}

// headerWidths is the width of each header, the narrowest its column is.
func headerWidths(headers []string) []int {
	widths := make([]int, len(headers))
	for c, h := range headers {
		widths[c] = displayWidth(h)
	}
	return widths
}

// fitColumns narrows widths, each column's widest cell, to fit width (0:
// no limit): the widest of the columns that may be cut, one column at a
// time, each kept at least as wide as its header and 8 columns.
func fitColumns(widths []int, headers []string, cut []bool, width int) []int {
	if width <= 0 {
		return widths
	}
	floors := headerWidths(headers)
	for c := range floors {
		floors[c] = max(floors[c], 8)
	}
	total := columnGap * max(len(widths)-1, 0)
	for _, w := range widths {
		total += w
	}
	for total > width {
		widest := -1
		for c, w := range widths {
			if c < len(cut) && cut[c] && w > floors[c] && (widest < 0 || w > widths[widest]) {
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
	if displayWidth(s) <= width {
		return s
	}
	budget := width - twwidth.Width(ellipsis)
	var b strings.Builder
	used := 0
	for _, r := range s {
		w := runeWidth(r)
		if used+w > budget {
			break
		}
		b.WriteRune(r)
		used += w
	}
	return b.String() + ellipsis
}

// paintLine colours the cells of one rendered line. The line is laid out
// as plain text (tablewriter would leave a reset code in the next cell of
// a coloured one); each coloured cell is then found where its column
// starts and wrapped in its colour, and only when the text there is the
// cell's.
func paintLine(line string, cells []string, starts []int, colour func(col int) *color.Color) string {
	// Right to left, so earlier byte offsets stay valid.
	for c := len(cells) - 1; c >= 0; c-- {
		if cells[c] == "" || c >= len(starts) {
			continue
		}
		col := colour(c)
		if col == nil {
			continue
		}
		from := byteAt(line, starts[c])
		if from < 0 || !strings.HasPrefix(line[from:], cells[c]) {
			continue
		}
		to := from + len(cells[c])
		line = line[:from] + col.Sprint(cells[c]) + line[to:]
	}
	return line
}

// byteAt is the byte offset of display column col in line, or -1.
func byteAt(line string, col int) int {
	at := 0
	for i, r := range line {
		if at == col {
			return i
		}
		at += runeWidth(r)
		if at > col {
			return -1
		}
	}
	if at == col {
		return len(line)
	}
	return -1
}

// width32 is a cell's width as the table keeps it: a cell wider than an
// int32 holds (2 GiB of text) is held at the largest, which still sorts it
// last and makes its column the widest.
func width32(n int) int32 {
	return int32(min(n, math.MaxInt32)) //nolint:gosec // held within int32 by the min
}

// WriteRows writes the table whose rows add adds to p (with AddField and
// EndRow, as for Rows) without holding them: add is called once to
// measure the columns and once more to write the rows, a row at a time
// (on a terminal, once more between when cutting cells to fit changes a
// column's width), and must add the same rows each time. p must hold no
// rows yet. The bytes are those of WriteTable(w, p.Rows()) after add; a
// table WriteTable would lay out through tablewriter alone (see
// WriteTable) is held and written that way.
func (p *TablePrinter) WriteRows(w io.Writer, add func()) error {
	defer func() { p.sink, p.current, p.curTone, p.measuring = nil, nil, nil, false }()
	headers := make([]string, len(p.rows.Headers))
	for i, h := range p.rows.Headers {
		headers[i] = Printable(h)
	}
	widest := headerWidths(headers)
	held := false
	last := make(lastCells, len(headers))
	p.measuring = true
	p.sink = func(cells []string, _ []Tone) {
		if len(cells) > len(widest) {
			held = true
			return
		}
		for c, cell := range cells {
			_, cw := last.shown(c, cell, printableCell)
			widest[c] = max(widest[c], int(cw))
		}
	}
	add()
	p.measuring = false
	fitted := fitColumns(slices.Clone(widest), headers, p.rows.Cut, p.fitTo())
	widths := fitted
	fit := func(c int, cell string) (string, int32) {
		return last.shown(c, cell, func(cell string) (string, int32) { return p.fitCell(cell, c, fitted) })
	}
	clear(last)
	if !slices.Equal(fitted, widest) && !held {
		// Cells are cut to fit: the columns are as wide as their widest
		// cell once cut.
		widths = headerWidths(headers)
		p.sink = func(cells []string, _ []Tone) {
			for c, cell := range cells {
				_, cw := fit(c, cell)
				widths[c] = max(widths[c], int(cw))
			}
		}
		add()
	}
	l, ok := newLayout(Rows{Headers: headers}, widths)
	if held || !ok {
		p.sink, p.current, p.curTone = nil, nil, nil
		add()
		return WriteTable(w, p.Rows())
	}
	lw := l.start(w)
	var shown []string
	var cws []int32
	coloured := p.coloured()
	p.sink = func(cells []string, tones []Tone) {
		shown, cws = shown[:0], cws[:0]
		for c, cell := range cells {
			s, cw := fit(c, cell)
			shown, cws = append(shown, s), append(cws, cw)
		}
		var colour func(c int) *color.Color
		if coloured {
			colour = func(c int) *color.Color {
				if c < len(tones) {
					return tones[c].colour()
				}
				return nil
			}
		}
		lw.row(shown, cws, colour)
	}
	add()
	return lw.end()
}

// lastCells remembers, column by column, the last cell shown and how it
// is shown: the rows of a long table often repeat the cell above (the
// organization, the rule, a message), which is then not scanned again.
// A column whose cells seldom repeat (ids, times) is soon no longer
// remembered, which would only cost.
type lastCells []struct {
	cell, shown   string
	width         int32
	seen, repeats int32
}

// shown is show(cell) for a cell of column c, from memory when it is the
// column's last cell. The zero memory holds the empty cell, which every
// show given shows as itself.
func (l lastCells) shown(c int, cell string, show func(string) (string, int32)) (string, int32) {
	const trial, enough = 64, 8 // of the first trial cells, enough must repeat
	if c >= len(l) || l[c].seen == trial && l[c].repeats < enough {
		return show(cell)
	}
	m := &l[c]
	if m.seen < trial {
		m.seen++
	}
	if m.cell == cell {
		m.repeats++
		return m.shown, m.width
	}
	m.cell = cell
	m.shown, m.width = show(cell)
	return m.shown, m.width
}

// printableCell is Printable(cell) and its display width.
func printableCell(cell string) (string, int32) {
	s, ascii := printable(cell)
	if ascii {
		return s, width32(len(s))
	}
	return s, width32(displayWidth(s))
}

// fitCell is the cell of column c as it is shown, printable and, in a
// column that may be cut, cut to its width in fitted, and its display
// width.
func (p *TablePrinter) fitCell(cell string, c int, fitted []int) (string, int32) {
	s, cw := printableCell(cell)
	if c < len(p.rows.Cut) && p.rows.Cut[c] && int(cw) > fitted[c] {
		s = truncate(s, fitted[c])
		cw = width32(displayWidth(s))
	}
	return s, cw
}
