package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault makes the emulator misbehave the way real networks, proxies and
// servers do, so that clients can be tested against it. Faults are checked
// in order; every matching latency fault adds its delay and the first other
// matching fault decides the answer.
type Fault struct {
	Kind string `yaml:"kind"`
	// Match selects requests: "any" (or empty), "query", "mutation",
	// "graphql", "rest", or an operation name such as
	// "RevokeAPIAccessToken" or "DELETE /v2/access-token".
	Match string `yaml:"match"`
	// Times limits how often the fault fires; 0 means every matching request.
	Times int `yaml:"times"`
	// Probability that a matching request triggers the fault; 0 means always.
	// Draws come from Options.Seed, so a run is repeatable.
	Probability float64       `yaml:"probability"`
	Status      int           `yaml:"status"`      // for status (default 503), status-after (default 500) and non-json (default 200)
	Delay       time.Duration `yaml:"delay"`       // for latency and slow-body
	RetryAfter  int           `yaml:"retry-after"` // seconds, for throttle; 0 means retry at once
	// Error names the entry of the error table a graphql-error fault
	// (or a false-answer fault's proof-with-error answer) answers with
	// (see ErrorNames); empty means "internal".
	Error string `yaml:"error"`
	// Location is where a redirect fault sends the client.
	Location string `yaml:"location"`
	// Answer says what a false-answer fault's payload gets wrong:
	// "other-token" (the default) names the calling token as the one
	// revoked; "other-mutation-id" names the token asked for but echoes
	// another clientMutationId; "null-mutation-id" and
	// "no-mutation-id" name it with a clientMutationId that is null or
	// missing (the schema allows both); "null-token-id" and
	// "no-token-id" echo the clientMutationId with a revoked token id
	// that is null or missing (the schema does not allow them, a broken
	// server may send them); "proof-with-error" echoes the
	// clientMutationId and names the token asked for, as a real
	// revocation's answer does, beside a GraphQL error on the mutation's
	// field (Fault.Error, "internal" when empty): an answer that both
	// says yes and carries an error.
	//
	// For a no-data fault it says which answer without data is sent:
	// "empty-object" ({}, the default), "null" (a JSON null),
	// "null-data" ({"data":null}), "empty-data" ({"data":{}}),
	// "empty-errors" ({"errors":[]}) or "extensions-only"
	// ({"extensions":{…}}).
	Answer string `yaml:"answer"`
}

// Fault kinds.
const (
	// FaultStatus answers with Status and executes nothing.
	FaultStatus = "status"
	// FaultThrottle answers 429 with Retry-After and RateLimit-Reset set to
	// RetryAfter, executing nothing.
	FaultThrottle = "throttle"
	// FaultDropBefore closes the connection without executing or answering.
	FaultDropBefore = "drop-before"
	// FaultDropAfter executes the request, then closes the connection without
	// answering: a revocation did happen though the client never heard.
	FaultDropAfter = "drop-after"
	// FaultStatusAfter executes the request, then answers with Status
	// (default 500) as a failing gateway or server would: a revocation
	// did happen though the answer says the server failed.
	FaultStatusAfter = "status-after"
	// FaultTruncate executes the request and sends half of the JSON body.
	FaultTruncate = "truncate"
	// FaultNonJSON answers with an HTML page like a proxy's, executing
	// nothing.
	FaultNonJSON = "non-json"
	// FaultGraphQLError answers 200 with an error and null data for every
	// top-level field, executing nothing.
	FaultGraphQLError = "graphql-error"
	// FaultSlowBody executes the request, sends the headers and half the
	// body, stalls for Delay, then sends the rest.
	FaultSlowBody = "slow-body"
	// FaultLatency delays the request by Delay.
	FaultLatency = "latency"
	// FaultRedirect answers with Status (default 301) and a Location
	// header, executing nothing, as a misconfigured endpoint or proxy
	// would (for example one sending https to http).
	FaultRedirect = "redirect"
	// FaultFalseAnswer answers a revocation with HTTP 200 and a payload
	// about something else (see Fault.Answer), executing nothing: what a
	// client must not take as proof that the token it asked about was
	// revoked.
	FaultFalseAnswer = "false-answer"
	// FaultEchoAuthorization answers with Status (default 400) and an error
	// whose message repeats the request's Authorization header, executing
	// nothing, as a careless server or proxy might.
	FaultEchoAuthorization = "echo-authorization"
	// FaultNoData answers a GraphQL request with HTTP 200 and a JSON
	// answer that has neither data nor errors (see Fault.Answer),
	// executing nothing: nothing in it says what was asked about is
	// missing.
	FaultNoData = "no-data"
)

