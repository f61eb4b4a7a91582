package hygiene

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/jsonappend"
	"github.com/tokenctl/tokenctl/internal/span"
)

// findingJSON is the writer of one finding as WriteJSON lays it out: the
// bytes an indented encoding/json encoder would write (prefix "    ",
// indent "  ", HTML not escaped), appended in one pass over the finding
// instead of encoding it and then indenting the result.
type findingJSON struct {
	b     []byte
	depth int
	keys  []string       // scratch for the evidence's keys
	pairs []evidencePair // scratch for judged evidence
	err   error          // the first value that could not be written
}

// Lines of a finding start with the report's indent ("    ") and two
// spaces a level: in1 for the finding's own members, in2 for those of its
// token, owner, exception and evidence.
const (
	in1     = "\n      "
	in2     = "\n        "
	indents = "\n                                "
)

// indent is the start of a line at the current depth.
func (w *findingJSON) indent() string {
	if n := 5 + 2*w.depth; n <= len(indents) {
		return indents[:n]
	}
	return "\n    " + strings.Repeat("  ", w.depth)
}

// newline starts a line at the current depth.
func (w *findingJSON) newline() { w.b = append(w.b, w.indent()...) }

// lit appends text written out in advance: a member's separator, line
// and key.
func (w *findingJSON) lit(s string) { w.b = append(w.b, s...) }

func (w *findingJSON) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
}

func (w *findingJSON) close(c byte) {
	w.depth--
	w.newline()
	w.b = append(w.b, c)
}

// key starts a member of an object; first says it is the object's first.
func (w *findingJSON) key(k string, first bool) {
	if !first {
		w.b = append(w.b, ',')
	}
	w.newline()
	w.str(k)
	w.b = append(w.b, ':', ' ')
}

func (w *findingJSON) str(s string) { w.b = jsonappend.String(w.b, s) }

func (w *findingJSON) optStr(s *string) {
	if s == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.str(*s)
}

func (w *findingJSON) boolean(v bool) { w.b = strconv.AppendBool(w.b, v) }

func (w *findingJSON) time(t time.Time) {
	var err error
	if w.b, err = jsonappend.Time(w.b, t); err != nil {
		w.err = cmpErr(w.err, err)
	}
}

func (w *findingJSON) optTime(t *time.Time) {
	if t == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.time(*t)
}

func (w *findingJSON) strings(ss []string) {
	w.b = jsonappend.Strings(w.b, ss, w.indent())
}

