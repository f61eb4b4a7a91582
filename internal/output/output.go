// Package output renders command results: tables for people, and JSON,
// YAML, CSV or a jq query for machines. Commands hand it data and a table
// layout; it decides nothing about what the data means. Machine formats
// are a contract: they never depend on whether stdout is a terminal.
package output

import (
	"github.com/fatih/color"

	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/itchyny/gojq"
	"go.yaml.in/yaml/v3"
)

// Format is an output format.
type Format string

const (
	Table Format = "table"
	Wide  Format = "wide"
	JSON  Format = "json"
	YAML  Format = "yaml"
	CSV   Format = "csv"
	// Markdown is a report for a CI job's summary; only commands that
	// declare it print it.
	Markdown Format = "markdown"
)

// Formats lists every format, in the order help texts show them. It is
// the one list: the output setting accepts these, and each command
// declares the part of it that it prints.
var Formats = []Format{Table, Wide, JSON, YAML, CSV, Markdown}

// Generic are the formats Printer.Print writes for any document: those a
// command prints unless its output is a report of its own. Markdown is not
// one of them; a command that prints it writes it itself.
var Generic = []Format{Table, Wide, JSON, YAML, CSV}

// ParseFormat validates a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q: use one of %s", s, strings.Join(Names(Formats), ", "))
}

// Names are the names of formats, in their order.
func Names(formats []Format) []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return names
}

