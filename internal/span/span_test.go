package span

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "90d", want: 90 * Day},
		{in: "6w", want: 42 * Day},
		{in: "12h", want: 12 * time.Hour},
		{in: "1y", want: 365 * Day},
		{in: " 1Y6W ", want: 365*Day + 42*Day},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "45s", want: 45 * time.Second},
		{in: "100y", want: 100 * Year},
		{in: "", wantErr: "empty duration"},
		{in: "90", wantErr: "e.g. 90d"},
		{in: "d", wantErr: "e.g. 90d"},
		{in: "90days", wantErr: "e.g. 90d"},
		{in: "3mo", wantErr: "e.g. 90d"},
		{in: "-5d", wantErr: "e.g. 90d"},
		{in: "1.5d", wantErr: "unknown unit"},
		{in: "5x", wantErr: "unknown unit 'x'"},
		{in: "0d", wantErr: "more than zero"},
		{in: "101y", wantErr: "too long"},
		{in: "99y60w", wantErr: "too long"},
		{in: "99999999999999999999d", wantErr: "too long"},
		{in: "bkua_0123456789abcdef0123456789abcdef01234567", wantErr: "not shown"},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("Parse(%q) = %v, %v; want error containing %q", c.in, got, err, c.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "bkua_") {
				t.Errorf("Parse echoed a secret-shaped value: %v", err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{90 * Day: "90d", Year: "365d", 6 * Week: "42d", 12 * time.Hour: "12h0m0s"} {
		if got := Format(d); got != want {
			t.Errorf("Format(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	cases := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2026-07-01", want: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-07-01T09:30:00Z", want: time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)},
		{in: "2026-07-01T09:30:00+02:00", want: time.Date(2026, 7, 1, 7, 30, 0, 0, time.UTC)},
		{in: "2026-13-01", wantErr: true},
		{in: "01/07/2026", wantErr: true},
		{in: "tomorrow", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, c := range cases {
		got, err := ParseDate(c.in)
		if c.wantErr {
			if err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
				t.Errorf("ParseDate(%q) = %v, %v; want an error showing the accepted forms", c.in, got, err)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// Whatever it is given, Parse either fails with a one-line message
// or returns a positive span within bounds that reads back the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"90d", "6w", "1y6w", "12h", "0d", "", "1.5d", "999999999999y", "1h30m45s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("multi-line error for %q: %q", s, err)
			}
			return
		}
		if d <= 0 || d > maxDuration {
			t.Fatalf("Parse(%q) = %v, out of bounds", s, d)
		}
		if back, err := Parse(Format(d)); d%Day == 0 && (err != nil || back != d) {
			t.Errorf("Format(%v) = %q reads back as %v, %v", d, Format(d), back, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-07-01", "2026-07-01T09:30:00Z", "2026-02-30", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("multi-line error for %q: %q", s, err)
			}
			return
		}
		if d.IsZero() {
			t.Errorf("ParseDate(%q) accepted a zero time", s)
		}
	})
}
