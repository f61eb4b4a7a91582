package output

import (
	"strings"
	"testing"
)

type sample struct {
	Name  string  `json:"name"`
	Count int     `json:"count"`
	Note  *string `json:"note"`
}

func sampleRows(wide bool) Rows {
	r := Rows{Headers: []string{"NAME", "COUNT"}, Cells: [][]string{{"alpha", "1"}, {"beta, gamma", "22"}}}
	if wide {
		r.Headers = append(r.Headers, "NOTE")
		r.Cells[0] = append(r.Cells[0], "")
		r.Cells[1] = append(r.Cells[1], "x")
	}
	return r
}

func render(t *testing.T, p Printer, data any) string {
	t.Helper()
	var b strings.Builder
	p.Out = &b
	if err := p.Print(data, sampleRows); err != nil {
		t.Fatalf("Print: %v", err)
	}
	return b.String()
}

func TestFormats(t *testing.T) {
	data := []sample{{Name: "alpha", Count: 1}, {Name: "beta, gamma", Count: 22}}
	cases := []struct {
		format Format
		want   string
	}{
		{Table, "NAME          COUNT\nalpha         1\nbeta, gamma   22\n"},
		{Wide, "NAME          COUNT   NOTE\nalpha         1\nbeta, gamma   22      x\n"},
		{CSV, "NAME,COUNT,NOTE\nalpha,1,\n\"beta, gamma\",22,x\n"},
		{JSON, "[\n  {\n    \"name\": \"alpha\",\n    \"count\": 1,\n    \"note\": null\n  },\n  {\n    \"name\": \"beta, gamma\",\n    \"count\": 22,\n    \"note\": null\n  }\n]\n"},
		{YAML, "- count: 1\n  name: alpha\n  note: null\n- count: 22\n  name: beta, gamma\n  note: null\n"},
	}
	for _, c := range cases {
		if got := render(t, Printer{Format: c.format}, data); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.format, got, c.want)
		}
	}
}

func TestJQ(t *testing.T) {
	data := []sample{{Name: "alpha", Count: 1}, {Name: "beta", Count: 22}}
	got := render(t, Printer{Format: JSON, JQ: ".[] | select(.count > 5) | .name"}, data)
	if got != "beta\n" {
		t.Errorf("jq strings: got %q", got)
	}
	got = render(t, Printer{Format: JSON, JQ: "map(.count)"}, data)
	if got != "[1,22]\n" {
		t.Errorf("jq values: got %q", got)
	}
	if err := CheckJQ(".[] | "); err == nil {
		t.Error("CheckJQ accepted a broken expression")
	}
}

func TestParseFormat(t *testing.T) {
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "table, wide, json, yaml, csv") {
		t.Errorf("ParseFormat(xml) = %v", err)
	}
	if f, err := ParseFormat("yaml"); err != nil || f != YAML {
		t.Errorf("ParseFormat(yaml) = %v, %v", f, err)
	}
}

func TestDescribeFormats(t *testing.T) {
	for _, c := range []struct {
		formats []Format
		want    string
	}{
		{Formats, "table, wide, json, yaml, csv or markdown"},
		{Generic, "table, wide, json, yaml or csv"},
		{[]Format{Table, JSON}, "table or json"},
		{[]Format{JSON}, "json"},
	} {
		if got := Describe(c.formats); got != c.want {
			t.Errorf("Describe(%v) = %q, want %q", c.formats, got, c.want)
		}
	}
}
