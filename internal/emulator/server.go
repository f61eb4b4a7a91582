package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/tokenctl/tokenctl/internal/schema"
)

// Options configure a Server. The zero value serves the demo seed with
// Buildkite's documented limits.
type Options struct {
	Fixture       *Fixture         // nil: DemoFixture()
	Now           func() time.Time // nil: time.Now; inject for deterministic times
	RateLimit     int              // GraphQL complexity points per window; 0: 50,000
	RateWindow    time.Duration    // 0: 5 minutes
	RESTRateLimit int              // REST requests per minute; 0: 200
	MaxPageSize   int              // largest first/last on a connection; 0: 500
	// MaxViewerOrganizations, when positive, is the most organizations one
	// Viewer.organizations answer holds, whatever first or last asks for.
	// Buildkite documents no such cap (and that field has no cursor), so
	// tests impose one to prove a client notices what it was not given.
	MaxViewerOrganizations int
	// HideUngrantedOrganizations answers organization(slug:) and
	// node(id:) with null for an organization the caller belongs to but
	// its token was not granted, instead of an error on its tokens. Which
	// of the two Buildkite does is not documented; clients must handle
	// both.
	HideUngrantedOrganizations bool
	// UntypedNotAdmin answers a member who is not an administrator of an
	// organization, where the emulator would say not-admin (listing or
	// revoking its tokens), with an error that has no type and a message
	// no client knows. Buildkite documents neither its error types nor
	// this wording, so a client must isolate such an organization rather
	// than stop (or take it for "no access").
	UntypedNotAdmin bool
	Latency         time.Duration // added to every request
	Jitter          time.Duration // random extra latency in [0, Jitter)
	Faults          []Fault       // added after the fixture's faults
	Seed            int64         // seeds jitter and fault probabilities
	ErrorWording    ErrorWording  // "": WordingBuildkite
	IDFormat        IDFormat      // how GraphQL ids are spelled; "": IDBase64
	// RespelledIDs starts the server with its ids re-spelled (see
	// Server.RespellIDs): answers carry new ids, and the IDFormat
	// spellings a server started without it gives are still accepted.
	RespelledIDs bool
	// RESTUserRateLimit is REST requests per minute per user; 0: 50. It
	// applies with RESTRateLimit; that one and RateLimit are budgets per
	// organization (see orgBudgets), as API-NOTES.md states Buildkite's.
	RESTUserRateLimit int
	// SeenAddress, when set, is the address every request appears to come
	// from (a token's ipAddress, and what organizations' API allowlists
	// are checked against) instead of the connection's, as when a
	// client sits behind a NAT gateway.
	SeenAddress string
	// FrozenTokenUse keeps tokens' lastAccessedAt and ipAddress as the
	// fixture gives them, whatever requests come: a listing then shows an
	// older request's address, as it would if Buildkite recorded a
	// token's use late. Allowlists are still checked against the
	// request's real address.
	FrozenTokenUse bool
	// Settings bends the api-settings endpoint (see SettingsQuirks).
	Settings SettingsQuirks
	// RepeatAcrossPages starts each page of tokens, members or audit
	// events asked for after a cursor with the last one of the page
	// before, as a server may when tokens are created while a client
	// pages: nothing in the schema promises that a connection hands each
	// node out once.
	RepeatAcrossPages bool
	// RepeatChanged repeats as RepeatAcrossPages does, but the repeated
	// token or member is not as the page before showed it: a token used
	// since (now, from another address) and described anew, a member seen
	// since, an audit event naming its token by the token's new
	// description. Which copy is current a client cannot tell.
	RepeatChanged bool
	// ListingHole answers every page of tokens, members or audit events
	// asked for after a cursor with a null where the schema allows one
	// (see ListingHole); "": none.
	ListingHole ListingHole
	// OnRequest, when set, is called with every request log entry. It must
	// not block: it runs on the request's goroutine.
	OnRequest func(Request)
}

// Server is the emulated Buildkite API. It is an http.Handler: serve it with
// httptest.NewServer in tests or http.Server in cmd/buildkite-emulator.
type Server struct {
	opts       Options
	store      *store
	ids        *idCodec
	schema     *graphql.Schema
	gqlLimits  *rateLimiter
	restLimits *rateLimiter
	faults     faultSet
	log        requestLog
}

