package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
)

// envEmulatorSpec, when set, makes a process that calls ServeEmulatorIfChild
// serve the emulator described by its JSON value instead of doing its own
// work. The bench program (and this package's test binary) re-runs itself
// this way, so the emulator's memory is never counted as tokenctl's.
const envEmulatorSpec = "TOKENCTL_BENCH_EMULATOR"

// statsPath is where the child reports what it saw. It is not part of the
// Buildkite API and only the bench asks for it.
const statsPath = "/_bench/stats"

// resetPath makes the child forget what it saw, so that what a scenario
// does to prepare is not measured.
const resetPath = "/_bench/reset"

// Org is the organization every scenario works in (the demo seed's).
const Org = "acme"

// callerToken is the bench's own credential: an administrator's token with
// GraphQL access, added to the organization. Like every emulator
// credential it is fake and public.
const (
	callerToken     = "bkua_bench00000000000000000000000000000000000"
	callerTokenUUID = "bebebebe-0000-4000-8000-000000000001"
)

// EmulatorSpec is what a child emulator serves.
type EmulatorSpec struct {
	// OrgTokens is how many tokens the organization lists, the bench's own
	// and the demo seed's included.
	OrgTokens int `json:"orgTokens"`
	// OrgMembers, when set, adds that many generated members, who own the
	// generated tokens.
	OrgMembers int           `json:"orgMembers,omitempty"`
	Latency    time.Duration `json:"latency"`
	// Unlimited lifts the rate budgets, for the baselines: the naive loop
	// alone spends far more than Buildkite's 50,000 points. tokenctl's
	// scenarios run within the emulator's defaults, Buildkite's documented
	// budgets, so they meet what a real run would.
	Unlimited bool `json:"unlimited"`
}

// hello is the child's first line on stdout.
type hello struct {
	URL string `json:"url"`
	// OrgID is the organization's GraphQL id.
	OrgID string `json:"orgId"`
	// Tokens are the uuids the organization lists, in paging order.
	Tokens []string `json:"tokens"`
	// Members is how many members the organization lists.
	Members int `json:"members"`
}

// Stats is what the emulator saw during a scenario.
type Stats struct {
	// Requests is the emulator's request log.
	Requests []emulator.Request `json:"requests"`
	// Spans are the requests' arrival and answer times, in arrival order.
	Spans []Span `json:"spans"`
}

// Span is when the emulator received one request and finished answering it.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// ServeEmulatorIfChild serves the emulator and reports true when this
// process was started as a bench emulator child; it returns false at once
// otherwise. Call it first thing in main (or TestMain).
func ServeEmulatorIfChild() (bool, error) {
	raw, ok := os.LookupEnv(envEmulatorSpec)
	if !ok {
		return false, nil
	}
	var spec EmulatorSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		return true, fmt.Errorf("bad %s: %w", envEmulatorSpec, err)
	}
	return true, serveEmulator(spec, os.Stdin, os.Stdout)
}

// Fixture is the demo seed with the bench's caller token and enough
// generated tokens that the organization lists orgTokens of them; with
// orgMembers, that many generated members own them.
func Fixture(orgTokens, orgMembers int) (*emulator.Fixture, error) {
	fx := emulator.DemoFixture()
	admin := ""
	for _, o := range fx.Organizations {
		for _, m := range o.Members {
			if o.Slug == Org && m.Role == emulator.RoleAdmin && admin == "" {
				admin = m.User
			}
		}
	}
	if admin == "" {
		return nil, fmt.Errorf("the demo seed has no administrator of %s", Org)
	}
	fx.Tokens = append(fx.Tokens, emulator.FixtureToken{
		UUID:          callerTokenUUID,
		Value:         callerToken,
		Description:   "tokenctl bench",
		Owner:         admin,
		Scopes:        []string{"GRAPHQL", "READ_ORGANIZATIONS"},
		Organizations: []string{Org},
		CreatedAt:     "now-1000d", // first in paging order, out of every scenario's way
	})
	probe, err := emulator.New(emulator.Options{Fixture: fx})
	if err != nil {
		return nil, err
	}
	have := len(probe.Tokens(Org))
	if orgTokens < have {
		return nil, fmt.Errorf("an organization of %d tokens is too small: the demo seed and the bench's own token are already %d", orgTokens, have)
	}
	more := orgTokens - have
	if orgMembers > 0 {
		each := more / orgMembers
		if err := fx.AddGeneratedMembers(Org, orgMembers, each); err != nil {
			return nil, err
		}
		more -= each * orgMembers
	}
	fx.AddGeneratedTokens(Org, more, admin)
	return fx, nil
}

