// Package jsonappend appends JSON values to a byte slice as encoding/json
// writes them with HTML escaping off, for the writers that lay out a large
// document in one pass (a check's findings, a listing's tokens) instead of
// encoding each item and then indenting it.
package jsonappend

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"
)

// ErrYear is a time encoding/json cannot write.
var ErrYear = errors.New("a time outside the years 0 to 9999 cannot be written in JSON")

// The first and last second of the years 0 to 9999, which JSON can hold.
const (
	MinUnix = -62167219200
	MaxUnix = 253402300799
)

// String appends s as a JSON string.
func String(b []byte, s string) []byte {
	if Plain(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// OptString appends *s, or null.
func OptString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return String(b, *s)
}

// Plain reports whether s is written in JSON as itself between quotes:
// printable ASCII other than the quote and the backslash. It looks at
// eight bytes at a time.
func Plain(s string) bool {
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

// Time appends t as a JSON string, as encoding/json writes a time.Time
// (RFC 3339 with nanoseconds); a year outside 0 to 9999 is ErrYear.
func Time(b []byte, t time.Time) ([]byte, error) {
	if sec := t.Unix(); t.Nanosecond() == 0 && t.Location() == time.UTC && sec >= MinUnix && sec <= MaxUnix {
		b = append(b, '"')
		b = UnixSeconds(b, sec)
		return append(b, '"'), nil
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return b, ErrYear
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// OptTime appends *t, or null.
func OptTime(b []byte, t *time.Time) ([]byte, error) {
	if t == nil {
		return append(b, "null"...), nil
	}
	return Time(b, *t)
}

// UnixSeconds appends a time given in Unix seconds, from MinUnix to
// MaxUnix, as RFC 3339 in UTC (no quotes): what time.RFC3339Nano writes
// for a time in UTC with no fraction of a second.
func UnixSeconds(b []byte, sec int64) []byte {
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
	const digits = "0123456789"
	b = append(b, digits[year/1000], digits[year/100%10], digits[year/10%10], digits[year%10], '-')
	b = append(b, digits[month/10], digits[month%10], '-', digits[day/10], digits[day%10], 'T')
	b = append(b, digits[hour/10], digits[hour%10], ':', digits[minute/10], digits[minute%10], ':')
	return append(b, digits[second/10], digits[second%10], 'Z')
}

// Strings appends a list of strings, one a line at indent (a newline and
// the spaces of the list's own line) plus two spaces; nil is null.
func Strings(b []byte, ss []string, indent string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	if len(ss) == 0 {
		return append(b, '[', ']')
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, indent...)
		b = append(b, ' ', ' ')
		b = String(b, s)
	}
	b = append(b, indent...)
	return append(b, ']')
}