// Describe lists formats for a help text: "table, json or yaml".
func Describe(formats []Format) string {
	names := Names(formats)
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Machine reports whether the format is for programs rather than people.
func (f Format) Machine() bool { return f == JSON || f == YAML || f == CSV }

// Rows is a table layout: headers and cells, already formatted. Cells
// are data: whatever they hold is shown, never acted on (see Printable).
type Rows struct {
	Headers []string
	Cells   [][]string
	// Colour, when set, gives the colour of a table cell (one of Red,
	// Green, Yellow), or nil. It is applied after the cells are made
	// printable, which would otherwise escape it, and only to tables.
	Colour func(row, col int) *color.Color
	// Cut marks the columns that may be shortened to fit Width.
	Cut []bool
	// Width, when positive, is the terminal width the table must fit
	// (see TablePrinter); 0 keeps every character.
	Width int
}

// Printer writes one result in the chosen format.
type Printer struct {
	Out    io.Writer
	Format Format
	// JQ filters the JSON document before printing (json format only).
	JQ string
}

// Print writes data. rows builds the table layout; wide asks for the extra
// columns (also used for CSV, which always carries every column).
func (p Printer) Print(data any, rows func(wide bool) Rows) error {
	if p.JQ != "" {
		return p.printJQ(data)
	}
	switch p.Format {
	case JSON:
		return writeJSON(p.Out, data)
	case YAML:
		return writeYAML(p.Out, data)
	case CSV:
		return writeCSV(p.Out, rows(true))
	case Wide:
		return WriteTable(p.Out, rows(true))
	default:
		return WriteTable(p.Out, rows(false))
	}
}

// PrintTable is Print for data whose table may be too long to hold:
// table makes the table's printer and the function that adds its rows to
// it, which the table and wide formats call once per pass over the rows
// and write them as they are made (see TablePrinter.WriteRows); CSV
// holds them.
func (p Printer) PrintTable(data any, table func(wide bool) (*TablePrinter, func())) error {
	switch {
	case p.JQ != "" || p.Format == JSON || p.Format == YAML:
		return p.Print(data, nil)
	case p.Format == CSV:
		t, add := table(true)
		add()
		return writeCSV(p.Out, t.Rows())
	}
	t, add := table(p.Format == Wide)
	return t.WriteRows(p.Out, add)
}

func writeJSON(w io.Writer, data any) error {
	if doc, ok := data.(ListDocument); ok {
		return writeListJSON(w, doc)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(data)
}

// generic turns data into plain maps and slices through its JSON form, so
// YAML and jq see exactly the JSON contract's field names.
func generic(data any) (any, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return normaliseNumbers(v), nil
}

// normaliseNumbers turns json.Number into int or float64, which gojq and
// the YAML encoder understand.
func normaliseNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normaliseNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normaliseNumbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

func writeYAML(w io.Writer, data any) error {
	v, err := generic(data)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}

func writeCSV(w io.Writer, rows Rows) error {
	cw := csv.NewWriter(w)
	record := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = csvCell(c)
		}
		return out
	}
	if err := cw.Write(record(rows.Headers)); err != nil {
		return err
	}
	for _, r := range rows.Cells {
		if err := cw.Write(record(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// The colours a Rows.Colour may give, for terminals only: the table
// writer applies them after making every cell printable. Whether to
// colour at all is the command's decision (iostreams knows the terminal
// and NO_COLOR), so they are always enabled here, whatever the colour
// library guessed from this process's own standard output.
var (
	Red    = alwaysColour(color.FgRed)    // failure
	Green  = alwaysColour(color.FgGreen)  // success
	Yellow = alwaysColour(color.FgYellow) // worth a look (a stale token)
)

func alwaysColour(a color.Attribute) *color.Color {
	c := color.New(a)
	c.EnableColor()
	return c
}

// JQError is a jq expression that does not parse or fails to run.
type JQError struct {
	Err error
	// Document is set when the expression failed while running: it is the
	// unfiltered JSON document, which the caller shows instead (on
	// stderr) so that what the run did is not lost. Nothing was printed
	// on Out.
	Document []byte
}

func (e *JQError) Error() string {
	if e.Document != nil {
		return "--jq: " + e.Err.Error() + " (the unfiltered JSON document follows on stderr)"
	}
	return "--jq: " + e.Err.Error()
}
func (e *JQError) Unwrap() error { return e.Err }

// haltError is halt_error's stop: a failure of the expression like any
// other, reported with the value it was given (a string as it is, anything
// else as JSON, as jq prints it). The exit status it asks for is not used:
// tokenctl's exit statuses keep their documented meanings whatever the
// filter does (docs/contracts/json.md).
type haltError struct{ err *gojq.HaltError }

// value is what halt_error was given, unwrapped (see haltErrorDefs).
func (e haltError) value() any {
	if w, ok := e.err.Value().([]any); ok && len(w) == 1 {
		return w[0]
	}
	return e.err.Value()
}

func (e haltError) Error() string {
	v := e.value()
	if s, ok := v.(string); ok {
		return "halt_error: " + s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "Ada <ada@…>" as it is, as jq shows it
	if err := enc.Encode(v); err != nil {
		return e.err.Error()
	}
	return "halt_error: " + strings.TrimSuffix(b.String(), "\n")
}

func (e haltError) Unwrap() error { return e.err }

// haltErrorDefs redefine halt_error/0 and halt_error/1 to hand the
// builtin their value wrapped in a one-element array. gojq reports `halt`
// as a HaltError without a value, and `null | halt_error` (whatever its
// exit status, 0 included) as one too, so that the two could not be told
// apart and a halt_error on null passed for a halt: silently, exit 0.
// Wrapped, every halt_error carries a value; printJQ unwraps it. The
// helper that reaches the builtin (a halt_error/1 defined here would call
// itself) gets a name no expression can spell.
// They are parsed anew for each expression compiled, so that no two
// compilations share a syntax tree.
func haltErrorDefs() []*gojq.FuncDef {
	q, err := gojq.Parse(`def h($c): halt_error($c); def halt_error($c): [.] | h($c); def halt_error: [.] | h(5); .`)
	if err != nil {
		panic(err)
	}
	const helper = "tokenctl halt_error"
	q.FuncDefs[0].Name = helper
	q.FuncDefs[1].Body.Right.Term.Func.Name = helper
	q.FuncDefs[2].Body.Right.Term.Func.Name = helper
	return q.FuncDefs
}

// compileJQ parses and compiles a jq expression.
func compileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, &JQError{Err: err}
	}
	// The expression's own definitions come after, so one that defines
	// halt_error itself is run as written.
	q.FuncDefs = append(haltErrorDefs(), q.FuncDefs...)
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, &JQError{Err: err}
	}
	return code, nil
}

// CheckJQ validates a jq expression before any work is done: a command
// calls it before it sends anything, so that a typo in --jq never comes
// to light only after tokens were revoked.
func CheckJQ(expr string) error {
	if expr == "" {
		return nil
	}
	_, err := compileJQ(expr)
	return err
}

// printJQ runs the expression over the JSON document; string results are
// printed raw (as `jq -r` does), everything else as compact JSON. Results
// are printed only when the whole run succeeds: a run that fails part way
// prints nothing on Out and hands back the unfiltered document in the
// *JQError, so a script reads either the full answer or none.
func (p Printer) printJQ(data any) error {
	code, err := compileJQ(p.JQ)
	if err != nil {
		return err
	}
	v, err := generic(data)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	iter := code.Run(v)
	for {
		res, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := res.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				break // halt: what came before is the output
			}
			if halt != nil {
				err = haltError{halt}
			}
			var doc bytes.Buffer
			if werr := writeJSON(&doc, data); werr != nil {
				return werr
			}
			return &JQError{Err: err, Document: doc.Bytes()}
		}
		if s, isStr := res.(string); isStr {
			out.WriteString(s + "\n")
			continue
		}
		line, err := json.Marshal(res)
		if err != nil {
			return err
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	_, err = p.Out.Write(out.Bytes())
	return err
}

// Failure is what a document says when its command failed before it had
// any results: the one-line error and the exit status.
type Failure struct {
	Message  string `json:"message"`
	ExitCode int    `json:"exitCode"`
}

// PrintFailure prints, in the machine formats that print one document
// (JSON, YAML, and --jq), the document of a command that failed before it
// had results: empty (its fields with no results), with an "error" field
// added, so scripts always get something to parse. Other formats print
// nothing: the error line on stderr says it all.
func (p Printer) PrintFailure(empty any, f Failure) error {
	if p.JQ == "" && p.Format != JSON && p.Format != YAML {
		return nil
	}
	raw, err := json.Marshal(empty)
	if err != nil {
		return err
	}
	errJSON, err := json.Marshal(f)
	if err != nil {
		return err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '{' {
		return fmt.Errorf("a failure document must be a JSON object, not %s", raw)
	}
	// Appended to the object as it is, so JSON keeps the field order.
	doc := append([]byte(nil), raw[:len(raw)-1]...)
	if len(raw) > 2 {
		doc = append(doc, ',')
	}
	doc = append(doc, `"error":`...)
	doc = append(doc, errJSON...)
	doc = append(doc, '}')
	return p.Print(json.RawMessage(doc), nil)
}
