// Package examplescheck runs the CI examples in examples/ as written: each
// Buildkite step's commands and each GitHub Actions run step, in bash,
// against the emulator. Stand-ins play what a test cannot have: curl serves
// a release built from this tree (archive and checksums file, laid out as a
// release publishes them), buildkite-agent records the annotations, docker
// runs the image's entrypoint (tokenctl) with the arguments given, as a
// distroless image can, and a GitHub Actions environment provides
// GITHUB_STEP_SUMMARY, GITHUB_PATH and the secrets. The tests check the
// annotation, the job summary, the artifacts and the exit status.
//
// It holds tests only. The package must not be imported.
package examplescheck
