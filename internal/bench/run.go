package bench

import (
	"cmp"
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
	// ServerWait is ServerWait of the run: the floor measured in the run.
	ServerWait time.Duration
	// Speedup is, for each baseline the scenario is compared with (its
	// Against), how many times faster the scenario ran than the baseline:
	// the median of each baseline run's wall time over the scenario's runs
	// just before and just after it (see Run).
	Speedup map[string]float64

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

// OverServer is how many times the emulator's answers along the run's
// chain of requests (ServerWait) the run took; 0 when not measured.
func (r Result) OverServer() float64 {
	if r.ServerWait <= 0 {
		return 0
	}
	return float64(r.Wall) / float64(r.ServerWait)
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
// A scenario compared with baselines (its Against) runs interleaved with
// them, each baseline run between two of its runs, so that a speed-up is a
// ratio of runs made at the same moment, whatever the machine's load does
// over the minutes a baseline takes; each speed-up is the median of those
// ratios. Each result is the run with the median wall time.
func Run(ctx context.Context, opts Options) ([]Result, error) {
	home, cleanup, err := configHome()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	all := Scenarios(opts.Sizes)
	selected := func(sc *Scenario) bool { return opts.Only == nil || opts.Only(sc) }
	measured := map[string]Result{}
	once := func(sc *Scenario) (Result, error) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "bench: %s (org of %s)\n", sc.Name, thousands(sc.OrgTokens))
		}
		r, err := runOnce(ctx, sc, opts, home)
		if err != nil {
			return r, fmt.Errorf("%s: %w", sc.Name, err)
		}
		return r, nil
	}
	for _, sc := range all {
		if _, done := measured[sc.Name]; done || !selected(sc) {
			continue
		}
		var baselines []*Scenario
		for _, b := range all {
			if slices.Contains(sc.Against, b.Name) && selected(b) {
				baselines = append(baselines, b)
			}
		}
		runs := max(opts.Runs, 1)
		if sc.Baseline {
			runs = max(opts.BaselineRuns, 1)
		}
		baselineRuns := 0
		if len(baselines) > 0 {
			baselineRuns = max(opts.BaselineRuns, 1)
			// A run of the scenario on each side of every baseline run.
			runs = max(runs, baselineRuns+1)
		}
		var own []Result
		baseRuns := make([][]Result, len(baselines))
		for i := range runs {
			r, err := once(sc)
			if err != nil {
				return nil, err
			}
			own = append(own, r)
			if i >= baselineRuns {
				continue
			}
			for k, b := range baselines {
				r, err := once(b)
				if err != nil {
					return nil, err
				}
				baseRuns[k] = append(baseRuns[k], r)
			}
		}
		res := medianRun(own)
		for k, b := range baselines {
			measured[b.Name] = medianRun(baseRuns[k])
			ratios := make([]float64, len(baseRuns[k]))
			for i, br := range baseRuns[k] {
				around := (own[i].Wall + own[i+1].Wall) / 2
				ratios[i] = float64(br.Wall) / float64(around)
			}
			if res.Speedup == nil {
				res.Speedup = map[string]float64{}
			}
			res.Speedup[b.Name] = median(ratios)
		}
		measured[sc.Name] = res
	}
	var results []Result
	for _, sc := range all {
		if r, ok := measured[sc.Name]; ok {
			results = append(results, r)
		}
	}
	return results, nil
}

// medianRun is the run with the median wall time.
func medianRun(runs []Result) Result {
	runs = slices.Clone(runs)
	slices.SortFunc(runs, func(a, b Result) int { return cmp.Compare(a.Wall, b.Wall) })
	return runs[len(runs)/2]
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
		ServerWait: ServerWait(st.Spans),
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
