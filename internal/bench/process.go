package bench

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Targets of the whole-process jobs.
const (
	// MaxOverFetchOnly: each job may take at most this many times the
	// wall time of the fetch-only client reading the same pages.
	MaxOverFetchOnly = 1.2
	// MaxGrowth: from the smaller organization to the larger, a job's
	// time and peak memory may grow at most this many times as fast as
	// the number of tokens (time and memory linear in tokens).
	MaxGrowth = 1.25
	// MaxLargeRSS: at the larger size, a check and a listing as JSON must
	// peak below this resident memory.
	MaxLargeRSS = 120 << 20
)

// ProcessSizes are the organizations the whole-process jobs run against.
var ProcessSizes = []int{5000, 50000}

// processMembers is the members owning the tokens in every size, as in
// the check scenario.
const processMembers = 1000

// ProcessJob is one command line timed as a whole process against the
// fetch-only client reading the same pages.
type ProcessJob struct {
	Name string
	Args []string
	// Members says the job lists the members too (a check does): the
	// fetch-only client then pages them alongside.
	Members bool
	// BoundedRSS says the job is held to MaxLargeRSS at the larger size.
	BoundedRSS bool
}

// ProcessJobs are the jobs timed as whole processes.
var ProcessJobs = []ProcessJob{
	{Name: "check -o json", Args: []string{"check", "--org", Org, "-o", "json"}, Members: true, BoundedRSS: true},
	{Name: "check -o table", Args: []string{"check", "--org", Org, "-o", "table"}, Members: true},
	{Name: "check -o markdown", Args: []string{"check", "--org", Org, "-o", "markdown"}, Members: true},
	{Name: "tokens list -o json", Args: []string{"tokens", "list", "--org", Org, "-o", "json"}, BoundedRSS: true},
	{Name: "tokens list -o table", Args: []string{"tokens", "list", "--org", Org, "-o", "table"}},
}

// Usage is what one finished process cost.
type Usage struct {
	Wall, CPU time.Duration
	PeakRSS   uint64 // bytes
}

// ProcessResult is one job at one size: medians over paired runs, each
// run of the job right after one of the fetch-only client.
type ProcessResult struct {
	Job    ProcessJob
	Tokens int
	Runs   int
	// Job and FetchOnly are the medians of each; Ratio is the median of
	// the runs' wall-time ratios, pair by pair.
	JobUsage, FetchOnly Usage
	Ratio               float64
}

// BuildFetchOnly builds the fetch-only client into dir as BuildTokenctl
// builds tokenctl.
func BuildFetchOnly(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "tokenctl-fetchonly")
	return bin, goBuild(ctx, "", bin, "github.com/tokenctl/tokenctl/cmd/tokenctl-fetchonly")
}

// MeasureProcesses runs every job at every size, runs times each, paired
// with the fetch-only client. progress, when set, gets a line per job.
func MeasureProcesses(ctx context.Context, bin, fetchOnly string, sizes []int, runs int, only func(ProcessJob) bool, progress io.Writer) ([]ProcessResult, error) {
	launcher, err := BuildLauncher(ctx, filepath.Dir(fetchOnly))
	if err != nil {
		return nil, err
	}
	var out []ProcessResult
	for _, size := range sizes {
		emu, err := StartEmulator(ctx, EmulatorSpec{OrgTokens: size, OrgMembers: processMembers, Unlimited: true})
		if err != nil {
			return nil, err
		}
		results, err := measureAtSize(ctx, emu, launcher, bin, fetchOnly, size, runs, only, progress)
		_ = emu.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, results...)
	}
	return out, nil
}

func measureAtSize(ctx context.Context, emu *Emulator, launcher, bin, fetchOnly string, size, runs int, only func(ProcessJob) bool, progress io.Writer) ([]ProcessResult, error) {
	home, cleanup, err := configHome()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	env := emu.tokenctlEnv(home)
	var out []ProcessResult
	for _, job := range ProcessJobs {
		if only != nil && !only(job) {
			continue
		}
		if progress != nil {
			fmt.Fprintf(progress, "bench: %s, whole process, org of %s tokens\n", job.Name, thousands(size))
		}
		base := []string{"-org", Org}
		if job.Members {
			base = append(base, "-members")
		}
		var jobs, bases []Usage
		var ratios []float64
		for range max(runs, 1) {
			b, err := runProcess(ctx, launcher, env, fetchOnly, base...)
			if err != nil {
				return nil, fmt.Errorf("fetch-only client: %w", err)
			}
			j, err := runProcess(ctx, launcher, env, bin, job.Args...)
			if err != nil {
				return nil, fmt.Errorf("tokenctl %s: %w", strings.Join(job.Args, " "), err)
			}
			jobs, bases = append(jobs, j), append(bases, b)
			ratios = append(ratios, float64(j.Wall)/float64(b.Wall))
		}
		out = append(out, ProcessResult{Job: job, Tokens: size, Runs: len(jobs), JobUsage: medianUsage(jobs), FetchOnly: medianUsage(bases), Ratio: median(ratios)})
	}
	return out, nil
}

