package output

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"

	"strings"
	"testing"
	"time"

	"github.com/fatih/color"
)

var tableNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func renderTable(t *testing.T, rows Rows) string {
	t.Helper()
	var b strings.Builder
	if err := WriteTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The exact bytes a coloured terminal gets: each colour closes right
// after its cell's text; nothing is left at the start of the next cell
// (the table writer used to put a reset there).
func TestTableColourBytes(t *testing.T) {
	p := NewTablePrinter(TableStyle{Format: Table, Terminal: true, Colour: true, Now: tableNow}, "A", "STATUS", "C")
	p.AddField("x")
	p.AddField("ok", WithTone(Good))
	p.AddField("z")
	p.EndRow()
	p.AddField("xxxx")
	p.AddField("failed", WithTone(Bad))
	p.AddField("zz", WithTone(Warn))
	p.EndRow()
	got := renderTable(t, p.Rows())
	want := "A      STATUS   C\n" +
		"x      \x1b[32mok\x1b[0m       z\n" +
		"xxxx   \x1b[31mfailed\x1b[0m   \x1b[33mzz\x1b[0m\n"
	if got != want {
		t.Errorf("table bytes:\n got %q\nwant %q", got, want)
	}
}

// No colour without the style's say-so, whatever the tones.
func TestTableWithoutColour(t *testing.T) {
	for _, style := range []TableStyle{
		{Format: Table, Terminal: true},
		{Format: CSV, Colour: true},
	} {
		p := NewTablePrinter(style, "STATUS")
		p.AddField("failed", WithTone(Bad))
		if rows := p.Rows(); rows.Colour != nil {
			t.Errorf("%+v: rows are coloured", style)
		}
	}
}

// One rule for times: relative only in a table on a terminal; RFC 3339
// in UTC in a piped table, -o csv, and everywhere else.
func TestTimeRule(t *testing.T) {
	then := time.Date(2026, 5, 29, 9, 0, 0, 0, time.FixedZone("X", 3600))
	cases := []struct {
		style      TableStyle
		when, none string
	}{
		{TableStyle{Format: Table, Terminal: true}, "3 days ago", "never"},
		{TableStyle{Format: Wide, Terminal: true}, "3 days ago", "never"},
		{TableStyle{Format: Table}, "2026-05-29T08:00:00Z", "never"},
		{TableStyle{Format: CSV, Terminal: true}, "2026-05-29T08:00:00Z", ""},
		{TableStyle{Format: JSON, Terminal: true}, "2026-05-29T08:00:00Z", "never"},
	}
	for _, c := range cases {
		c.style.Now = tableNow
		p := NewTablePrinter(c.style, "WHEN", "NEVER")
		p.AddTimeField(&then, "never")
		p.AddTimeField(nil, "never")
		rows := p.Rows()
		if got := rows.Cells[0]; got[0] != c.when || got[1] != c.none {
			t.Errorf("%s terminal=%v: cells %q, want %q, %q", c.style.Format, c.style.Terminal, got, c.when, c.none)
		}
	}
}

// On a terminal a table fits its width: free-text columns are cut with an
// ellipsis, ids are kept whole; -o wide and pipes keep everything.
func TestTableFitsTheTerminal(t *testing.T) {
	build := func(style TableStyle) string {
		p := NewTablePrinter(style, "UUID", "DESCRIPTION", "OWNER", "SCOPES")
		p.AddField("3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e")
		p.AddField("Deploys every service of the monorepo to production on merge", Cut)
		p.AddField("Ada Lovelace <ada.lovelace@example.com>", Cut)
		p.AddField("read_builds,write_builds")
		p.EndRow()
		return renderTable(t, p.Rows())
	}
	got := build(TableStyle{Format: Table, Terminal: true, Width: 100})
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if w := len([]rune(line)); w > 100 {
			t.Errorf("line of %d columns on a 100-column terminal: %q", w, line)
		}
	}
	mustHave(t, got, "3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e", "read_builds,write_builds", "…")
	for _, style := range []TableStyle{
		{Format: Wide, Terminal: true, Width: 80},
		{Format: Table, Width: 80},
		{Format: Table, Terminal: true},
	} {
		got := build(style)
		mustHave(t, got, "Deploys every service of the monorepo to production on merge", "Ada Lovelace <ada.lovelace@example.com>")
		if strings.Contains(got, "…") {
			t.Errorf("%+v: cut a cell:\n%s", style, got)
		}
	}
}

// A cut cell that is coloured keeps its colour and closes it.
func TestCutCellKeepsItsColour(t *testing.T) {
	p := NewTablePrinter(TableStyle{Format: Table, Terminal: true, Colour: true, Width: 30}, "ID", "OWNER")
	p.AddField("0123456789")
	p.AddField("somebody with a very long name indeed", Cut, WithTone(Warn))
	got := renderTable(t, p.Rows())
	if !strings.Contains(got, "\x1b[33msomebody with a …\x1b[0m\n") {
		t.Errorf("table = %q", got)
	}
}

