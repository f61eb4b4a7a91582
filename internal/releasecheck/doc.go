// Package releasecheck checks what a release build produced, the way an
// administrator meets it: it unpacks the linux/amd64 archive and .deb from a
// goreleaser dist/ directory into a temporary root, runs the packaged
// tokenctl, finds its man pages and completions where man and the shells
// look, and checks the checksums file against every artifact.
//
// It holds tests only, and they need a dist/ directory: `make release-check`
// builds a snapshot and runs them with TOKENCTL_RELEASE_DIST set. Without
// that variable they skip, so `go test ./...` does not depend on a release
// build. The package must not be imported.
package releasecheck
