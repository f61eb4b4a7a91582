package jsonappend

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// Plain, eight bytes at a time, says what a byte at a time says.
func FuzzPlain(f *testing.F) {
	for _, s := range []string{"", "plain ascii text, longer than a word", "tab\there in the middle", `a "quote"`, `back\slash`, "\x1f", "\x7f", "é", "12345678\x00", "1234567\"", "12345678901234\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := true
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				want = false
			}
		}
		if got := Plain(s); got != want {
			t.Errorf("Plain(%q) = %v, want %v", s, got, want)
		}
	})
}

// Strings are written as encoding/json writes them with HTML left alone.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "<b>&</b>", "\u2028\xff\x00\"\\é日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want strings.Builder
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(String(nil, s)) + "\n"; got != want.String() {
			t.Errorf("%q: %s, want %s", s, got, want.String())
		}
	})
}

// Times are written as encoding/json writes them: in UTC without a
// fraction across every year JSON can hold (leap years and negative Unix
// times included), and any other time as time.RFC3339Nano writes it.
func TestTime(t *testing.T) {
	starts := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 2, 28, 9, 5, 7, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(824, 10, 9, 19, 40, 3, 0, time.UTC),
		time.Date(2026, 2, 28, 9, 5, 7, 123, time.UTC), time.Date(2026, 2, 28, 9, 5, 7, 0, time.FixedZone("x", 3600)),
	}
	for _, at := range starts {
		for d := range 400 {
			tm := at.AddDate(0, 0, d*7).Add(time.Duration(d*3671) * time.Second)
			want, err := json.Marshal(tm)
			got, gotErr := Time(nil, tm)
			if (err != nil) != (gotErr != nil) || (err == nil && string(got) != string(want)) {
				t.Fatalf("%v: %s (%v), want %s (%v)", tm, got, gotErr, want, err)
			}
		}
	}
	if _, err := Time(nil, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, ErrYear) {
		t.Errorf("year 10000: %v", err)
	}
}
