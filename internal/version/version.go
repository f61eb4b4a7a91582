// Package version reports which build of tokenctl is running. Release builds
// set Version, Commit and Date through the linker:
//
//	go build -ldflags "-X github.com/tokenctl/tokenctl/internal/version.Version=v1.2.3 ..."
//
// A binary built with `go install module@version` gets no linker flags, so
// String falls back to the module version and VCS details Go records in the
// binary. The package must stay free of dependencies beyond the standard
// library so that anything may import it.
package version

import (
	"fmt"
	"runtime/debug"
)

// Set by the linker; the defaults mark a development build.
var (
	Version = "dev"
	Commit  = "none"
	Date    = "unknown"
)

// String describes the build in one line, for example
// "v1.2.3 (commit 0123abc, built 2026-08-01T12:00:00Z)".
func String() string {
	info, _ := debug.ReadBuildInfo()
	v, c, d := resolve(Version, Commit, Date, info)
	return fmt.Sprintf("%s (commit %s, built %s)", v, c, d)
}

// resolve fills in what the linker did not set from the build information Go
// embeds in every binary. Values set by the linker always win.
func resolve(version, commit, date string, info *debug.BuildInfo) (string, string, string) {
	if info == nil {
		return version, commit, date
	}
	if version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && commit == "none":
			commit = s.Value
		case s.Key == "vcs.time" && date == "unknown":
			date = s.Value
		}
	}
	return version, commit, date
}
