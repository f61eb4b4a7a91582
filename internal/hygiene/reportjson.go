package hygiene

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
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

// newline starts a line at the current depth.
func (w *findingJSON) newline() {
	w.b = append(w.b, '\n', ' ', ' ', ' ', ' ')
	for range w.depth {
		w.b = append(w.b, ' ', ' ')
	}
}

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

func (w *findingJSON) str(s string) {
	if plainJSONString(s) {
		w.b = append(w.b, '"')
		w.b = append(w.b, s...)
		w.b = append(w.b, '"')
		return
	}
	w.b = appendJSONString(w.b, s)
}

func (w *findingJSON) optStr(s *string) {
	if s == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.str(*s)
}

func (w *findingJSON) boolean(v bool) { w.b = strconv.AppendBool(w.b, v) }

func (w *findingJSON) time(t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		w.err = cmpErr(w.err, errors.New("a time outside the years 0 to 9999 cannot be written in JSON"))
		return
	}
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

func (w *findingJSON) optTime(t *time.Time) {
	if t == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.time(*t)
}

func (w *findingJSON) strings(ss []string) {
	if ss == nil {
		w.b = append(w.b, "null"...)
		return
	}
	if len(ss) == 0 {
		w.b = append(w.b, '[', ']')
		return
	}
	w.open('[')
	for i, s := range ss {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.newline()
		w.str(s)
	}
	w.close(']')
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
		w.key(p.key, i == 0)
		switch p.kind {
		case pairNull:
			w.b = append(w.b, "null"...)
		case pairString:
			w.str(p.str)
		case pairBool:
			w.boolean(p.flag)
		case pairStrings:
			w.strings(p.scopes)
		}
	}
	w.close('}')
}

// finding appends f.
func (w *findingJSON) finding(f *Finding) {
	w.open('{')
	w.key("organization", true)
	w.str(f.Organization)
	w.key("token", false)
	w.token(f.Token)
	w.key("owner", false)
	w.owner(f.Owner)
	w.key("rule", false)
	w.str(f.Rule)
	w.key("kind", false)
	w.str(f.Kind)
	w.key("severity", false)
	w.str(string(f.Severity))
	w.key("message", false)
	w.str(f.Message)
	w.key("evidence", false)
	w.findingEvidence(&f.Evidence)
	w.key("bot", false)
	w.boolean(f.Bot)
	w.key("machineUser", false)
	w.boolean(f.MachineUser)
	w.key("status", false)
	w.str(f.Status)
	w.key("exception", false)
	w.exception(f.Exception)
	w.key("change", false)
	w.optStr(f.Change)
	w.close('}')
}

func (w *findingJSON) token(t *TokenRef) {
	if t == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('{')
	w.key("id", true)
	w.str(t.ID)
	w.key("uuid", false)
	w.str(t.UUID)
	w.key("description", false)
	w.optStr(t.Description)
	w.key("scopes", false)
	w.strings(t.Scopes)
	w.key("createdAt", false)
	w.time(t.CreatedAt)
	w.key("lastAccessedAt", false)
	w.optTime(t.LastAccessedAt)
	w.key("expiresAt", false)
	w.optTime(t.ExpiresAt)
	w.close('}')
}

func (w *findingJSON) owner(o *OwnerRef) {
	if o == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('{')
	w.key("uuid", true)
	w.str(o.UUID)
	w.key("name", false)
	w.str(o.Name)
	w.key("email", false)
	w.str(o.Email)
	w.key("role", false)
	w.optStr(o.Role)
	w.key("bot", false)
	w.boolean(o.Bot)
	w.key("machineUser", false)
	w.boolean(o.MachineUser)
	w.close('}')
}

func (w *findingJSON) exception(e *ExceptionRef) {
	if e == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('{')
	w.key("source", true)
	w.str(e.Source)
	w.key("reason", false)
	w.str(e.Reason)
	w.key("until", false)
	w.time(e.Until)
	w.key("expired", false)
	w.boolean(e.Expired)
	w.close('}')
}

// plainJSONString reports whether s is written in JSON as itself between
// quotes: printable ASCII other than the quote and the backslash.
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendJSONString appends s as encoding/json writes a string with HTML
// escaping off.
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// cmpErr keeps the first error.
func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}
