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
	"sync"
)

// Set by the linker; the defaults mark a development build.
var (
	Version = "dev"
	Commit  = "none"
	Date    = "unknown"
)

// String describes the build in one line, for example
// "v1.2.3 (commit 0123abc, built 2026-08-01T12:00:00Z)". It is worked out
// once per process.
func String() string {
	describeOnce.Do(func() { described = describe(Version, Commit, Date, debug.ReadBuildInfo) })
	return described
}

// A sync.Once and a string rather than a sync.OnceValue: a package-level
// value made by a call is made at start-up, by code of its own.
var (
	describeOnce sync.Once
	described    string
)

// describe is String's line. The build information is read (and parsed:
// the module list of the whole binary) only when the linker left a value
// unset, as it does not in a release build.
func describe(version, commit, date string, readBuildInfo func() (*debug.BuildInfo, bool)) string {
	if version == "dev" || commit == "none" || date == "unknown" {
		info, _ := readBuildInfo()
		version, commit, date = resolve(version, commit, date, info)
	}
	return fmt.Sprintf("%s (commit %s, built %s)", version, commit, date)
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
