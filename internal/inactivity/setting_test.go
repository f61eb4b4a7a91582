package inactivity

import (
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/rejection"
)

func TestParseSetting(t *testing.T) {
	for _, tt := range []struct {
		in     string
		period string
		days   int
	}{
		{"30d", "DAYS_30", 30}, {"60d", "DAYS_60", 60}, {"90d", "DAYS_90", 90}, {"180d", "DAYS_180", 180},
		{"365d", "DAYS_365", 365}, {"1y", "DAYS_365", 365}, {"DAYS_90", "DAYS_90", 90}, {"days_30", "DAYS_30", 30},
		{"never", "NEVER", 0}, {" NEVER ", "NEVER", 0}, {"off", "NEVER", 0}, {"OFF", "NEVER", 0},
	} {
		got, err := ParseSetting(tt.in)
		if err != nil || got.Period != tt.period || got.Days != tt.days {
			t.Errorf("ParseSetting(%q) = %+v, %v; want %s, %d", tt.in, got, err, tt.period, tt.days)
		}
	}
	for _, in := range []string{"", "45d", "12h", "30d12h", "DAYS_45", "DAYS_030", "DAYS_", "always", "bkua_cideploy00000000000000000000000000000000"} {
		_, err := ParseSetting(in)
		if err == nil || !strings.Contains(err.Error(), "30d, 60d, 90d, 180d and 365d") {
			t.Errorf("ParseSetting(%q): %v", in, err)
			continue
		}
		rejection.Check(t, in, err)
	}
}

func TestSettingDays(t *testing.T) {
	ninety := 90
	for _, tt := range []struct {
		days *int
		want string
	}{{nil, "off"}, {&ninety, "90d"}} {
		s, err := FromDays(tt.days)
		if err != nil || s.String() != tt.want {
			t.Errorf("FromDays(%v) = %v, %v; want %s", tt.days, s, err, tt.want)
		}
		if back := s.DaysOrNull(); (back == nil) != (tt.days == nil) || (back != nil && *back != *tt.days) {
			t.Errorf("%v.DaysOrNull() = %v", s, back)
		}
	}
	bad := 45
	if _, err := FromDays(&bad); err == nil {
		t.Error("FromDays(45): no error")
	}
	if s, err := FromPeriod(""); err != nil || s.Period != Never {
		t.Errorf(`FromPeriod("") = %v, %v`, s, err)
	}
}