func mustHave(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("output does not contain %q:\n%s", p, s)
		}
	}
}

// A table laid out by tablewriter in batches is the table laid out whole
// and the table written at tablewriter's columns: the same bytes, colours,
// cut cells and wide characters included.
func TestTableBatchesAreOneTable(t *testing.T) {
	p := NewTablePrinter(TableStyle{Format: Table, Terminal: true, Colour: true, Width: 40, Now: tableNow}, "ORGANIZATION", "STATUS", "DESCRIPTION")
	for i, d := range []string{"short", "日本語の説明がここに長く続きます", "", "a description long enough to be cut", "é", "x"} {
		p.AddField(strings.Repeat("o", i+1))
		p.AddField([]string{"ok", "failed", "skipped"}[i%3], WithTone([]Tone{Good, Bad, Warn}[i%3]))
		p.AddField(d, Cut)
		p.EndRow()
	}
	rows := p.Rows()
	whole := renderTable(t, rows)
	defer func(n int) { tableBatch = n }(tableBatch)
	for _, n := range []int{1, 2, 4, 6} {
		tableBatch = n
		printable, _ := printableRows(rows)
		var b strings.Builder
		if err := writeTableBatches(&b, printable, fitWidths(printable, 0)); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != whole {
			t.Errorf("in batches of %d:\n got %q\nwant %q", n, got, whole)
		}
	}
	if strings.Count(whole, "\n") != 7 || !strings.Contains(whole, "\x1b[31mfailed\x1b[0m") || !strings.Contains(whole, "…") {
		t.Errorf("not the table meant: %q", whole)
	}
}