// runProcess runs bin to its end through launcher (see launcherSource),
// with its output thrown away, and returns its wall time, CPU time and
// peak resident memory.
func runProcess(ctx context.Context, launcher string, env []string, bin string, args ...string) (Usage, error) {
	u, code, stderr, err := launch(ctx, launcher, env, bin, args...)
	if err != nil {
		return Usage{}, err
	}
	if code != 0 && code != 8 {
		return Usage{}, fmt.Errorf("exit %d: %s", code, strings.TrimSpace(stderr))
	}
	return u, nil
}

func medianUsage(us []Usage) Usage {
	walls, cpus, rss := make([]float64, len(us)), make([]float64, len(us)), make([]float64, len(us))
	for i, u := range us {
		walls[i], cpus[i], rss[i] = float64(u.Wall), float64(u.CPU), float64(u.PeakRSS)
	}
	return Usage{Wall: time.Duration(median(walls)), CPU: time.Duration(median(cpus)), PeakRSS: uint64(median(rss))}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// WriteProcessTable prints the whole-process results as a Markdown table.
func WriteProcessTable(w io.Writer, results []ProcessResult) error {
	var b strings.Builder
	b.WriteString("| Job | Tokens | Runs | Wall | CPU | Peak RSS | Fetch-only wall | Fetch-only CPU | Fetch-only peak RSS | × fetch-only (wall, paired median) |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| `tokenctl %s` | %s | %d | %s | %s | %s | %s | %s | %s | %.2f× |\n",
			strings.Join(r.Job.Args, " "), thousands(r.Tokens), r.Runs,
			duration(r.JobUsage.Wall), duration(r.JobUsage.CPU), bytes(r.JobUsage.PeakRSS),
			duration(r.FetchOnly.Wall), duration(r.FetchOnly.CPU), bytes(r.FetchOnly.PeakRSS), r.Ratio)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CheckProcesses holds the whole-process results to the targets: each job
// within MaxOverFetchOnly of the fetch-only client at every size, time and
// memory growing no faster than MaxGrowth times the tokens, and the JSON
// jobs under MaxLargeRSS at the largest size.
func CheckProcesses(results []ProcessResult) []string {
	var missed []string
	bySize := map[string][]ProcessResult{}
	largest := 0
	for _, r := range results {
		largest = max(largest, r.Tokens)
		if r.Ratio > MaxOverFetchOnly {
			missed = append(missed, fmt.Sprintf("tokenctl %s at %s tokens took %.2f× the fetch-only client; the target is at most %.1f×", r.Job.Name, thousands(r.Tokens), r.Ratio, MaxOverFetchOnly))
		}
		bySize[r.Job.Name] = append(bySize[r.Job.Name], r)
	}
	for _, r := range results {
		if r.Job.BoundedRSS && r.Tokens == largest && r.JobUsage.PeakRSS >= MaxLargeRSS {
			missed = append(missed, fmt.Sprintf("tokenctl %s at %s tokens peaked at %s resident; the target is under %s", r.Job.Name, thousands(r.Tokens), bytes(r.JobUsage.PeakRSS), bytes(MaxLargeRSS)))
		}
	}
	for _, job := range ProcessJobs {
		rs := bySize[job.Name]
		if len(rs) < 2 {
			continue
		}
		small, large := rs[0], rs[len(rs)-1]
		limit := MaxGrowth * float64(large.Tokens) / float64(small.Tokens)
		if g := float64(large.JobUsage.CPU) / float64(small.JobUsage.CPU); g > limit {
			missed = append(missed, fmt.Sprintf("tokenctl %s: CPU grew %.1f× from %s to %s tokens; linear allows at most %.1f×", job.Name, g, thousands(small.Tokens), thousands(large.Tokens), limit))
		}
		if g := float64(large.JobUsage.PeakRSS) / float64(small.JobUsage.PeakRSS); g > limit {
			missed = append(missed, fmt.Sprintf("tokenctl %s: peak memory grew %.1f× from %s to %s tokens; linear allows at most %.1f×", job.Name, g, thousands(small.Tokens), thousands(large.Tokens), limit))
		}
	}
	return missed
}
