package redact

import (
	"fmt"
	"log/slog"
)

// Secret holds a credential: the API token, or a leaked token's value.
// Every way Go has of printing or encoding a value (fmt verbs, JSON, YAML,
// text, slog) yields Placeholder, or "" when the secret is empty, so a
// value holding one can be logged or dumped without leaking it. Reveal is the only way to the value; call it only where
// the value is put on the wire.
//
// Two holes remain because Secret is a string type: string(s) converts it
// back, and encoding/json writes string-kinded map keys raw. Never do either.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) masked() string {
	if s == "" {
		return ""
	}
	return Placeholder
}

func (s Secret) String() string   { return s.masked() }
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.masked()) }

// Format makes every fmt verb (%x and %d included, which would otherwise
// bypass String) print the mask.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s.masked())
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, s.GoString())
			return
		}
		fmt.Fprint(f, s.masked())
	default:
		fmt.Fprint(f, s.masked())
	}
}

func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.masked())), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.masked()), nil }
func (s Secret) MarshalYAML() (any, error)    { return s.masked(), nil }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(s.masked()) }