// tableThroughTablewriter is the table as tablewriter alone lays it out,
// every row of it, in one batch.
func tableThroughTablewriter(t *testing.T, rows Rows) string {
	t.Helper()
	defer func(n int) { tableBatch = n }(tableBatch)
	tableBatch = max(len(rows.Cells), 1)
	rows, _ = printableRows(rows)
	var b strings.Builder
	if err := writeTableBatches(&b, rows, fitWidths(rows, 0)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// randomTable is a table of the cells that make layout hard: wide and
// combining characters, blanks and other spaces that tablewriter trims,
// control characters that are escaped, token values that are redacted,
// empty cells and short rows, coloured and cut at random.
func randomTable(rnd *rand.Rand) Rows {
	pieces := []string{"a", "xyz", "acme", " ", "  ", "\u00a0", "\u3000", "日本語", "é", "e\u0301", "\t", "\n", "\x1b[31m", "\u202e",
		"bkua_" + strings.Repeat("k9", 20), "", "—", "🙂", "\u200b", "\xff", "member42@acme.example", "3f1c1b9e-3c2a-4a55-9a8e-2d6f0b6c1a7e", "…"}
	cell := func() string {
		var b strings.Builder
		for range rnd.IntN(5) {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		return b.String()
	}
	cols := 1 + rnd.IntN(5)
	rows := Rows{Cut: make([]bool, cols)}
	for c := range cols {
		h := cell()
		if rnd.IntN(4) > 0 {
			h = strings.Repeat("H", 1+rnd.IntN(6))
		}
		rows.Headers = append(rows.Headers, h)
		rows.Cut[c] = rnd.IntN(2) == 0
	}
	for range rnd.IntN(7) {
		row := make([]string, cols-rnd.IntN(2)*rnd.IntN(cols))
		for c := range row {
			row[c] = cell()
		}
		rows.Cells = append(rows.Cells, row)
	}
	if rnd.IntN(2) == 0 {
		rows.Width = 10 + rnd.IntN(50)
	}
	if rnd.IntN(2) == 0 {
		tones := []*color.Color{nil, Red, Green, Yellow}
		seed := rnd.Uint64()
		rows.Colour = func(row, col int) *color.Color { return tones[(seed>>(uint(row*7+col)%60))%4] }
	}
	return rows
}

// Rows written at the columns tablewriter laid out are the rows
// tablewriter lays out: the same bytes for any table, coloured and cut
// cells, wide characters and trimmed blanks included.
func TestTableRowsAreTablewriters(t *testing.T) {
	rnd := rand.New(rand.NewPCG(19, 5))
	fast, cut := 0, 0
	for i := range 1000 {
		rows := randomTable(rnd)
		want := tableThroughTablewriter(t, rows)
		if got := renderTable(t, rows); got != want {
			t.Fatalf("table %d (%q, cells %q, width %d):\n got %q\nwant %q", i, rows.Headers, rows.Cells, rows.Width, got, want)
		}
		got, passes := streamTable(t, rows)
		if passes == 3 {
			cut++
		}
		if got != want {
			t.Fatalf("table %d written a row at a time (%q, cells %q, width %d):\n got %q\nwant %q", i, rows.Headers, rows.Cells, rows.Width, got, want)
		}
		p, cw := printableRows(rows)
		if _, ok := newLayout(p, fitWidths(p, 0)); ok && cw != nil {
			fast++
		}
	}
	// Most tables must take the quick way, or this compares tablewriter
	// with itself.
	if fast < 800 {
		t.Errorf("only %d of 1000 tables were written at tablewriter's columns", fast)
	}
	// And enough of them must be cut to fit, which WriteRows measures
	// twice.
	if cut < 50 {
		t.Errorf("only %d of 1000 tables were cut to fit", cut)
	}
}

// streamTable writes rows with TablePrinter.WriteRows: the same headers,
// cut columns, terminal width and colours, the rows added anew on each
// pass over them.
func streamTable(t *testing.T, rows Rows) (string, int) {
	t.Helper()
	style := TableStyle{Format: Table, Terminal: rows.Width > 0, Width: rows.Width, Colour: rows.Colour != nil, Now: tableNow}
	tones := map[*color.Color]Tone{nil: Plain, Red: Bad, Green: Good, Yellow: Warn}
	p := NewTablePrinter(style, rows.Headers...)
	passes := 0
	var b strings.Builder
	err := p.WriteRows(&b, func() {
		passes++
		for r, cells := range rows.Cells {
			for c, cell := range cells {
				opts := []FieldOption{}
				if rows.Colour != nil {
					opts = append(opts, WithTone(tones[rows.Colour(r, c)]))
				}
				if c < len(rows.Cut) && rows.Cut[c] {
					opts = append(opts, Cut)
				}
				p.AddField(cell, opts...)
			}
			p.EndRow()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if passes < 2 || passes > 3 {
		t.Errorf("the rows were added %d times", passes)
	}
	return b.String(), passes
}

// A table whose rows have more cells than it has headers is laid out by
// tablewriter alone, which makes room for them.
func TestTableWiderRowsGoThroughTablewriter(t *testing.T) {
	rows := Rows{Headers: []string{"A"}, Cells: [][]string{{"x", "extra"}, {"yy"}}}
	if _, ok := newLayout(rows, fitWidths(rows, 0)); ok {
		t.Fatal("a row wider than the headers was to be written at the headers' columns")
	}
	if got, want := renderTable(t, rows), tableThroughTablewriter(t, rows); got != want || !strings.Contains(got, "extra") {
		t.Errorf("table = %q, want %q", got, want)
	}
	if got, _ := streamTable(t, rows); got != tableThroughTablewriter(t, rows) {
		t.Errorf("table written a row at a time = %q, want %q", got, tableThroughTablewriter(t, rows))
	}
}

// The quick tests of printable ASCII, eight bytes at a time, say what
// the rune-by-rune and byte-by-byte ones say: every byte at every place
// of a word and of the tail.
func TestPrintableQuickPaths(t *testing.T) {
	slow := func(s string, keepLines bool) bool {
		for _, r := range s {
			if !shown(r, keepLines) {
				return false
			}
		}
		return true
	}
	ascii := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < ' ' || s[i] > '~' {
				return false
			}
		}
		return true
	}
	for c := range 256 {
		for at := range 19 {
			b := []byte(strings.Repeat("a~ ", 7)[:19])
			b[at] = byte(c)
			for _, s := range []string{string(b), string(b[:at+1]), string(b[at:]), string(b) + "é", string(rune(c))} {
				if got, want := printableASCII(s), ascii(s); got != want {
					t.Fatalf("printableASCII(%q) = %v, want %v", s, got, want)
				}
				for _, keep := range []bool{false, true} {
					if got, want := isPrintable(s, keep), slow(s, keep); got != want {
						t.Fatalf("isPrintable(%q, %v) = %v, want %v", s, keep, got, want)
					}
				}
			}
		}
	}
}

// BenchmarkTable builds a table of findings, as check prints them, with
// the table printer and writes it, at 5,000 and 50,000 rows: into a pipe
// (times as RFC 3339, no colour) and onto a 120-column coloured terminal
// (relative times, coloured cells, descriptions and owners cut to fit).
func BenchmarkTable(b *testing.B) {
	descriptions := []string{"Generated token 1 (stale teams)", "deploy bot for the monorepo, runs every merge", "", "日本語の説明", "Generated token 4 (recent admin)"}
	for _, n := range []int{5000, 50000} {
		uuids, owners, times := make([]string, n), make([]string, n), make([]time.Time, n)
		for i := range n {
			uuids[i] = fmt.Sprintf("%08x-df89-520e-a539-%012x", i*7919, i)
			owners[i] = fmt.Sprintf("member%d@acme.example", i%1000)
			times[i] = tableNow.Add(-time.Duration(i%400) * 24 * time.Hour)
		}
		for _, out := range []struct {
			name  string
			style TableStyle
		}{
			{"pipe", TableStyle{Format: Table, Now: tableNow}},
			{"terminal", TableStyle{Format: Table, Terminal: true, Colour: true, Width: 120, Now: tableNow}},
		} {
			b.Run(fmt.Sprintf("rows=%d/%s", n, out.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					p := NewTablePrinter(out.style, "ORGANIZATION", "TOKEN", "DESCRIPTION", "OWNER", "LAST USED", "RULE", "WHY")
					for i := range n {
						p.AddField("acme")
						p.AddField(uuids[i])
						p.AddField(descriptions[i%len(descriptions)], Cut)
						p.AddField(owners[i], Cut)
						if i%3 == 0 {
							p.AddTimeField(&times[i], "never", WithTone(Warn))
						} else {
							p.AddTimeField(&times[i], "never")
						}
						p.AddField("admin-scopes-held-by-member")
						p.AddField("holds WRITE_TEAMS and its owner is a member")
						p.EndRow()
					}
					if err := WriteTable(io.Discard, p.Rows()); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
			})
		}
	}
}

// Rows share blocks of cells and of time text and keep what was added to
// them: a row with more fields than headers does not reach into the next
// row, and a time made early reads the same once thousands more are made.
func TestTablePrinterRowsKeepTheirCells(t *testing.T) {
	p := NewTablePrinter(TableStyle{Format: Table, Now: tableNow}, "N", "WHEN")
	var want [][]string
	for i := range 3000 {
		when := tableNow.Add(-time.Duration(i) * time.Minute)
		row := []string{fmt.Sprint(i), when.UTC().Format(time.RFC3339)}
		p.AddField(row[0])
		p.AddTimeField(&when, "never")
		if i%7 == 0 {
			p.AddField("extra")
			row = append(row, "extra")
		}
		p.EndRow()
		want = append(want, row)
	}
	rows := p.Rows()
	if len(rows.Cells) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows.Cells), len(want))
	}
	for i, r := range rows.Cells {
		if !slices.Equal(r, want[i]) {
			t.Fatalf("row %d = %q, want %q", i, r, want[i])
		}
	}
}

// The table that lays every table out, reset before each, lays a table
// out as a new tablewriter table does, whatever came before it.
func TestLayoutTableIsANewTable(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	for i := range 500 {
		rows := randomTable(rnd)
		rows, _ = printableRows(rows)
		got, _, err := renderTableWriter(rows.Headers, rows.Cells)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		want, _, err := renderWith(newTableWriter(&buf), &buf, rows.Headers, rows.Cells)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("table %d (%q, cells %q):\n got %q\nwant %q", i, rows.Headers, rows.Cells, got, want)
		}
	}
}

