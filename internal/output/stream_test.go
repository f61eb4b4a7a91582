package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

type listDoc struct {
	Name  string         `json:"name"`
	Items []listItem     `json:"items"`
	Tail  map[string]int `json:"tail,omitempty"`
}

type listItem struct {
	ID   int      `json:"id"`
	Tags []string `json:"tags"`
	Note *string  `json:"note"`
}

func (d listDoc) SplitList() (any, string, int, func(int) any) {
	items := d.Items
	d.Items = []listItem{}
	return d, "items", len(items), func(i int) any { return items[i] }
}

// A list document streamed an item at a time is byte for byte the indented
// encoding of the whole document, its list first, last or empty.
func TestListDocumentIsWrittenAsTheWholeDocument(t *testing.T) {
	note := "<b>&amp;</b>\n\u2028"
	var items []listItem
	for i := range 5 {
		items = append(items, listItem{ID: i, Tags: []string{fmt.Sprint("t", i)}, Note: &note})
	}
	for _, doc := range []listDoc{
		{Name: "last", Items: items},
		{Name: "middle", Items: items, Tail: map[string]int{"a": 1}},
		{Name: "empty", Items: []listItem{}, Tail: map[string]int{"a": 1}},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := (Printer{Out: &got, Format: JSON}).Print(doc, nil); err != nil {
			t.Fatalf("%s: %v", doc.Name, err)
		}
		if got.String() != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", doc.Name, got.String(), want.String())
		}
	}
}
