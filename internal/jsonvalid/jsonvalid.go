// Package jsonvalid says whether bytes are one valid JSON value, as
// encoding/json's Valid does, in one quick pass: the transport checks every
// answer it was promised JSON for before the decoder reads it again, and a
// page of a large listing is hundreds of kilobytes.
package jsonvalid

// maxDepth is encoding/json's limit on nesting: deeper is not valid.
const maxDepth = 10000

// Valid reports whether data is one JSON value, with white space around it
// allowed, exactly when encoding/json's Valid does: strings may hold any
// byte but the control characters (invalid UTF-8 included), and nesting
// deeper than 10,000 is refused.
func Valid(data []byte) bool {
	v := validator{data: data}
	i, ok := v.value(v.space(0), 0)
	return ok && v.space(i) == len(data)
}

type validator struct{ data []byte }

// stops are the bytes a string's content cannot simply step over: its end,
// an escape, and the control characters it may not hold.
var stops = [256]bool{
	'"': true, '\\': true,
	0x00: true, 0x01: true, 0x02: true, 0x03: true, 0x04: true, 0x05: true, 0x06: true, 0x07: true,
	0x08: true, 0x09: true, 0x0a: true, 0x0b: true, 0x0c: true, 0x0d: true, 0x0e: true, 0x0f: true,
	0x10: true, 0x11: true, 0x12: true, 0x13: true, 0x14: true, 0x15: true, 0x16: true, 0x17: true,
	0x18: true, 0x19: true, 0x1a: true, 0x1b: true, 0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true,
}

func (v *validator) space(i int) int {
	for i < len(v.data) {
		switch v.data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value checks the value at i and returns where it ends.
func (v *validator) value(i, depth int) (int, bool) {
	if i >= len(v.data) {
		return i, false
	}
	switch c := v.data[i]; {
	case c == '{':
		return v.object(i+1, depth+1)
	case c == '[':
		return v.array(i+1, depth+1)
	case c == '"':
		return v.string(i + 1)
	case c == '-' || ('0' <= c && c <= '9'):
		return v.number(i)
	case c == 't':
		return v.literal(i, "true")
	case c == 'f':
		return v.literal(i, "false")
	case c == 'n':
		return v.literal(i, "null")
	}
	return i, false
}

func (v *validator) literal(i int, word string) (int, bool) {
	if len(v.data)-i < len(word) || string(v.data[i:i+len(word)]) != word {
		return i, false
	}
	return i + len(word), true
}

func (v *validator) object(i, depth int) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	i = v.space(i)
	if i < len(v.data) && v.data[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(v.data) || v.data[i] != '"' {
			return i, false
		}
		var ok bool
		if i, ok = v.string(i + 1); !ok {
			return i, false
		}
		if i = v.space(i); i >= len(v.data) || v.data[i] != ':' {
			return i, false
		}
		if i, ok = v.value(v.space(i+1), depth); !ok {
			return i, false
		}
		var more bool
		if i, more, ok = v.after(i, '}'); !more {
			return i, ok
		}
	}
}

func (v *validator) array(i, depth int) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	i = v.space(i)
	if i < len(v.data) && v.data[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = v.value(i, depth); !ok {
			return i, false
		}
		var more bool
		if i, more, ok = v.after(i, ']'); !more {
			return i, ok
		}
	}
}

// after reads what follows a member or element at i: a comma, after which
// more follow (i is then at the next one), or closer, which ends the
// object or array well formed; anything else is not JSON.
func (v *validator) after(i int, closer byte) (next int, more, ok bool) {
	if i = v.space(i); i >= len(v.data) {
		return i, false, false
	}
	switch v.data[i] {
	case ',':
		return v.space(i + 1), true, true
	case closer:
		return i + 1, false, true
	}
	return i, false, false
}

// string checks a string's content from just after its opening quote.
func (v *validator) string(i int) (int, bool) {
	d := v.data
	for {
		for i < len(d) && !stops[d[i]] {
			i++
		}
		if i >= len(d) {
			return i, false
		}
		switch d[i] {
		case '"':
			return i + 1, true
		case '\\':
			if i+1 >= len(d) {
				return i, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(d)-i < 6 || !hex(d[i+2]) || !hex(d[i+3]) || !hex(d[i+4]) || !hex(d[i+5]) {
					return i, false
				}
				i += 6
			default:
				return i, false
			}
		default: // a control character
			return i, false
		}
	}
}

func hex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func digits(d []byte, i int) int {
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i
}

// number checks -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (v *validator) number(i int) (int, bool) {
	d := v.data
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = digits(d, i+1)
	default:
		return i, false
	}
	if i < len(d) && d[i] == '.' {
		j := digits(d, i+1)
		if j == i+1 {
			return i, false
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return i, false
		}
		i = j
	}
	return i, true
}
