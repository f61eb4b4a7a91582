package hygiene

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

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

// newline starts a line at the current depth.
func (w *findingJSON) newline() {
	if n := 5 + 2*w.depth; n <= len(indents) {
		w.b = append(w.b, indents[:n]...)
		return
	}
	w.b = append(w.b, '\n', ' ', ' ', ' ', ' ')
	for range w.depth {
		w.b = append(w.b, ' ', ' ')
	}
}

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
	if sec := t.Unix(); t.Nanosecond() == 0 && t.Location() == time.UTC && sec >= minJSONUnix && sec <= maxJSONUnix {
		w.b = append(w.b, '"')
		w.b = appendUnixSeconds(w.b, sec)
		w.b = append(w.b, '"')
		return
	}
	if y := t.Year(); y < 0 || y > 9999 {
		w.err = cmpErr(w.err, errors.New("a time outside the years 0 to 9999 cannot be written in JSON"))
		return
	}
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

// The first and last second of the years 0 to 9999, which JSON can hold.
const (
	minJSONUnix = -62167219200
	maxJSONUnix = 253402300799
)

// appendUnixSeconds appends a time given in Unix seconds, from minJSONUnix
// to maxJSONUnix, as RFC 3339 in UTC: what time.RFC3339Nano writes for a
// time in UTC with no fraction of a second.
func appendUnixSeconds(b []byte, sec int64) []byte {
	days, rem := sec/86400, sec%86400
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	// Days to the civil calendar, counting from 0000-03-01 in eras of 400
	// years (146,097 days).
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month := mp + 3
	if month > 12 {
		month -= 12
	}
	year := yoe + era*400
	if month <= 2 {
		year++
	}
	hour, minute, second := rem/3600, rem/60%60, rem%60
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append(b, byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T')
	b = append(b, byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':')
	return append(b, byte('0'+second/10), byte('0'+second%10), 'Z')
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
			if p.n < minJSONUnix || p.n > maxJSONUnix {
				w.str(unixStamp(p.n))
				break
			}
			w.b = append(w.b, '"')
			w.b = appendUnixSeconds(w.b, p.n)
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

// plainJSONString reports whether s is written in JSON as itself between
// quotes: printable ASCII other than the quote and the backslash. It looks
// at eight bytes at a time.
func plainJSONString(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// zeroByte says whether a word holds a zero byte.
	zeroByte := func(x uint64) bool { return (x-ones)&^x&highs != 0 }
	i := 0
	for ; i+8 <= len(s); i += 8 {
		c := s[i : i+8]
		x := uint64(c[0]) | uint64(c[1])<<8 | uint64(c[2])<<16 | uint64(c[3])<<24 |
			uint64(c[4])<<32 | uint64(c[5])<<40 | uint64(c[6])<<48 | uint64(c[7])<<56
		// Every byte ASCII, none below 0x20, none a quote or a backslash.
		if x&highs != 0 || (x-0x20*ones)&^x&highs != 0 || zeroByte(x^('"'*ones)) || zeroByte(x^('\\'*ones)) {
			return false
		}
	}
	for ; i < len(s); i++ {
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
