package inactivity

import (
	"fmt"
	"strings"
	"time"

	"github.com/tokenctl/tokenctl/internal/span"
)

// Never is the period that turns automatic revocation off.
const Never = "NEVER"

// offeredDays are the periods Buildkite offers (RevokeInactiveTokenPeriod's
// DAYS_n values).
var offeredDays = []int{30, 60, 90, 180, 365}

// Setting is a period as Buildkite names it, and its length in days (0
// for NEVER).
type Setting struct {
	Period string // DAYS_30 ... DAYS_365, or NEVER
	Days   int
}

// ParseSetting reads a period as a person writes it: "90d", "6w" or "1y"
// (whole days Buildkite offers), Buildkite's own "DAYS_90", or "never"
// (also "off"). Errors say which periods exist. It is the one reading of
// the period for every command that sets it (policy set through GraphQL,
// settings set through the REST api-settings).
func ParseSetting(s string) (Setting, error) {
	in := strings.TrimSpace(s)
	upper := strings.ToUpper(in)
	if upper == Never || upper == "OFF" {
		return Setting{Period: Never}, nil
	}
	var days int
	if n, ok := strings.CutPrefix(upper, "DAYS_"); ok {
		if _, err := fmt.Sscanf(n, "%d", &days); err != nil || fmt.Sprint(days) != n {
			days = -1
		}
	} else if d, err := span.Parse(in); err == nil && d%(24*time.Hour) == 0 {
		days = int(d / (24 * time.Hour))
	} else {
		days = -1
	}
	for _, offered := range offeredDays {
		if days == offered {
			return Setting{Period: fmt.Sprintf("DAYS_%d", days), Days: days}, nil
		}
	}
	return Setting{}, fmt.Errorf("the periods Buildkite offers are 30d, 60d, 90d, 180d and 365d (1y), or never (off)")
}

// FromDays is the setting the REST api-settings field
// revoke_inactive_tokens_after_days holds: a number of days, or null for
// no automatic revocation.
func FromDays(days *int) (Setting, error) {
	if days == nil {
		return Setting{Period: Never}, nil
	}
	return ParseSetting(fmt.Sprintf("DAYS_%d", *days))
}

// FromPeriod is the setting a GraphQL RevokeInactiveTokenPeriod names;
// null (the empty string) is no automatic revocation.
func FromPeriod(period string) (Setting, error) {
	if period == "" {
		return Setting{Period: Never}, nil
	}
	return ParseSetting(period)
}

// DaysOrNull is the setting as the REST field holds it: nil for never.
func (s Setting) DaysOrNull() *int {
	if s.Days == 0 {
		return nil
	}
	d := s.Days
	return &d
}

// String is the setting as a person writes it: "90d" or "off".
func (s Setting) String() string {
	if s.Days == 0 {
		return "off"
	}
	return fmt.Sprintf("%dd", s.Days)
}