// New builds a server from opts, validating the fixture.
func New(opts Options) (*Server, error) {
	if opts.Fixture == nil {
		opts.Fixture = DemoFixture()
	}
	if err := opts.Fixture.Validate(); err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimit <= 0 {
		opts.RateLimit = 50000
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = 5 * time.Minute
	}
	if opts.RESTRateLimit <= 0 {
		opts.RESTRateLimit = 200
	}
	if opts.RESTUserRateLimit <= 0 {
		opts.RESTUserRateLimit = 50
	}
	if opts.ErrorWording == "" {
		opts.ErrorWording = WordingBuildkite
	}
	if _, err := ParseErrorWording(string(opts.ErrorWording)); err != nil {
		return nil, err
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = 500
	}
	if opts.IDFormat == "" {
		opts.IDFormat = IDBase64
	}
	if _, err := ParseIDFormat(string(opts.IDFormat)); err != nil {
		return nil, err
	}
	if opts.ListingHole != "" {
		if _, err := ParseListingHole(string(opts.ListingHole)); err != nil {
			return nil, err
		}
	}
	s := &Server{
		opts:       opts,
		store:      newStore(opts.Fixture, opts.Now()),
		gqlLimits:  newRateLimiter(opts.RateWindow),
		restLimits: newRateLimiter(time.Minute),
	}
	s.store.untypedNotAdmin = opts.UntypedNotAdmin
	s.ids = newIDCodec(opts.IDFormat, s.store)
	if opts.RespelledIDs {
		s.ids.respell()
	}
	// Faults and jitter must repeat for a given seed, so not crypto/rand.
	s.faults.rng = rand.New(rand.NewPCG(uint64(opts.Seed), 0x746f6b656e63746c)) //nolint:gosec // reproducible test randomness, not security
	if err := s.SetFaults(append(append([]Fault(nil), opts.Fixture.Faults...), opts.Faults...)); err != nil {
		return nil, err
	}
	sch, err := graphql.ParseSchema(schema.SDL, &rootResolver{s: s}, graphql.MaxParallelism(4))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	s.schema = sch
	return s, nil
}

// NodeID is the GraphQL id this server gives the object of type typ with
// the given uuid, in its id format.
func (s *Server) NodeID(typ, uuid string) string { return s.ids.id(typ, strings.ToLower(uuid)) }

// RespellIDs makes the server spell every id anew from now on, as GitHub's
// global-id migration did: listings and every other answer show the new
// ids, while the old spellings are still accepted by the mutation, node
// lookups and filters. Buildkite documents no id format, so a client must
// stay right when this happens between two of its runs.
func (s *Server) RespellIDs() { s.ids.respell() }

// response is an answer built in full before it is written, so that faults
// can cut, delay or drop it after the operation ran.
type response struct {
	status int
	header http.Header
	body   []byte
}

func jsonResponse(status int, v any) response {
	body, err := json.Marshal(v)
	if err != nil {
		panic(err) // only emulator-built values are marshaled
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return response{status: status, header: h, body: body}
}

// ServeHTTP routes, applies latency and faults, runs the request and logs it.
//
// The log entry is recorded, and the request stops counting as in flight,
// before the first byte of the answer is written: a client that has its
// answer can rely on seeing its request in Requests and MaxInFlight.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	leave := s.log.enter()
	entry := Request{Time: s.opts.Now(), Method: r.Method, Path: r.URL.Path}
	recorded := false
	record := func(status int) {
		if recorded {
			return
		}
		recorded = true
		entry.Status = status
		leave()
		s.log.add(entry)
		if s.opts.OnRequest != nil {
			s.opts.OnRequest(entry)
		}
	}
	defer record(0) // the client went away, or the handler panicked
	answer := func(resp response, f *Fault) {
		status := resp.status
		if f != nil && (f.Kind == FaultDropBefore || f.Kind == FaultDropAfter) {
			status = 0
		}
		record(status)
		s.write(w, r, resp, f)
	}

	var gql *gqlRequest
	switch r.URL.Path {
	case "/v1":
		entry.Kind = KindGraphQL
		if r.Method != http.MethodPost {
			answer(s.graphQLErrorResponse(newAPIError(ErrGraphQLNotPOST), 0), nil)
			return
		}
		gql = readGraphQLRequest(w, r)
		entry.Operation, entry.OperationType = gql.operationName, gql.operationType
	case "/v2/access-token":
		entry.Kind = KindREST
		entry.Operation = r.Method + " " + r.URL.Path
		if r.Method != http.MethodGet && r.Method != http.MethodDelete {
			answer(s.restErrorResponse(newAPIError(ErrRESTMethod), 0), nil)
			return
		}
	default:
		if _, ok := settingsSlug(r.URL.Path); !ok {
			answer(s.restErrorResponse(newAPIError(ErrNoRoute, r.Method, r.URL.Path), 0), nil)
			return
		}
		entry.Kind = KindREST
		entry.Operation = r.Method + " " + settingsPathPrefix + "{org}" + settingsPathSuffix
		if r.Method != http.MethodGet && r.Method != http.MethodPatch {
			answer(s.restErrorResponse(newAPIError(ErrRESTMethod), 0), nil)
			return
		}
	}

	tr := s.faults.pick(entry.Kind, entry.OperationType, entry.Operation)
	entry.Fault = strings.Join(tr.names, ",")
	delay := s.opts.Latency + s.faults.jitter(s.opts.Jitter) + tr.delay
	if !sleep(r.Context(), delay) {
		return
	}

	if resp, ok := s.faultAnswer(tr.fault, r, entry.Kind, gql); ok {
		answer(resp, tr.fault)
		return
	}
	if entry.Kind == KindGraphQL {
		answer(s.serveGraphQL(r, gql, &entry), tr.fault)
	} else {
		answer(s.serveREST(r, &entry), tr.fault)
	}
}

// sleep waits for d unless ctx ends first; it reports whether it slept.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// remoteIP is the address Buildkite sees a request come from: recorded as
// the token's ipAddress and checked against organizations' allowlists.
func (s *Server) remoteIP(r *http.Request) string {
	if s.opts.SeenAddress != "" {
		return s.opts.SeenAddress
	}
	return connectionIP(r)
}

func connectionIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
