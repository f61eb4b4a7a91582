package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tokenctl/tokenctl/internal/lazyregexp"
	"github.com/tokenctl/tokenctl/internal/output"
	"github.com/tokenctl/tokenctl/internal/redact"
)

// origin is where a raw value came from; it phrases error messages the way
// the user supplied the value ("--page-size 0 (flag)", "TOKENCTL_PAGE_SIZE=0
// (env)"), so they know what to fix.
type origin struct {
	spec   keySpec
	source Source
	path   string // config file, or token file for SourceFile
}

func (o origin) describe(value string) string {
	switch o.source {
	case SourceFlag:
		return fmt.Sprintf("--%s %s (flag)", o.spec.flag, show(value))
	case SourceEnv:
		return fmt.Sprintf("%s=%s (env)", o.spec.env, show(value))
	case SourceConfig:
		return fmt.Sprintf("%s: %s (config file %s)", o.spec.key, show(value), o.path)
	default:
		return fmt.Sprintf("%s %s", o.spec.key, show(value))
	}
}

// describeSecret names where the token came from without its value.
func (o origin) describeSecret() string {
	switch o.source {
	case SourceFile:
		return fmt.Sprintf("--%s %s (file)", FlagAPITokenFile, o.path)
	case SourceStdin:
		return fmt.Sprintf("--%s - (stdin)", FlagAPITokenFile)
	case SourceEnv:
		return o.spec.env + " (env)"
	case SourceConfig:
		return fmt.Sprintf("%s (config file %s)", KeyAPIToken, o.path)
	default:
		return KeyAPIToken
	}
}

// show quotes a value only when it would otherwise be ambiguous, and cuts
// long ones so a message stays on one line. Anything shaped like a token
// value is redacted first: people paste tokens into the wrong setting.
func show(v string) string {
	const max = 80
	v = redact.Secrets(v)
	if len(v) > max {
		v = v[:max] + "..."
	}
	if v == "" || !utf8.ValidString(v) || strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '"' }) >= 0 {
		return strconv.Quote(v)
	}
	return v
}

// orgRef is deliberately loose: the value is a slug or a GraphQL node id
// (base64), which the ident package tells apart; this only catches pasted
// URLs, names with spaces and similar mistakes early.
var orgRef = lazyregexp.New(`^[A-Za-z0-9][A-Za-z0-9_+/=-]*$`)

// apply validates raw and stores it in s under o's key.
func apply(s *Settings, o origin, raw string) error {
	v := strings.TrimSpace(raw)
	if IsBlank(raw) && o.spec.key != KeyAPIToken { // the token has its own words
		return blankValue(o, raw)
	}
	switch o.spec.key {
	case KeyOrg:
		if v != "" && !orgRef.MatchString(v) {
			return invalidf("%s: must be an organization slug such as my-org (letters, digits, '-' and '_') or an organization GraphQL id", o.describe(raw))
		}
		s.Org = v
	case KeyAPIToken:
		tok, reason := checkToken(raw)
		if reason == reasonEmpty {
			reason += "; " + emptyTokenFix(o)
		}
		if reason != "" {
			return invalidf("%s: %s", o.describeSecret(), reason)
		}
		s.APIToken = tok
	case KeyGraphQLEndpoint, KeyRESTEndpoint:
		if reason := endpointProblem(v); reason != "" {
			return invalidf("%s: %s", o.describe(displayEndpoint(raw)), reason)
		}
		if o.spec.key == KeyGraphQLEndpoint {
			s.GraphQLEndpoint = v
		} else {
			// The REST client appends paths such as /v2/access-token.
			s.RESTEndpoint = strings.TrimRight(v, "/")
		}
	case KeyOutput:
		v = strings.ToLower(v)
		if _, err := output.ParseFormat(v); err != nil {
			return invalidf("%s: must be one of %s", o.describe(raw), strings.Join(output.Names(output.Formats), ", "))
		}
		s.Output = v
	case KeyAuditLog:
		// No real path holds these, and the config file could not store
		// them as text.
		if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return invalidf("%s: must be a file path (no control characters, valid UTF-8)", o.describe(raw))
		}
		s.AuditLog = v
	case KeyTimeout:
		d, err := time.ParseDuration(v)
		if err != nil {
			return invalidf("%s: must be a duration such as 30s or 2m", o.describe(raw))
		}
		if d <= 0 {
			return invalidf("%s: must be greater than zero", o.describe(raw))
		}
		s.Timeout = d
	case KeyPageSize:
		n, err := intInRange(o, raw, MinPageSize, MaxPageSize)
		if err != nil {
			return err
		}
		s.PageSize = n
	case KeyConcurrency:
		n, err := intInRange(o, raw, MinConcurrency, MaxConcurrency)
		if err != nil {
			return err
		}
		s.Concurrency = n
	default:
		return unknownKey(o.spec.key)
	}
	return nil
}

// IsBlank reports whether s is set but shows nothing: it is made only of
// white space and invisible format characters (zero-width space and
// joiner, word joiner, byte order mark; a no-break space is white space).
// Such a value is never a setting: taken as empty it would hide a lower
// layer's value, taken as it is it names an invisible file.
func IsBlank(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r)
	})
}

