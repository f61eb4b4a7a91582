// Package exitcode is the one place that maps an error to the process exit
// status. Commands return errors; only main turns them into an exit code.
// Scripts depend on these numbers: never renumber them.
package exitcode

import (
	"context"
	"errors"

	"github.com/tokenctl/tokenctl/internal/buildkite"
)

// Code is a documented process exit status.
type Code int

const (
	OK Code = 0
	// Failure is any failure not covered below: server errors, network
	// trouble, an answer that cannot be parsed.
	Failure Code = 1
	// Usage is a bad flag, a malformed identifier, an unreadable input file
	// or a bad setting, such as an endpoint that does not answer as
	// Buildkite's API does.
	Usage Code = 2
	// Auth is a missing, unknown, expired or revoked credential, one that
	// lacks the permission the operation needs, or one the system keychain
	// holds but fails to give.
	Auth Code = 3
	// NotFound is an unknown organization or a token that is not (or no
	// longer) in the organization.
	NotFound Code = 4
	// Refused is a safety check saying no: the tool's own credential, a
	// declined confirmation, a selection that needs --yes, storing the API
	// token in plain text without --insecure-storage.
	Refused Code = 5
	// Partial means some tokens were revoked and others were not.
	Partial Code = 6
	// Throttled means Buildkite's rate limit was still exhausted after the
	// retries.
	Throttled Code = 7
	// Findings means `tokenctl check` found tokens at error or revoke
	// severity that no exception hides: the check ran, the organization
	// failed it.
	Findings Code = 8
	// Incomplete means a run over several organizations could not look
	// in all of them (more organizations than Buildkite lists, or named
	// ones it could not check): the token may still have access there.
	Incomplete Code = 9
	// Interrupted means the run was stopped (Ctrl-C) before it finished.
	Interrupted Code = 130
)

// Error carries an exit code with a message meant for the user.
type Error struct {
	Code Code
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New wraps err so that it exits with code.
func New(code Code, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Of returns the exit code for err: the code of the outermost *Error in its
// chain, else the code for an API failure's kind, Interrupted for a
// cancelled context, Failure otherwise.
func Of(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	switch buildkite.KindOf(err) {
	case buildkite.KindUnauthorized, buildkite.KindForbidden:
		return Auth
	case buildkite.KindNotFound:
		return NotFound
	case buildkite.KindThrottled:
		return Throttled
	case buildkite.KindConfig:
		return Usage
	}
	return Failure
}