// False answers a false-answer fault can give.
const (
	AnswerOtherToken      = "other-token"
	AnswerOtherMutationID = "other-mutation-id"
	AnswerNullMutationID  = "null-mutation-id"
	AnswerNoMutationID    = "no-mutation-id"
	AnswerNullTokenID     = "null-token-id" //nolint:gosec // G101: the name of a fault, not a credential
	AnswerNoTokenID       = "no-token-id"
	AnswerProofWithError  = "proof-with-error"
)

// FalseAnswers lists the answers a false-answer fault can give.
var FalseAnswers = []string{AnswerOtherToken, AnswerOtherMutationID, AnswerNullMutationID, AnswerNoMutationID, AnswerNullTokenID, AnswerNoTokenID, AnswerProofWithError}

// Answers without data a no-data fault can give, and their bodies.
const (
	AnswerEmptyObject    = "empty-object"
	AnswerNull           = "null"
	AnswerNullData       = "null-data"
	AnswerEmptyData      = "empty-data"
	AnswerEmptyErrors    = "empty-errors"
	AnswerExtensionsOnly = "extensions-only"
)

// noDataBodies are the bodies of the no-data answers.
var noDataBodies = map[string]string{
	AnswerEmptyObject:    `{}`,
	AnswerNull:           `null`,
	AnswerNullData:       `{"data":null}`,
	AnswerEmptyData:      `{"data":{}}`,
	AnswerEmptyErrors:    `{"errors":[]}`,
	AnswerExtensionsOnly: `{"extensions":{"emulator":"no data"}}`,
}

// NoDataAnswers lists the answers a no-data fault can give.
var NoDataAnswers = []string{AnswerEmptyObject, AnswerNull, AnswerNullData, AnswerEmptyData, AnswerEmptyErrors, AnswerExtensionsOnly}

// FaultKinds lists every fault kind.
var FaultKinds = []string{
	FaultStatus, FaultThrottle, FaultDropBefore, FaultDropAfter, FaultStatusAfter, FaultTruncate,
	FaultNonJSON, FaultGraphQLError, FaultSlowBody, FaultLatency, FaultRedirect,
	FaultFalseAnswer, FaultEchoAuthorization, FaultNoData,
}

func (f Fault) validate() error {
	if !slices.Contains(FaultKinds, f.Kind) {
		return fmt.Errorf("unknown fault kind %q (want one of %s)", f.Kind, strings.Join(FaultKinds, ", "))
	}
	if f.Times < 0 {
		return fmt.Errorf("%s fault: times must not be negative", f.Kind)
	}
	if f.Probability < 0 || f.Probability > 1 {
		return fmt.Errorf("%s fault: probability %v is not between 0 and 1", f.Kind, f.Probability)
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		return fmt.Errorf("%s fault: status %d is not an HTTP status", f.Kind, f.Status)
	}
	if f.Delay < 0 || f.RetryAfter < 0 {
		return fmt.Errorf("%s fault: delay and retry-after must not be negative", f.Kind)
	}
	if f.Error != "" {
		spec, ok := errorTable[ErrorName(f.Error)]
		takesError := f.Kind == FaultGraphQLError || (f.Kind == FaultFalseAnswer && f.Answer == AnswerProofWithError)
		if !takesError || !ok || spec.status != http.StatusOK {
			return fmt.Errorf("%s fault: error %q is not a GraphQL error of the table (only graphql-error faults and false-answer ones answering proof-with-error take one)", f.Kind, f.Error)
		}
	}
	if (f.Kind == FaultRedirect) != (f.Location != "") {
		return fmt.Errorf("%s fault: a redirect fault, and only one, needs a location", f.Kind)
	}
	if f.Kind == FaultRedirect && f.Status != 0 && f.Status/100 != 3 {
		return fmt.Errorf("%s fault: status %d is not a redirect", f.Kind, f.Status)
	}
	if f.Answer != "" {
		switch f.Kind {
		case FaultFalseAnswer:
			if !slices.Contains(FalseAnswers, f.Answer) {
				return fmt.Errorf("%s fault: answer %q is not one of %s", f.Kind, f.Answer, strings.Join(FalseAnswers, ", "))
			}
		case FaultNoData:
			if !slices.Contains(NoDataAnswers, f.Answer) {
				return fmt.Errorf("%s fault: answer %q is not one of %s", f.Kind, f.Answer, strings.Join(NoDataAnswers, ", "))
			}
		default:
			return fmt.Errorf("%s fault: answer %q: only false-answer and no-data faults take one", f.Kind, f.Answer)
		}
	}
	if (f.Kind == FaultLatency || f.Kind == FaultSlowBody) && f.Delay == 0 {
		return fmt.Errorf("%s fault needs a delay", f.Kind)
	}
	return nil
}

