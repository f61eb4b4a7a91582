// Package releasecheck checks what a release build produced, the way an
// administrator meets it: it unpacks the linux/amd64 archive and .deb from a
// goreleaser dist/ directory into a temporary root, runs the packaged
// tokenctl, finds its man pages and completions where man and the shells
// look, and checks the checksums file against every artifact.
//
// It holds tests only, and most need a dist/ directory: `make release-check`
// builds a snapshot twice and runs them with TOKENCTL_RELEASE_DIST (the
// second build) and TOKENCTL_RELEASE_DIST_AGAIN (the first) set, to check
// that the two are byte-identical. Without those variables they skip, so
// `go test ./...` does not depend on a release build; the check that `make
// build` links the commit's date runs always. The package must not be
// imported.
package releasecheck
