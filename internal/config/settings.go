package config

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tokenctl/tokenctl/internal/redact"
)

var (
	// ErrNoAPIToken means no source supplied an API token.
	ErrNoAPIToken = errors.New("no Buildkite API token")
	// ErrInvalidSetting marks a value that failed validation.
	ErrInvalidSetting = errors.New("invalid setting")
)

// Settings is the validated result of Load.
type Settings struct {
	Org             string
	APIToken        redact.Secret
	GraphQLEndpoint string
	RESTEndpoint    string
	Output          string
	AuditLog        string
	Timeout         time.Duration
	PageSize        int
	Concurrency     int

	// ConfigFile is the config file path consulted; it may not exist.
	ConfigFile string
	// CacheDir is where tokenctl may remember answers between runs (see
	// CacheDir); "" with --no-cache or when no cache directory is known.
	CacheDir string
	// Sources records, per key, where the value came from. Keys with no
	// value and no default are recorded as SourceDefault.
	Sources map[string]Source
	// Warnings are problems worth telling the user about that do not stop
	// the command, such as a config file other users can read.
	Warnings []string

	// keychain is where `config set api-token` stores the token (nil: none);
	// tokenLookup is the keychain lookup still to do (see ResolveToken).
	keychain    Keychain
	tokenLookup *tokenLookup
	// fileTokenEndpoint is the GraphQL endpoint the config file says its
	// token was saved for ("" when it does not say).
	fileTokenEndpoint string
}

// Entry is one line of `tokenctl config view`.
// Field names are fixed for machine output (-o json/yaml).
type Entry struct {
	Key    string `json:"key" yaml:"key"`
	Value  string `json:"value" yaml:"value"` // the token is shown as "[redacted]"
	Source Source `json:"source" yaml:"source"`
}

// Entries lists every setting in a stable order. Values are redacted
// (redact.Secrets) here, so every format shows the same text: people
// paste tokens into the wrong setting, or into a path.
func (s *Settings) Entries() []Entry {
	out := make([]Entry, 0, len(keySpecs))
	for _, spec := range keySpecs {
		out = append(out, Entry{Key: spec.key, Value: redact.Secrets(s.display(spec.key)), Source: s.Sources[spec.key]})
	}
	return out
}

func (s *Settings) display(key string) string {
	switch key {
	case KeyOrg:
		return s.Org
	case KeyAPIToken:
		return s.APIToken.String()
	case KeyGraphQLEndpoint:
		return s.GraphQLEndpoint
	case KeyRESTEndpoint:
		return s.RESTEndpoint
	case KeyOutput:
		return s.Output
	case KeyAuditLog:
		return s.AuditLog
	case KeyTimeout:
		return s.Timeout.String()
	case KeyPageSize:
		return strconv.Itoa(s.PageSize)
	case KeyConcurrency:
		return strconv.Itoa(s.Concurrency)
	}
	return ""
}

// RequireToken resolves the token (see ResolveToken) and fails, telling
// the user every way to supply one, when no API token was found. Commands
// that talk to Buildkite call it; `config view` does not.
func (s *Settings) RequireToken() error {
	if err := s.ResolveToken(); err != nil {
		return err
	}
	if s.APIToken != "" {
		return nil
	}
	return fmt.Errorf("%w: set BUILDKITE_API_TOKEN, pass --%s FILE (or - to read it from stdin), "+
		"or save one in the system keychain with `tokenctl config set %s -` (reads it from stdin)",
		ErrNoAPIToken, FlagAPITokenFile, KeyAPIToken)
}

// settingError is a one-line validation message that matches
// ErrInvalidSetting without repeating its text.
type settingError struct{ msg string }

func (e *settingError) Error() string { return e.msg }
func (e *settingError) Unwrap() error { return ErrInvalidSetting }

func invalidf(format string, args ...any) error {
	return &settingError{msg: fmt.Sprintf(format, args...)}
}
