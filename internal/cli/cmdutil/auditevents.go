package cmdutil

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/pflag"
	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/ident"
	"github.com/tokenctl/tokenctl/internal/span"
)

// AddWindowFlags registers --since and --until.
func AddWindowFlags(fl *pflag.FlagSet, since, until *string, defaultSince string) {
	fl.StringVar(since, "since", defaultSince, "only events from `WHEN`: a span back from now (7d, 12h) or a date (YYYY-MM-DD, RFC 3339)")
	fl.StringVar(until, "until", "", "only events up to `WHEN`: a span back from now or a date")
}

// ParseWindow reads --since and --until.
func ParseWindow(sinceArg, untilArg string, now time.Time) (since, until *time.Time, err error) {
	for _, w := range []struct {
		flag, arg string
		into      **time.Time
	}{{"--since", sinceArg, &since}, {"--until", untilArg, &until}} {
		if w.arg == "" {
			continue
		}
		t, err := span.ParseTime(w.arg, now)
		if err != nil {
			return nil, nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", w.flag, err))
		}
		t = t.UTC()
		*w.into = &t
	}
	if since != nil && until != nil && until.Before(*since) {
		return nil, nil, exitcode.New(exitcode.Usage, errors.New("--until is before --since: no event can match"))
	}
	return since, until, nil
}

// ParseTokenUUIDs reads --token values, which the audit log filters by
// uuid only: a GraphQL id or a secret value is refused.
func ParseTokenUUIDs(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		t, err := ident.ParseToken(arg)
		if err != nil {
			return nil, exitcode.New(exitcode.Usage, err)
		}
		if t.UUID == "" {
			return nil, exitcode.New(exitcode.Usage, errors.New("--token: the audit log is searched by token uuid (as in the web UI or `tokenctl tokens list`), not by GraphQL id"))
		}
		if !slices.Contains(out, t.UUID) {
			out = append(out, t.UUID)
		}
	}
	return out, nil
}
