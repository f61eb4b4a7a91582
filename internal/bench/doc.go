// Package bench measures tokenctl where its speed comes from: round trips
// to the Buildkite API, how many run at once, and the memory a run needs.
// It runs the jobs users run (revoking one token, revoking many, listing an
// organization) against the emulator over real HTTP on loopback with added
// latency, side by side with the naive per-token loop that runbooks use,
// and compares each with the floor the API allows.
//
// The emulator runs in a child process so that the memory measured is
// tokenctl's alone. Requests, their overlap and their outcome are read from
// the emulator's side, so a run cannot look faster than it was by skipping
// work: every run is also checked to have revoked or listed what it should.
//
// The package backs `make bench` and its own tests. tokenctl itself must
// not import it, and it must never talk to a real Buildkite.
package bench
