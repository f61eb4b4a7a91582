package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
)

// Result is one scenario's measurement.
type Result struct {
	Scenario *Scenario
	Targets  int // tokens revoked

	GraphQL, REST int // requests the emulator received
	Mutations     int // of the GraphQL requests
	Throttled     int // answered 429
	// RoundTrips is SequentialRoundTrips of the run; FloorTrips is the
	// fewest the job needs done this way.
	RoundTrips, FloorTrips int
	Latency                time.Duration

	Wall      time.Duration
	PeakHeap  uint64 // largest Go heap seen during the run
	Allocated uint64 // bytes allocated during the run
}

// Requests is every request the run sent.
func (r Result) Requests() int { return r.GraphQL + r.REST }

// Floor is the floor in time: the floor's round trips at the latency.
func (r Result) Floor() time.Duration { return time.Duration(r.FloorTrips) * r.Latency }

// OverFloor is how many times the floor the run took; 0 without latency.
func (r Result) OverFloor() float64 {
	if r.Floor() <= 0 {
		return 0
	}
	return float64(r.Wall) / float64(r.Floor())
}

// Options configure a bench run.
type Options struct {
	Latency  time.Duration // added by the emulator to every request
	Settings Settings
	Sizes    Sizes
	// Runs is how often each tokenctl scenario runs, BaselineRuns each
	// baseline (they take tens of seconds); the run with the median wall
	// time is reported. 0 means 1.
	Runs, BaselineRuns int
	// Only, when set, picks the scenarios to run.
	Only func(*Scenario) bool
	// Progress, when set, gets a line as each scenario starts.
	Progress io.Writer
}

// Run measures every scenario, each run against a fresh emulator child.
func Run(ctx context.Context, opts Options) ([]Result, error) {
	home, cleanup, err := configHome()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var results []Result
	for _, sc := range Scenarios(opts.Sizes) {
		if opts.Only != nil && !opts.Only(sc) {
			continue
		}
		var runs []Result
		n := opts.Runs
		if sc.Baseline {
			n = opts.BaselineRuns
		}
		for range max(n, 1) {
			if opts.Progress != nil {
				fmt.Fprintf(opts.Progress, "bench: %s (org of %s)\n", sc.Name, thousands(sc.OrgTokens))
			}
			r, err := runOnce(ctx, sc, opts, home)
			if err != nil {
				return results, fmt.Errorf("%s: %w", sc.Name, err)
			}
			runs = append(runs, r)
		}
		slices.SortFunc(runs, func(a, b Result) int { return int(a.Wall - b.Wall) })
		results = append(results, runs[len(runs)/2])
	}
	return results, nil
}

func runOnce(ctx context.Context, sc *Scenario, opts Options, home string) (Result, error) {
	emu, err := StartEmulator(ctx, EmulatorSpec{OrgTokens: sc.OrgTokens, OrgMembers: sc.OrgMembers, Latency: opts.Latency, Unlimited: sc.Baseline})
	if err != nil {
		return Result{}, err
	}
	defer emu.Close()
	var targets []string
	if sc.targets != nil {
		targets = sc.targets(emu)
	}
	// Each run remembers only what it learnt itself.
	cacheDir, err := os.MkdirTemp("", "tokenctl-bench-cache-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(cacheDir)
	r := newRunner(emu, opts.Settings, home, cacheDir)
	defer r.useEnv()()
	if sc.prepare != nil {
		if err := sc.prepare(ctx, r, targets); err != nil {
			return Result{}, fmt.Errorf("preparing: %w", err)
		}
		if err := emu.Reset(ctx); err != nil {
			return Result{}, err
		}
	}

	mem := startMemorySampler()
	start := time.Now()
	runErr := sc.run(ctx, r, targets)
	wall := time.Since(start)
	peak, allocated := mem.finish()
	if runErr != nil {
		return Result{}, runErr
	}

	st, err := emu.Stats(ctx)
	if err != nil {
		return Result{}, err
	}
	res := Result{
		Scenario:   sc,
		Targets:    len(targets),
		RoundTrips: SequentialRoundTrips(st.Spans),
		FloorTrips: sc.floor(opts.Settings, emu, targets),
		Latency:    opts.Latency,
		Wall:       wall,
		PeakHeap:   peak,
		Allocated:  allocated,
	}
	revoked := 0
	for _, req := range st.Requests {
		switch req.Kind {
		case emulator.KindGraphQL:
			res.GraphQL++
		case emulator.KindREST:
			res.REST++
		}
		if req.OperationType == "mutation" {
			res.Mutations++
			if req.Status == http.StatusOK {
				revoked++
			}
		}
		if req.Status == http.StatusTooManyRequests {
			res.Throttled++
		}
	}
	if revoked != len(targets) {
		return res, fmt.Errorf("the emulator answered %d revocations, want %d", revoked, len(targets))
	}
	return res, nil
}