// any writes a value of a type the writer does not spell out (evidence
// read back from a saved report, say) through encoding/json.
func (w *findingJSON) any(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	prefix := "    "
	for range w.depth {
		prefix += "  "
	}
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		w.err = cmpErr(w.err, err)
		return
	}
	w.b = append(w.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

func (w *findingJSON) evidence(e Evidence) {
	if e == nil {
		w.b = append(w.b, "null"...)
		return
	}
	if len(e) == 0 {
		w.b = append(w.b, '{', '}')
		return
	}
	w.keys = w.keys[:0]
	for k := range e {
		w.keys = append(w.keys, k)
	}
	slices.Sort(w.keys)
	w.open('{')
	for i, k := range w.keys {
		w.key(k, i == 0)
		switch v := e[k].(type) {
		case nil:
			w.b = append(w.b, "null"...)
		case string:
			w.str(v)
		case bool:
			w.boolean(v)
		case []string:
			w.strings(v)
		default:
			w.any(v)
		}
	}
	w.close('}')
}

// findingEvidence writes judged evidence from its typed values, and
// evidence read back as the map it was read as.
func (w *findingJSON) findingEvidence(e *FindingEvidence) {
	if e.rule == nil {
		w.evidence(e.saved)
		return
	}
	w.pairs = e.pairs(w.pairs[:0])
	if len(w.pairs) == 0 {
		w.b = append(w.b, '{', '}')
		return
	}
	w.open('{')
	for i, p := range w.pairs {
		// The names are tokenctl's own, written as they are.
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.newline()
		w.b = append(w.b, '"')
		w.b = append(w.b, p.key...)
		w.b = append(w.b, '"', ':', ' ')
		switch p.kind {
		case pairNull:
			w.b = append(w.b, "null"...)
		case pairString:
			w.str(p.str)
		case pairBool:
			w.boolean(p.flag)
		case pairStrings:
			w.strings(p.scopes)
		case pairUnix:
			if p.n < jsonappend.MinUnix || p.n > jsonappend.MaxUnix {
				w.str(unixStamp(p.n))
				break
			}
			w.b = append(w.b, '"')
			w.b = jsonappend.UnixSeconds(w.b, p.n)
			w.b = append(w.b, '"')
		case pairDays:
			w.b = append(w.b, '"')
			w.b = appendDays(w.b, time.Duration(p.n))
			w.b = append(w.b, '"')
		}
	}
	w.close('}')
}

// appendDays appends a span as wholeDays writes it.
func appendDays(b []byte, d time.Duration) []byte {
	if d >= span.Day {
		return append(strconv.AppendInt(b, int64(d/span.Day), 10), 'd')
	}
	return append(strconv.AppendInt(b, int64(d.Hours()), 10), 'h')
}

// finding appends f. Its members' lines and keys are written out in
// advance (in1, in2): the layout of a finding never changes.
func (w *findingJSON) finding(f *Finding) {
	w.open('{')
	w.lit(in1 + `"organization": `)
	w.str(f.Organization)
	w.lit("," + in1 + `"token": `)
	w.token(f.Token)
	w.lit("," + in1 + `"owner": `)
	w.owner(f.Owner)
	w.lit("," + in1 + `"rule": `)
	w.str(f.Rule)
	w.lit("," + in1 + `"kind": `)
	w.str(f.Kind)
	w.lit("," + in1 + `"severity": `)
	w.str(string(f.Severity))
	w.lit("," + in1 + `"message": `)
	w.str(f.Message)
	w.lit("," + in1 + `"evidence": `)
	w.findingEvidence(&f.Evidence)
	w.lit("," + in1 + `"bot": `)
	w.boolean(f.Bot)
	w.lit("," + in1 + `"machineUser": `)
	w.boolean(f.MachineUser)
	w.lit("," + in1 + `"status": `)
	w.str(f.Status)
	w.lit("," + in1 + `"exception": `)
	w.exception(f.Exception)
	w.lit("," + in1 + `"change": `)
	w.optStr(f.Change)
	w.close('}')
}

func (w *findingJSON) token(t *TokenRef) {
	if t == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('{')
	w.lit(in2 + `"id": `)
	w.str(t.ID)
	w.lit("," + in2 + `"uuid": `)
	w.str(t.UUID)
	w.lit("," + in2 + `"description": `)
	w.optStr(t.Description)
	w.lit("," + in2 + `"scopes": `)
	w.strings(t.Scopes)
	w.lit("," + in2 + `"createdAt": `)
	w.time(t.CreatedAt)
	w.lit("," + in2 + `"lastAccessedAt": `)
	w.optTime(t.LastAccessedAt)
	w.lit("," + in2 + `"expiresAt": `)
	w.optTime(t.ExpiresAt)
	w.close('}')
}

func (w *findingJSON) owner(o *OwnerRef) {
	if o == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('{')
	w.lit(in2 + `"uuid": `)
	w.str(o.UUID)
	w.lit("," + in2 + `"name": `)
	w.str(o.Name)
	w.lit("," + in2 + `"email": `)
	w.str(o.Email)
	w.lit("," + in2 + `"role": `)
	w.optStr(o.Role)
	w.lit("," + in2 + `"bot": `)
	w.boolean(o.Bot)
	w.lit("," + in2 + `"machineUser": `)
	w.boolean(o.MachineUser)
	w.close('}')
}

func (w *findingJSON) exception(e *ExceptionRef) {
	if e == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('{')
	w.lit(in2 + `"source": `)
	w.str(e.Source)
	w.lit("," + in2 + `"reason": `)
	w.str(e.Reason)
	w.lit("," + in2 + `"until": `)
	w.time(e.Until)
	w.lit("," + in2 + `"expired": `)
	w.boolean(e.Expired)
	w.close('}')
}

// cmpErr keeps the first error.
func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}
