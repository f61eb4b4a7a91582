// Package scan reads secret scanners' findings — TruffleHog's JSON lines
// (--json) and gitleaks' JSON report (--report-format json) — and keeps the
// Buildkite API access tokens among them, one entry per distinct secret
// with every place it was found. It never puts a secret value in an error,
// a String or a JSON document: only a fingerprint of it.
package scan

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tokenctl/tokenctl/internal/config"
	"github.com/tokenctl/tokenctl/internal/lazyregexp"
)

// Formats of scanner output.
const (
	FormatTruffleHog = "trufflehog"
	FormatGitleaks   = "gitleaks"
)

// buildkiteToken is a Buildkite user API access token, as TruffleHog's
// Buildkite detector matches it. Compiled on first use: only a scan needs
// it, and every tokenctl start-up would pay for compiling it at init.
var buildkiteToken = lazyregexp.New(`^bkua_[a-z0-9]{40}$`)

// truffleHogDetector is the DetectorName of TruffleHog's Buildkite detector.
const truffleHogDetector = "Buildkite"

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
	Value       config.Secret `json:"-"`
	Fingerprint string        `json:"fingerprint"`
	Locations   []Location    `json:"locations"`
}

// Findings is what a scanner's output holds for tokenctl.
type Findings struct {
	Format  string   // FormatTruffleHog or FormatGitleaks
	Secrets []Secret // Buildkite API access tokens, in order of first finding
	// Ignored counts findings that are not Buildkite API access tokens
	// (other detectors, other secrets, redacted values).
	Ignored int
}

// Fingerprint is the first FingerprintLength hex characters of the value's
// SHA-256.
func Fingerprint(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])[:FingerprintLength]
}

// Parse reads TruffleHog JSON lines or a gitleaks JSON report, telling them
// apart by shape: a JSON array is a gitleaks report, JSON objects one to a
// line are TruffleHog's. Anything else is an error that says what was
// expected; errors name lines and fields, never values.
func Parse(data []byte) (Findings, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return Findings{}, errors.New("is empty: give TruffleHog's --json output or gitleaks' --report-format json report")
	case trimmed[0] == '[':
		return parseGitleaks(trimmed)
	case trimmed[0] == '{':
		return parseTruffleHog(data)
	}
	return Findings{}, errors.New("is neither TruffleHog JSON lines (trufflehog --json) nor a gitleaks JSON report (gitleaks --report-format json)")
}

type collector struct {
	f     Findings
	index map[string]int // value -> position in f.Secrets
}

func (c *collector) add(value string, loc Location) {
	if !buildkiteToken.MatchString(value) {
		c.f.Ignored++
		return
	}
	i, ok := c.index[value]
	if !ok {
		i = len(c.f.Secrets)
		c.index[value] = i
		c.f.Secrets = append(c.f.Secrets, Secret{Value: config.Secret(value), Fingerprint: Fingerprint(value), Locations: []Location{}})
	}
	s := &c.f.Secrets[i]
	if !slices.Contains(s.Locations, loc) {
		s.Locations = append(s.Locations, loc)
	}
}

// gitleaksFinding is the part of a gitleaks report entry tokenctl reads.
type gitleaksFinding struct {
	RuleID    *string `json:"RuleID"`
	Secret    *string `json:"Secret"`
	File      string  `json:"File"`
	StartLine int     `json:"StartLine"`
	Commit    string  `json:"Commit"`
}

func parseGitleaks(data []byte) (Findings, error) {
	var entries []json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return Findings{}, fmt.Errorf("starts like a gitleaks JSON report (an array) but is not valid JSON: %s", jsonProblem(err))
	}
	c := collector{f: Findings{Format: FormatGitleaks, Secrets: []Secret{}}, index: map[string]int{}}
	for i, raw := range entries {
		var e gitleaksFinding
		if err := json.Unmarshal(raw, &e); err != nil || e.Secret == nil || e.RuleID == nil {
			return Findings{}, fmt.Errorf("entry %d of the array is not a gitleaks finding (an object with RuleID and Secret)", i+1)
		}
		c.add(strings.TrimSpace(*e.Secret), Location{File: e.File, Line: e.StartLine, Commit: e.Commit})
	}
	return c.f, nil
}

// truffleHogFinding is the part of a TruffleHog --json line tokenctl reads.
// SourceMetadata.Data has one key per source type (Git, Github,
// Filesystem, ...), each with file, line and, in history, commit.
type truffleHogFinding struct {
	DetectorName   *string `json:"DetectorName"`
	Raw            *string `json:"Raw"`
	SourceMetadata struct {
		Data map[string]struct {
			File   string `json:"file"`
			Line   int    `json:"line"`
			Commit string `json:"commit"`
		} `json:"Data"`
	} `json:"SourceMetadata"`
}

// maxLine bounds one TruffleHog line.
const maxLine = 4 << 20

func parseTruffleHog(data []byte) (Findings, error) {
	c := collector{f: Findings{Format: FormatTruffleHog, Secrets: []Secret{}}, index: map[string]int{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e truffleHogFinding
		if err := json.Unmarshal(line, &e); err != nil || e.DetectorName == nil || e.Raw == nil {
			return Findings{}, fmt.Errorf("line %d is not a TruffleHog finding (a JSON object with DetectorName and Raw, as trufflehog --json writes)", n)
		}
		if !strings.EqualFold(*e.DetectorName, truffleHogDetector) {
			c.f.Ignored++
			continue
		}
		loc := Location{}
		// One source type per finding; sorted keys keep the choice stable.
		keys := make([]string, 0, len(e.SourceMetadata.Data))
		for k := range e.SourceMetadata.Data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if len(keys) > 0 {
			d := e.SourceMetadata.Data[keys[0]]
			loc = Location{File: d.File, Line: d.Line, Commit: d.Commit}
		}
		c.add(strings.TrimSpace(*e.Raw), loc)
	}
	if err := sc.Err(); err != nil {
		return Findings{}, fmt.Errorf("after line %d: %w", n, err)
	}
	return c.f, nil
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
