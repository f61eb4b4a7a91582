package version

import (
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc123"},
		{Key: "vcs.time", Value: "2026-08-01T12:00:00Z"},
	}
	tests := []struct {
		name         string
		v, c, d      string
		info         *debug.BuildInfo
		wantV, wantC string
		wantD        string
	}{
		{
			name: "no build info",
			v:    "dev", c: "none", d: "unknown",
			wantV: "dev", wantC: "none", wantD: "unknown",
		},
		{
			name: "linker flags win",
			v:    "v1.2.3", c: "def456", d: "2026-09-01T00:00:00Z",
			info:  &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}, Settings: vcs},
			wantV: "v1.2.3", wantC: "def456", wantD: "2026-09-01T00:00:00Z",
		},
		{
			name: "go install module@version",
			v:    "dev", c: "none", d: "unknown",
			info:  &debug.BuildInfo{Main: debug.Module{Version: "v1.0.0"}},
			wantV: "v1.0.0", wantC: "none", wantD: "unknown",
		},
		{
			name: "build from a checkout",
			v:    "dev", c: "none", d: "unknown",
			info:  &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			wantV: "dev", wantC: "abc123", wantD: "2026-08-01T12:00:00Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, c, d := resolve(tt.v, tt.c, tt.d, tt.info)
			if v != tt.wantV || c != tt.wantC || d != tt.wantD {
				t.Errorf("resolve() = %q, %q, %q; want %q, %q, %q", v, c, d, tt.wantV, tt.wantC, tt.wantD)
			}
		})
	}
}

func TestDescribeReadsTheBuildOnlyForWhatTheLinkerLeftUnset(t *testing.T) {
	reads := 0
	read := func() (*debug.BuildInfo, bool) {
		reads++
		return &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "fff000"}}}, true
	}
	if got, want := describe("v1.2.3", "abc123", "2026-08-01T12:00:00Z", read), "v1.2.3 (commit abc123, built 2026-08-01T12:00:00Z)"; got != want || reads != 0 {
		t.Errorf("release build: %q after %d reads of the build information, want %q and none", got, reads, want)
	}
	if got, want := describe("dev", "abc123", "2026-08-01T12:00:00Z", read), "v0.9.0 (commit abc123, built 2026-08-01T12:00:00Z)"; got != want || reads != 1 {
		t.Errorf("version unset: %q after %d reads, want %q and 1", got, reads, want)
	}
	if got, want := describe("v1.2.3", "none", "2026-08-01T12:00:00Z", read), "v1.2.3 (commit fff000, built 2026-08-01T12:00:00Z)"; got != want {
		t.Errorf("commit unset: %q, want %q", got, want)
	}
}

func TestStringIsTheBuildsDescription(t *testing.T) {
	if got, want := String(), describe(Version, Commit, Date, debug.ReadBuildInfo); got != want || String() != got {
		t.Errorf("String() = %q, want %q every time", got, want)
	}
}