// serveEmulator runs the child: it serves on a loopback port, says where on
// stdout, and stops when stdin closes (the parent finished or died).
func serveEmulator(spec EmulatorSpec, stdin io.Reader, stdout io.Writer) error {
	fx, err := Fixture(spec.OrgTokens, spec.OrgMembers)
	if err != nil {
		return err
	}
	opts := emulator.Options{Fixture: fx, Latency: spec.Latency}
	if spec.Unlimited {
		opts.RateLimit, opts.RESTRateLimit, opts.RESTUserRateLimit = 1<<30, 1<<30, 1<<30
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	rec := &spanRecorder{next: srv}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+statsPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(Stats{Requests: srv.Requests(), Spans: rec.spans()})
	})
	mux.HandleFunc("POST "+resetPath, func(w http.ResponseWriter, _ *http.Request) {
		srv.ResetRequests()
		rec.reset()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("/", rec)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()

	orgID, members := "", 0
	for _, o := range fx.Organizations {
		if o.Slug == Org {
			orgID, members = emulator.NodeID("Organization", o.UUID), len(o.Members)
		}
	}
	if err := json.NewEncoder(stdout).Encode(hello{URL: "http://" + ln.Addr().String(), OrgID: orgID, Tokens: srv.Tokens(Org), Members: members}); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, stdin)
	// The parent has what it measured; connections it left open (a client
	// may dial a spare it never uses) need no goodbye.
	return hs.Close()
}

// spanRecorder times every API request from arrival to the end of its
// answer.
type spanRecorder struct {
	next http.Handler
	mu   sync.Mutex
	all  []Span
}

func (r *spanRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	start := time.Now()
	r.next.ServeHTTP(w, req)
	end := time.Now()
	r.mu.Lock()
	r.all = append(r.all, Span{Start: start, End: end})
	r.mu.Unlock()
}

func (r *spanRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = nil
}

func (r *spanRecorder) spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.all...)
}

// Emulator is a running child emulator.
type Emulator struct {
	URL   string
	OrgID string // the organization's GraphQL id
	// Tokens lists the organization's tokens in paging order, the bench's
	// own included (see Targets).
	Tokens []string
	// Members is how many members the organization lists.
	Members int

	cmd   *exec.Cmd
	stdin io.WriteCloser
	wait  chan error
}

// StartEmulator runs a child emulator until Close, or until ctx ends. The
// child is this same program (see ServeEmulatorIfChild).
func StartEmulator(ctx context.Context, spec EmulatorSpec) (*Emulator, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self) //nolint:gosec // the child is this very binary, re-run as the emulator
	cmd.Env = append(os.Environ(), envEmulatorSpec+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &Emulator{cmd: cmd, stdin: stdin, wait: make(chan error, 1)}
	line, readErr := bufio.NewReaderSize(stdout, 1<<20).ReadBytes('\n')
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		e.wait <- cmd.Wait()
	}()
	var h hello
	if readErr == nil {
		readErr = json.Unmarshal(line, &h)
	}
	if readErr != nil || h.URL == "" {
		e.Close()
		return nil, fmt.Errorf("the emulator child did not start (%w): %s", readErr, strings.TrimSpace(string(line)))
	}
	e.URL, e.OrgID, e.Tokens, e.Members = h.URL, h.OrgID, h.Tokens, h.Members
	return e, nil
}

// Targets are the tokens a scenario may revoke: all but the bench's own,
// in paging order.
func (e *Emulator) Targets() []string {
	out := make([]string, 0, len(e.Tokens))
	for _, u := range e.Tokens {
		if u != callerTokenUUID {
			out = append(out, u)
		}
	}
	return out
}

// Stats fetches what the emulator saw so far.
func (e *Emulator) Stats(ctx context.Context) (Stats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+statsPath, nil)
	if err != nil {
		return Stats{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Stats{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Stats{}, fmt.Errorf("emulator stats: HTTP %s", resp.Status)
	}
	var st Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return Stats{}, fmt.Errorf("emulator stats: %w", err)
	}
	return st, nil
}

// Reset makes the emulator forget the requests it saw so far.
func (e *Emulator) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL+resetPath, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("emulator reset: HTTP %s", resp.Status)
	}
	return nil
}

// Close stops the child, waits for it and returns how it exited.
func (e *Emulator) Close() error {
	_ = e.stdin.Close()
	select {
	case err := <-e.wait:
		return err
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		return <-e.wait
	}
}

// tokenctlEnv is the whole environment of a tokenctl process run against
// the emulator, with home as its home, config and cache directory.
func (e *Emulator) tokenctlEnv(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + home,
		"XDG_CACHE_HOME=" + home,
		"BUILDKITE_API_TOKEN=" + callerToken,
		"BUILDKITE_GRAPHQL_ENDPOINT=" + e.URL + "/v1",
		"BUILDKITE_REST_API_ENDPOINT=" + e.URL,
	}
}
