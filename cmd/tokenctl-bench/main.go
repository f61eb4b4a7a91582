// Command tokenctl-bench is `make bench`: it measures tokenctl against the
// Buildkite emulator over loopback HTTP with added latency and prints a
// Markdown table of requests, sequential round trips, wall time and memory,
// side by side with the naive ways of doing the same jobs and with the
// floor. It exits 1 when a target is missed. See package bench.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"time"

	"github.com/tokenctl/tokenctl/internal/bench"
)

func main() {
	if child, err := bench.ServeEmulatorIfChild(); child {
		if err != nil {
			fmt.Fprintln(os.Stderr, "tokenctl-bench emulator:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tokenctl-bench:", err)
		os.Exit(1)
	}
}

// flags are the command line's settings.
type flags struct {
	latency      time.Duration
	pageSize     int
	concurrency  int
	runs         int
	baselineRuns int
	only         string
	startupRuns  int
	quiet        bool
	processRuns  int
}

func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("tokenctl-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&f.latency, "latency", 20*time.Millisecond, "latency the emulator adds to every request")
	fs.IntVar(&f.pageSize, "page-size", 0, "tokens per listing request (default: tokenctl's)")
	fs.IntVar(&f.concurrency, "concurrency", 0, "mutations in flight (default: tokenctl's)")
	fs.IntVar(&f.runs, "runs", 3, "runs of each tokenctl scenario; the median is reported")
	fs.IntVar(&f.baselineRuns, "baseline-runs", 3, "runs of each baseline (tens of seconds each), each between two runs of the scenario compared with it; the medians are reported")
	fs.StringVar(&f.only, "run", "", "run only the scenarios whose name matches this `regexp`")
	fs.IntVar(&f.startupRuns, "startup-runs", 200, "rounds of start-up runs (tokenctl version and --help, a hello-world, the stack floor, gh where installed); 0 skips them")
	fs.BoolVar(&f.quiet, "quiet", false, "do not report progress on stderr")
	fs.IntVar(&f.processRuns, "process-runs", 5, "paired runs of each whole-process job (tokenctl and the fetch-only client, in turn); 0 skips them")
	return f, fs.Parse(args)
}

// progress is where progress goes: stderr, or nowhere with -quiet.
func (f flags) progress(stderr io.Writer) io.Writer {
	if f.quiet {
		return nil
	}
	return stderr
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	opts := bench.Options{
		Latency:  f.latency,
		Settings: bench.Settings{PageSize: f.pageSize, Concurrency: f.concurrency},
		Sizes:    bench.DefaultSizes(),
		Runs:     f.runs,
		// A baseline takes tens of seconds, through which the machine's
		// load moves: each run is paired with the runs of tokenctl on
		// either side of it, and the median of three pairs is steady where
		// one run was not.
		BaselineRuns: f.baselineRuns,
		Progress:     f.progress(stderr),
	}
	var onlyJob func(bench.ProcessJob) bool
	if f.only != "" {
		re, err := regexp.Compile(f.only)
		if err != nil {
			return fmt.Errorf("-run: %w", err)
		}
		opts.Only = func(sc *bench.Scenario) bool { return re.MatchString(sc.Name) }
		onlyJob = func(j bench.ProcessJob) bool { return re.MatchString(j.Name) }
	}

	started := time.Now()
	results, err := bench.Run(ctx, opts)
	if err != nil {
		return err
	}
	if len(results) == 0 && f.processRuns <= 0 && f.startupRuns <= 0 {
		return fmt.Errorf("-run %q matches no scenario", f.only)
	}
	fmt.Fprintf(stdout, "tokenctl bench: %s added latency per request, page size %d, concurrency %d, median of %d run(s) (baselines %d), %d CPUs (GOMAXPROCS %d), %s/%s\n\n",
		f.latency, opts.Settings.Page(), opts.Settings.InFlight(), max(f.runs, 1), max(f.baselineRuns, 1), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	if len(results) > 0 {
		if err := writeScenarios(stdout, results); err != nil {
			return err
		}
	}
	missed := bench.Check(results)
	more, goal, err := measureBinaries(ctx, f, onlyJob, stdout, stderr)
	if err != nil {
		return err
	}
	missed = append(missed, more...)

	fmt.Fprintf(stdout, "\nTargets: bulk revoke at least %d× faster than the naive loop (median of paired runs), bulk revoke and the check within %.1f× of their server wait; a repeat run by ids at its floor in round trips; no request throttled. Whole processes: each job at most %.1f× the fetch-only client at every size, CPU and peak memory growing at most %.2f× as fast as the tokens, check and tokens list as JSON under %d MiB resident at %s tokens. Start-up: tokenctl version at most %.2f× the stack floor, version and --help sending no request and writing no file.\n",
		bench.MinSpeedupOverNaive, bench.MaxOverFloor, bench.MaxOverFetchOnly, bench.MaxGrowth, bench.MaxLargeRSS>>20, "50,000", bench.MaxStartupOverFloor)
	for _, m := range missed {
		fmt.Fprintf(stdout, "MISSED: %s\n", m)
	}
	if goal.said != "" {
		fmt.Fprintf(stdout, "Start-up, %s\n", goal.said)
	}
	switch {
	case len(missed) == 0 && goal.met:
		fmt.Fprintln(stdout, "All targets met.")
	case len(missed) == 0:
		fmt.Fprintln(stdout, "All targets met, but not the start-up goal, which does not fail the bench (see above).")
	}
	fmt.Fprintf(stdout, "(bench took %s)\n", time.Since(started).Round(time.Second))
	if len(missed) > 0 {
		return fmt.Errorf("%d target(s) missed", len(missed))
	}
	return nil
}

// writeScenarios prints the scenarios' table and what its columns mean.
func writeScenarios(w io.Writer, results []bench.Result) error {
	if err := bench.WriteTable(w, results); err != nil {
		return err
	}
	_, err := fmt.Fprint(w, `
Sequential round trips: the longest chain of requests each sent after the previous one was answered, from the
emulator's log. Floor: the listing pages, one after another, plus one round of mutations per concurrency slot,
times the latency; the self-check runs alongside the listing. Server wait: the floor measured in the run, the
longest time a chain of requests sent one after another kept tokenctl waiting for the emulator's answers (the
latency and the emulator's own work answering, which on a shared machine moves with its load); what a run takes
beyond it is tokenctl's own. Speed-up: each baseline run sits between two runs of the scenario; the median of the
baseline's wall time over theirs. Once an earlier run (a dry run, not counted)
remembered which token tokenctl is using and the id its listing showed it under, a run by ids sends neither the
self-check nor a listing page, only its mutations. Each run starts with an empty cache; a shell loop's runs share
one. tokenctl's scenarios run within Buildkite's documented rate budgets (GraphQL 50,000 points per 5 minutes per
organization, REST 200 a minute per organization and 50 per user); the baselines run unlimited. Peak heap: the
largest Go heap of the process running tokenctl, sampled every millisecond (live data and garbage not yet collected;
the emulator runs in another process). Allocated: bytes allocated during the run.
`)
	return err
}

// startupGoal is how tokenctl version stands against the start-up
// goal: met when not measured, with nothing said.
type startupGoal struct {
	said string
	met  bool
}

// measureBinaries builds tokenctl as released and times whole processes
// against the fetch-only client, and start-up against a hello-world and the
// stack floor, as the flags ask; it returns the targets missed and the
// start-up goal's standing.
func measureBinaries(ctx context.Context, f flags, onlyJob func(bench.ProcessJob) bool, stdout, stderr io.Writer) ([]string, startupGoal, error) {
	goal := startupGoal{met: true}
	var missed []string
	dir, err := os.MkdirTemp("", "tokenctl-bench-bin-")
	if err != nil {
		return nil, goal, err
	}
	defer os.RemoveAll(dir)
	var bin string
	if f.startupRuns > 0 || f.processRuns > 0 {
		if !f.quiet {
			fmt.Fprintln(stderr, "bench: building tokenctl as released")
		}
		if bin, err = bench.BuildTokenctl(ctx, dir); err != nil {
			return nil, goal, err
		}
	}

	if f.processRuns > 0 {
		fetchOnly, err := bench.BuildFetchOnly(ctx, dir)
		if err != nil {
			return nil, goal, err
		}
		rows, err := bench.MeasureProcesses(ctx, bin, fetchOnly, bench.ProcessSizes, f.processRuns, onlyJob, f.progress(stderr))
		if err != nil {
			return nil, goal, err
		}
		fmt.Fprintf(stdout, "\nWhole processes, no added latency, rate budgets lifted: each run of tokenctl right after one of a fetch-only client that sends the same GraphQL documents to the same emulator, decodes each page once into plain structs and keeps every token (and member, for a check); output to %s. Medians of %d paired runs; the ratio is the median of the pairs' wall-time ratios.\n\n", os.DevNull, f.processRuns)
		if err := bench.WriteProcessTable(stdout, rows); err != nil {
			return nil, goal, err
		}
		missed = append(missed, bench.CheckProcesses(rows)...)
	}

	if f.startupRuns > 0 {
		more, g, err := measureStartup(ctx, f, bin, dir, stdout, stderr)
		if err != nil {
			return nil, goal, err
		}
		missed, goal = append(missed, more...), g
	}
	return missed, goal, nil
}

// measureStartup builds a hello-world and the stack floor the way tokenctl
// was built and times tokenctl's start-up against them and gh, where
// installed.
func measureStartup(ctx context.Context, f flags, bin, dir string, stdout, stderr io.Writer) ([]string, startupGoal, error) {
	if !f.quiet {
		fmt.Fprintln(stderr, "bench: building a hello-world and the stack floor the same way; timing start-up")
	}
	bins := bench.StartupBinaries{Tokenctl: bin, GH: bench.FindGH(ctx)}
	var err error
	if bins.Hello, err = bench.BuildHelloWorld(ctx, dir); err != nil {
		return nil, startupGoal{}, err
	}
	if bins.Floor, err = bench.BuildStackFloor(ctx, dir); err != nil {
		return nil, startupGoal{}, err
	}
	if bins.Libraries, err = bench.BuildLibraryFloor(ctx, dir); err != nil {
		return nil, startupGoal{}, err
	}
	loadBefore := bench.LoadAverage()
	rows, err := bench.MeasureStartup(ctx, bins, f.startupRuns)
	if err != nil {
		return nil, startupGoal{}, err
	}
	load := ""
	if loadAfter := bench.LoadAverage(); loadAfter != "" {
		load = fmt.Sprintf(" Load average (1 minute) %s before, %s after.", loadBefore, loadAfter)
	}
	gh := "gh is not installed, so it is not shown"
	if bins.GH != "" {
		gh = "`gh --version` is shown for scale"
	}
	fmt.Fprintf(stdout, "\nStart-up of the built binary, side by side with a Go hello-world and the stack floor built the same way (static, as released; the floor imports the libraries the design requires and runs nothing of them, the library floor every package from outside tokenctl's module that tokenctl imports, the standard library's included); %s. %d rounds, each running every program once in an order that rotates; each ratio is the median of the rounds' ratios of wall times. tokenctl's commands run with an emulator reachable and an empty config directory, both of which must stay untouched.%s\n\n", gh, f.startupRuns, load)
	if err := bench.WriteStartupTable(stdout, rows); err != nil {
		return nil, startupGoal{}, err
	}
	missed, said, met := bench.StartupVerdict(rows)
	return missed, startupGoal{said: said, met: met}, nil
}