// ParseFault reads the compact form used by the --fault flag: comma-separated
// key=value pairs with keys kind, match, times, probability, status, delay
// (a Go duration), retry-after (seconds), error (an entry of the error
// table, for graphql-error), location (a URL, for redirect) and answer
// (for false-answer), for example
// "kind=status,status=503,match=mutation,times=2". A leading bare word is
// the kind: "drop-after,match=RevokeAPIAccessToken".
func ParseFault(spec string) (Fault, error) {
	var f Fault
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		key, val, hasVal := strings.Cut(part, "=")
		if !hasVal {
			if i == 0 {
				f.Kind = part
				continue
			}
			return f, fmt.Errorf("fault %q: %q is not key=value", spec, part)
		}
		var err error
		switch key {
		case "kind":
			f.Kind = val
		case "match":
			f.Match = val
		case "times":
			f.Times, err = strconv.Atoi(val)
		case "probability":
			f.Probability, err = strconv.ParseFloat(val, 64)
		case "status":
			f.Status, err = strconv.Atoi(val)
		case "delay":
			f.Delay, err = time.ParseDuration(val)
		case "retry-after":
			f.RetryAfter, err = strconv.Atoi(val)
		case "error":
			f.Error = val
		case "location":
			f.Location = val
		case "answer":
			f.Answer = val
		default:
			return f, fmt.Errorf("fault %q: unknown key %q", spec, key)
		}
		if err != nil {
			return f, fmt.Errorf("fault %q: %s: %w", spec, key, err)
		}
	}
	if err := f.validate(); err != nil {
		return f, fmt.Errorf("fault %q: %w", spec, err)
	}
	return f, nil
}

// String gives the ParseFault form.
func (f Fault) String() string {
	parts := []string{"kind=" + f.Kind}
	if f.Match != "" {
		parts = append(parts, "match="+f.Match)
	}
	if f.Times != 0 {
		parts = append(parts, "times="+strconv.Itoa(f.Times))
	}
	if f.Probability != 0 {
		parts = append(parts, "probability="+strconv.FormatFloat(f.Probability, 'g', -1, 64))
	}
	if f.Status != 0 {
		parts = append(parts, "status="+strconv.Itoa(f.Status))
	}
	if f.Delay != 0 {
		parts = append(parts, "delay="+f.Delay.String())
	}
	if f.RetryAfter != 0 {
		parts = append(parts, "retry-after="+strconv.Itoa(f.RetryAfter))
	}
	if f.Error != "" {
		parts = append(parts, "error="+f.Error)
	}
	if f.Location != "" {
		parts = append(parts, "location="+f.Location)
	}
	if f.Answer != "" {
		parts = append(parts, "answer="+f.Answer)
	}
	return strings.Join(parts, ",")
}

func (f Fault) matches(kind, opType, op string) bool {
	switch f.Match {
	case "", "any":
		return true
	case "graphql":
		return kind == KindGraphQL
	case "rest":
		return kind == KindREST
	case "query", "mutation":
		return kind == KindGraphQL && opType == f.Match
	default:
		return op == f.Match
	}
}

// faultSet is the run's faults with how often each has fired, and the
// seeded random source shared with latency jitter.
type faultSet struct {
	mu     sync.Mutex
	faults []Fault
	fired  []int
	rng    *rand.Rand
}

func (fs *faultSet) set(faults []Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = slices.Clone(faults)
	fs.fired = make([]int, len(faults))
}

// triggered is what faults decided for one request.
type triggered struct {
	delay time.Duration
	fault *Fault // the answer-changing fault, if any
	names []string
}

func (fs *faultSet) pick(kind, opType, op string) triggered {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var tr triggered
	for i, f := range fs.faults {
		if !f.matches(kind, opType, op) || (f.Times > 0 && fs.fired[i] >= f.Times) {
			continue
		}
		if tr.fault != nil && f.Kind != FaultLatency {
			continue // only one fault decides the answer
		}
		if f.Probability > 0 && fs.rng.Float64() >= f.Probability {
			continue
		}
		fs.fired[i]++
		tr.names = append(tr.names, f.Kind)
		if f.Kind == FaultLatency {
			tr.delay += f.Delay
			continue
		}
		tr.fault = &fs.faults[i]
	}
	return tr
}

// jitter draws a delay in [0, max).
func (fs *faultSet) jitter(maxJitter time.Duration) time.Duration {
	if maxJitter <= 0 {
		return 0
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return time.Duration(fs.rng.Int64N(int64(maxJitter)))
}

// SetFaults replaces the run's faults and forgets how often the old ones
// fired.
func (s *Server) SetFaults(faults []Fault) error {
	for i, f := range faults {
		if err := f.validate(); err != nil {
			return fmt.Errorf("faults[%d]: %w", i, err)
		}
	}
	s.faults.set(faults)
	return nil
}