// A table written a row at a time measures time cells without writing
// them out where every such time is as wide: the columns are those of the
// held table for times of any year, zone and fraction of a second.
func TestWriteRowsMeasuresTimes(t *testing.T) {
	zone := time.FixedZone("east", 5*3600+1800)
	var times []*time.Time
	for _, y := range []int{-5, 0, 9, 999, 2026, 9999, 10000, 123456} {
		for _, at := range []time.Time{time.Date(y, 12, 31, 23, 59, 59, 999999999, zone), time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)} {
			times = append(times, &at)
			if s := at.UTC().Format(time.RFC3339); rfc3339Width(at) != (len(s) == len(rfc3339Sample)) {
				t.Errorf("rfc3339Width(%s) = %v, written %q", at, rfc3339Width(at), s)
			}
		}
	}
	for _, style := range []TableStyle{{Format: Table, Now: tableNow}, {Format: Wide, Terminal: true, Now: tableNow}} {
		for n := 1; n <= len(times); n++ {
			p := NewTablePrinter(style, "N", "WHEN", "AFTER")
			add := func() {
				for i, at := range append(times[len(times)-n:], nil) {
					p.AddField(fmt.Sprint(i))
					p.AddTimeField(at, "never")
					p.AddField("x")
					p.EndRow()
				}
			}
			var got strings.Builder
			if err := p.WriteRows(&got, add); err != nil {
				t.Fatal(err)
			}
			held := NewTablePrinter(style, "N", "WHEN", "AFTER")
			p = held
			add()
			if want := renderTable(t, held.Rows()); got.String() != want {
				t.Errorf("%+v, the last %d times:\n got %q\nwant %q", style, n, got.String(), want)
			}
		}
	}
}
