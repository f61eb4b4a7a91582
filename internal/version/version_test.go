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

func TestString(t *testing.T) {
	defer func(v, c, d string) { Version, Commit, Date = v, c, d }(Version, Commit, Date)
	Version, Commit, Date = "v1.2.3", "abc123", "2026-08-01T12:00:00Z"

	got := String()
	if want := "v1.2.3 (commit abc123, built 2026-08-01T12:00:00Z)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
