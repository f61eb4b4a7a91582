package bench

import (
	"strings"
	"testing"
	"time"
)

func TestCheckProcessesHoldsJobsToTheTargets(t *testing.T) {
	job := ProcessJobs[0] // check -o json: held to the memory bound too
	at := func(tokens int, wall, cpu time.Duration, rss uint64, ratio float64) ProcessResult {
		return ProcessResult{Job: job, Tokens: tokens, Runs: 1, JobUsage: Usage{Wall: wall, CPU: cpu, PeakRSS: rss}, Ratio: ratio}
	}
	good := []ProcessResult{
		at(5000, 100*time.Millisecond, 50*time.Millisecond, 20<<20, 1.1),
		at(50000, time.Second, 500*time.Millisecond, 100<<20, 1.15),
	}
	if missed := CheckProcesses(good); len(missed) != 0 {
		t.Errorf("within every target, yet missed: %q", missed)
	}
	for _, tt := range []struct {
		name    string
		results []ProcessResult
		want    string
	}{
		{"slower than the fetch-only client", []ProcessResult{good[0], at(50000, time.Second, 500*time.Millisecond, 100<<20, 1.3)}, "1.30× the fetch-only client"},
		{"superlinear time", []ProcessResult{good[0], at(50000, time.Second, 700*time.Millisecond, 100<<20, 1.1)}, "CPU grew 14.0×"},
		{"superlinear memory", []ProcessResult{at(5000, 100*time.Millisecond, 50*time.Millisecond, 7<<20, 1.1), good[1]}, "peak memory grew 14.3×"},
		{"too much memory", []ProcessResult{at(5000, 100*time.Millisecond, 50*time.Millisecond, 20<<20, 1.1), at(50000, time.Second, 500*time.Millisecond, 130<<20, 1.1)}, "peaked at 130 MiB"},
	} {
		missed := strings.Join(CheckProcesses(tt.results), "\n")
		if !strings.Contains(missed, tt.want) {
			t.Errorf("%s: missed %q, want it to say %q", tt.name, missed, tt.want)
		}
	}
}