// blankMessage is what a blank value is said to be.
const blankMessage = "is only whitespace or invisible characters"

// blankValue refuses a blank value (IsBlank). An empty environment
// variable counts as unset, but a blank one is set: taken as empty, it
// would hide the config file's value (an audit log, the organization)
// without a word, so it is an error saying how to fix it.
func blankValue(o origin, raw string) error {
	var fix string
	switch o.source {
	case SourceFlag:
		fix = fmt.Sprintf("give --%s a value or leave it out", o.spec.flag)
	case SourceEnv:
		fix = fmt.Sprintf("give %s a value or unset it", o.spec.env)
	case SourceConfig:
		fix = fmt.Sprintf("give %s a value or remove it with `tokenctl config unset %s`", o.spec.key, o.spec.key)
	default:
		fix = fmt.Sprintf("give %s a value, or remove it with `tokenctl config unset %s`", o.spec.key, o.spec.key)
	}
	return invalidf("%s: %s; %s", o.describe(raw), blankMessage, fix)
}

// blankEnv refuses a blank value in the environment variable name, which
// is not a setting of its own (the config file's or the cache's place).
func blankEnv(name, raw string) error {
	return invalidf("%s=%s (env): %s; give %s a value or unset it", name, show(raw), blankMessage, name)
}

// emptyTokenFix says what to do about an empty or blank API token, by
// where it came from.
func emptyTokenFix(o origin) string {
	switch o.source {
	case SourceFile:
		return fmt.Sprintf("put the API token in %s, or leave --%s out", o.path, FlagAPITokenFile)
	case SourceStdin:
		return "give the API token on standard input"
	case SourceEnv:
		return fmt.Sprintf("set %s to the API token, or unset it", o.spec.env)
	case SourceConfig:
		return fmt.Sprintf("save the token again with `tokenctl config set %s -`, or remove it with `tokenctl config unset %s`", KeyAPIToken, KeyAPIToken)
	default:
		return "give the API token"
	}
}

func intInRange(o origin, raw string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < lo || n > hi {
		return 0, invalidf("%s: must be between %d and %d", o.describe(raw), lo, hi)
	}
	return n, nil
}

func unknownKey(key string) error {
	return invalidf("unknown setting %s; known settings: %s", show(key), knownKeysList())
}

// assignment is a .env or shell line, NAME=value: no token shape has a
// name of letters, digits and underscores followed by '=' and more text
// (base64 padding ends a value, it is not followed by any).
var assignment = lazyregexp.New(`^[A-Za-z_][A-Za-z0-9_]*=[^=]`)

// reasonEmpty is checkToken's reason for a token that is empty or blank.
const reasonEmpty = "is empty"

// checkToken returns the trimmed token, or why it cannot be one. The reason
// never includes the value: a wrong file may hold another secret.
func checkToken(raw string) (redact.Secret, string) {
	t := strings.TrimSpace(raw)
	switch {
	case t == "" || IsBlank(t):
		return "", reasonEmpty
	case strings.ContainsAny(t, "\r\n"):
		return "", "holds more than one line; it must hold only the API token"
	case strings.IndexFunc(t, unicode.IsSpace) >= 0:
		return "", "contains whitespace; an API token has none"
	case assignment.MatchString(t):
		return "", "looks like a shell assignment (NAME=value); it must hold only the API token, without the variable's name"
	case strings.IndexFunc(t, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		return "", "contains characters that never appear in an API token"
	}
	// From here on no message, table or record may repeat it, whatever
	// path its text takes (see redact.Remember).
	redact.Remember(t)
	return redact.Secret(t), ""
}

// ValidateEndpoint accepts https:// URLs, and http:// only for loopback hosts
// (localhost, 127.0.0.0/8, ::1) so a local emulator works but the token is
// never sent in clear text over a network.
func ValidateEndpoint(raw string) error {
	if reason := endpointProblem(strings.TrimSpace(raw)); reason != "" {
		return invalidf("endpoint %s: %s", show(displayEndpoint(raw)), reason)
	}
	return nil
}

func endpointProblem(raw string) string {
	// Text that YAML cannot store as a string would be written by Set and
	// then refused by Load, so it is refused here, where both look.
	if !utf8.ValidString(raw) || strings.ContainsFunc(raw, unicode.IsControl) {
		return "must be a URL such as https://api.buildkite.com"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return "must be a URL such as https://api.buildkite.com"
	}
	if u.Host == "" || u.Hostname() == "" {
		return "has no host; it must look like https://host[/path]"
	}
	if u.User != nil {
		return "must not contain a user name or password; the API token is sent separately"
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "must not contain a query or fragment"
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return ""
	case "http":
		if isLoopback(u.Hostname()) {
			return ""
		}
		return "must use https://; http:// is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1)"
	default:
		return "must use https:// (http:// only for loopback hosts)"
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// displayEndpoint hides the user information of a URL before it is echoed:
// people paste tokens there as user names as well as passwords.
func displayEndpoint(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User == nil {
		return raw
	}
	u.User = url.User("xxxxx")
	return u.String()
}
