package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// ListDocument is a document whose one large list is written an item at a
// time, so that the document is never held in memory as a whole encoded
// (and again indented) before it is written. The bytes are those of an
// indented encoding of the whole document.
type ListDocument interface {
	// SplitList returns the document with its list empty (not null), the
	// list's JSON field name, its length and its items by index.
	SplitList() (head any, field string, n int, item func(int) any)
}

// JSONItem is a list item that appends its own JSON in one pass: the
// bytes an indented encoding/json encoder writes for it with prefix "    "
// and indent "  ", HTML not escaped, after the prefix of its first line.
type JSONItem interface {
	AppendJSONItem(b []byte) ([]byte, error)
}

func writeListJSON(w io.Writer, doc ListDocument) error {
	head, field, n, item := doc.SplitList()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(head); err != nil {
		return err
	}
	if n == 0 {
		_, err := w.Write(buf.Bytes())
		return err
	}
	empty := fmt.Sprintf("\n  %q: [],\n", field)
	before, after, ok := bytes.Cut(buf.Bytes(), []byte(empty))
	if !ok {
		empty = empty[:len(empty)-2] + "\n" // the last field: no comma
		if before, after, ok = bytes.Cut(buf.Bytes(), []byte(empty)); !ok {
			return fmt.Errorf("output: no place for %q in the encoded document", field)
		}
		after = append([]byte("\n"), after...)
	} else {
		after = append([]byte(",\n"), after...)
	}
	// bufio keeps the first write error and Flush returns it.
	bw := bufio.NewWriterSize(w, 64<<10)
	_, _ = bw.Write(before)
	_, _ = fmt.Fprintf(bw, "\n  %q: [\n", field)
	var one bytes.Buffer
	ienc := json.NewEncoder(&one)
	ienc.SetEscapeHTML(false)
	ienc.SetIndent("    ", "  ")
	var b []byte
	for i := range n {
		b = append(b[:0], "    "...)
		if it, ok := item(i).(JSONItem); ok {
			var err error
			if b, err = it.AppendJSONItem(b); err != nil {
				return err
			}
		} else {
			one.Reset()
			if err := ienc.Encode(item(i)); err != nil {
				return err
			}
			b = append(b, bytes.TrimSuffix(one.Bytes(), []byte("\n"))...)
		}
		if i < n-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		_, _ = bw.Write(b)
	}
	_, _ = bw.WriteString("  ]")
	_, _ = bw.Write(after)
	return bw.Flush()
}
