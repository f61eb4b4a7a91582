// Package scan reads secret scanners' findings — TruffleHog's JSON lines
// (--json), the JSON reports of gitleaks and betterleaks (--report-format
// json), ggshield (--json), Nosey Parker (report --format json or jsonl)
// and Kingfisher (--format json or jsonl) — and keeps the Buildkite API
// access tokens among them, one entry per distinct secret with every place
// it was found. It never puts a secret value in an error, a String or a
// JSON document: only a fingerprint of it.
package scan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tokenctl/tokenctl/internal/lazyregexp"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// Formats of scanner output.
const (
	// FormatNone is empty input: what a scanner that found nothing
	// prints (TruffleHog prints nothing at all).
	FormatNone        = "none"
	FormatTruffleHog  = "trufflehog"
	FormatGitleaks    = "gitleaks"
	FormatBetterleaks = "betterleaks"
	FormatGGShield    = "ggshield"
	FormatNoseyParker = "noseyparker"
	FormatKingfisher  = "kingfisher"
)

// userToken is a Buildkite user API access token as any detector may
// report it: the bkua_ prefix and letters or digits. Scanners disagree on
// the rest (40 lower-case characters, 40 hex, Buildkite's documentation
// shows a longer value), and Buildkite is the judge of what it accepts: a
// value it does not know is reported dead, never sent anywhere else.
// Compiled on first use: only a scan needs it, and every tokenctl start-up
// would pay for compiling it at init.
var userToken = lazyregexp.New(`^bkua_[A-Za-z0-9]{20,250}$`)

// bareToken is a value without a prefix, kept only when the scanner's
// detector says it is a Buildkite token: TruffleHog's older Buildkite
// detector reports 40 characters without the bkua_ prefix (tokens made
// before the prefix existed).
var bareToken = lazyregexp.New(`^[A-Za-z0-9]{20,250}$`)

// FingerprintLength is how many hex characters of the value's SHA-256 a
// fingerprint keeps: enough to tell secrets apart, far too few to find one.
const FingerprintLength = 12

// Location is one place a scanner found a secret.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line"`             // 0 when the scanner gave none
	Commit string `json:"commit,omitempty"` // for findings in a repository's history
}

func (l Location) String() string {
	s := l.File
	if s == "" {
		s = "(unknown file)"
	}
	if l.Line > 0 {
		s += fmt.Sprintf(":%d", l.Line)
	}
	if l.Commit != "" {
		s += "@" + l.Commit[:min(len(l.Commit), 12)]
	}
	return s
}

// Secret is one distinct Buildkite API access token the scanner found.
type Secret struct {
	// Value is the token's secret value; only Reveal opens it.
	Value       redact.Secret `json:"-"`
	Fingerprint string        `json:"fingerprint"`
	Locations   []Location    `json:"locations"`
}

// Findings is what a scanner's output holds for tokenctl.
type Findings struct {
	Format  string   // one of the Format constants
	Secrets []Secret // Buildkite API access tokens, in order of first finding
	// Ignored counts findings that are not Buildkite API access tokens
	// (other detectors, other secrets, other Buildkite token types).
	Ignored int
}

// Fingerprint is the first FingerprintLength hex characters of the value's
// SHA-256.
func Fingerprint(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])[:FingerprintLength]
}

// IsBuildkiteDetector reports whether a scanner's name for what it found
// (TruffleHog's DetectorName, a gitleaks rule id, a ggshield incident
// type, a Nosey Parker or Kingfisher rule) says Buildkite API token.
// Buildkite's agent tokens are another credential, which the revocation
// mutation does not govern.
func IsBuildkiteDetector(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "buildkite") && !strings.Contains(n, "agent")
}

// Kept reports whether a finding is a Buildkite user API access token:
// a bkua_ value, or, when its detector says Buildkite, a value without a
// prefix.
func Kept(value, detector string) bool {
	return userToken.MatchString(value) || (IsBuildkiteDetector(detector) && bareToken.MatchString(value))
}

// readableFormats names what Parse reads, for its refusals.
const readableFormats = "TruffleHog JSON lines (trufflehog --json) nor the JSON report of gitleaks or betterleaks (--report-format json), ggshield (--json), Nosey Parker (report --format json) or Kingfisher (--format json)"

// Parse reads a scanner's output, telling the formats apart by shape:
// a JSON array is a gitleaks, betterleaks, Nosey Parker or Kingfisher
// report (by its entries' fields); JSON objects one after another are
// TruffleHog's lines, a ggshield report, or Kingfisher's or Nosey
// Parker's JSON lines. Empty input is a scan that found nothing. A report
// whose values were redacted is refused: the values are what tokenctl
// needs. Errors name lines, entries and fields, never values.
func Parse(data []byte) (Findings, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return Findings{Format: FormatNone, Secrets: []Secret{}}, nil
	case trimmed[0] == '[':
		return parseArray(trimmed)
	case trimmed[0] == '{':
		return parseObjects(data)
	}
	return Findings{}, errors.New("is neither " + readableFormats)
}

// finding is one thing a scanner reported, in tokenctl's terms.
type finding struct {
	detector string // the scanner's name for it
	value    string
	loc      Location
}

type collector struct {
	f     Findings
	index map[string]int // value -> position in f.Secrets
	// detectorDecides is true for scanners whose detectors are specific
	// (TruffleHog): a finding of another detector is never a Buildkite
	// token, whatever its value looks like.
	detectorDecides bool
	// redacted reports whether the scanner replaced a value, found by
	// detector, with a mask.
	redacted func(value, detector string) bool
}

func newCollector(format string, redacted func(value, detector string) bool) *collector {
	if redacted == nil {
		redacted = func(string, string) bool { return false }
	}
	return &collector{f: Findings{Format: format, Secrets: []Secret{}}, index: map[string]int{}, redacted: redacted}
}

// errRedacted is a report whose values the scanner masked.
func errRedacted(how string) error {
	return fmt.Errorf("holds redacted values (%s): tokenctl needs each secret's value to find its token; run the scanner again without redaction and keep its output private", how)
}

// redactionHint says how the scanner of format redacts, for errRedacted.
func redactionHint(format string) string {
	switch format {
	case FormatGitleaks:
		return "gitleaks --redact"
	case FormatBetterleaks:
		return "betterleaks --redact"
	case FormatGGShield:
		return "ggshield hides secrets unless given --show-secrets"
	case FormatKingfisher:
		return "kingfisher --redact"
	}
	return ""
}

func (c *collector) add(fd finding) error {
	value := strings.TrimSpace(fd.value)
	if c.redacted(value, fd.detector) {
		return errRedacted(redactionHint(c.f.Format))
	}
	keep := Kept(value, fd.detector)
	if c.detectorDecides {
		keep = IsBuildkiteDetector(fd.detector) && (userToken.MatchString(value) || bareToken.MatchString(value))
	}
	if !keep {
		c.f.Ignored++
		return nil
	}
	i, ok := c.index[value]
	if !ok {
		i = len(c.f.Secrets)
		c.index[value] = i
		c.f.Secrets = append(c.f.Secrets, Secret{Value: redact.Secret(value), Fingerprint: Fingerprint(value), Locations: []Location{}})
	}
	s := &c.f.Secrets[i]
	if !slices.Contains(s.Locations, fd.loc) {
		s.Locations = append(s.Locations, fd.loc)
	}
	return nil
}

// jsonProblem describes a JSON syntax error by position only: the text
// around it could be a secret.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	}
	return "it does not hold the expected types"
}
