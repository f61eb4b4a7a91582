package output

import (
	"strings"
	"testing"
	"time"
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

// A table laid out in batches is the table laid out whole: the same
// bytes, colours, cut cells and wide characters included.
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
	for _, n := range []int{1, 2, 4} {
		tableBatch = n
		if got := renderTable(t, rows); got != whole {
			t.Errorf("in batches of %d:\n got %q\nwant %q", n, got, whole)
		}
	}
	if strings.Count(whole, "\n") != 7 || !strings.Contains(whole, "\x1b[31mfailed\x1b[0m") || !strings.Contains(whole, "…") {
		t.Errorf("not the table meant: %q", whole)
	}
}
