package bench

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// StartupCommands are the commands that must start fast and touch neither
// the network nor the config file.
var StartupCommands = [][]string{{"version"}, {"--help"}}

// Start-up targets.
const (
	// GoalStartupOverHello is the goal: tokenctl version within
	// this many times a Go hello-world built the same way. It is reported,
	// met or not, and why; it does not fail the bench, because the stack
	// floor alone may exceed it (it does on Linux/amd64: about 1.9×).
	GoalStartupOverHello = 2.0
	// MaxStartupOverFloor: tokenctl version must start within this many
	// times the stack floor (the libraries the design requires, linked and
	// initialised, nothing run), by the median of paired runs. Measured at
	// 1.33× to 1.45× at loads from 1 to 11 on 2 cores once tokenctl linked
	// nothing it could do without, and 1.56× before: the bound leaves room
	// for a loaded machine's noise and fails when as much comes back as
	// gojq's initialisation costs (about a tenth of the floor).
	MaxStartupOverFloor = 1.5
)

// StartupRole is what a row of the start-up table stands for.
type StartupRole int

// The programs timed at start-up.
const (
	RoleTokenctl  StartupRole = iota // a tokenctl command, held to the targets
	RoleHello                        // the Go hello-world
	RoleFloor                        // the stack floor
	RoleOther                        // another CLI, for scale
	RoleLibraries                    // every library tokenctl imports, nothing run
)

// Startup is how a built program behaved running one command many times.
type Startup struct {
	Name string // as the table shows it
	Role StartupRole
	Args []string
	Runs int
	// Wall times, and the medians of CPU time and of minor page faults.
	Min, Median, Max time.Duration
	CPU              time.Duration
	Faults           int64
	// Over maps a reference role (hello-world, floor, other) to the median,
	// over the rounds, of this row's wall time divided by the reference's
	// in the same round. A role not measured has no entry.
	Over map[StartupRole]float64
	// Requests is what the emulator the environment points at received
	// from this command; ConfigFiles lists what appeared in its config
	// directory. Both must be empty.
	Requests    int
	ConfigFiles []string
}

// StartupBinaries are the programs MeasureStartup times.
type StartupBinaries struct {
	Tokenctl, Hello, Floor string
	// Libraries, when set, is the library floor (BuildLibraryFloor).
	Libraries string
	// GH is gh's path where installed, or "".
	GH string
}

// FindGH is gh's path where installed and runnable, or "".
func FindGH(ctx context.Context) string {
	gh, err := exec.LookPath("gh")
	if err != nil {
		return ""
	}
	if _, err := timeRun(ctx, plainEnv(os.TempDir()), gh, "--version"); err != nil {
		return ""
	}
	return gh
}

// startupProgram is one command line timed in every round.
type startupProgram struct {
	row  Startup
	bin  string
	env  []string
	home string // tokenctl's config directory, checked after the runs
}

// MeasureStartup times every program in rounds: each round runs each
// program once, in an order that rotates from round to round, so that the
// programs of a round meet the same load and every ratio is taken within a
// round. tokenctl runs with an environment that points at a live emulator
// and with an empty config directory of its own per command; the requests
// and files each command leaves are counted.
func MeasureStartup(ctx context.Context, bins StartupBinaries, rounds int) ([]Startup, error) {
	emu, err := StartEmulator(ctx, EmulatorSpec{OrgTokens: DefaultSizes().SmallOrg})
	if err != nil {
		return nil, err
	}
	defer emu.Close()
	scratch, cleanup, err := configHome()
	if err != nil {
		return nil, err
	}
	defer cleanup()

	progs := []*startupProgram{
		{row: Startup{Name: "Go hello-world", Role: RoleHello}, bin: bins.Hello, env: plainEnv(scratch)},
		{row: Startup{Name: "stack floor (" + stackNames() + " imported, nothing run)", Role: RoleFloor}, bin: bins.Floor, env: plainEnv(scratch)},
	}
	if bins.Libraries != "" {
		progs = append(progs, &startupProgram{row: Startup{Name: "library floor (every package tokenctl imports, nothing run)", Role: RoleLibraries}, bin: bins.Libraries, env: plainEnv(scratch)})
	}
	for _, args := range StartupCommands {
		home, err := os.MkdirTemp(scratch, "home-")
		if err != nil {
			return nil, err
		}
		progs = append(progs, &startupProgram{
			row: Startup{Name: "`tokenctl " + strings.Join(args, " ") + "`", Role: RoleTokenctl, Args: args},
			bin: bins.Tokenctl, env: emu.tokenctlEnv(home), home: home,
		})
	}
	if bins.GH != "" {
		progs = append(progs, &startupProgram{row: Startup{Name: "`gh --version`", Role: RoleOther, Args: []string{"--version"}}, bin: bins.GH, env: plainEnv(scratch)})
	}

	samples, err := runRounds(ctx, emu, progs, rounds)
	if err != nil {
		return nil, err
	}
	out := make([]Startup, len(progs))
	for i, p := range progs {
		row := summarise(samples, i)
		row.Name, row.Role, row.Args, row.Requests = p.row.Name, p.row.Role, p.row.Args, p.row.Requests
		if p.home != "" {
			if row.ConfigFiles, err = filesUnder(p.home); err != nil {
				return nil, err
			}
		}
		out[i] = row
	}
	return out, nil
}

// runSample is one run of one program.
type runSample struct {
	Wall, CPU time.Duration
	Faults    int64
	Role      StartupRole
}

// runRounds runs every program once untimed (the binaries are then in the
// page cache), then rounds times each, in rotating order. samples[i][r] is
// program i in round r. The emulator's request log is read after each
// tokenctl run, so that a request is put down to the command that sent it.
func runRounds(ctx context.Context, emu *Emulator, progs []*startupProgram, rounds int) ([][]runSample, error) {
	seen, err := requestCount(ctx, emu)
	if err != nil {
		return nil, err
	}
	samples := make([][]runSample, len(progs))
	for r := -1; r < max(rounds, 1); r++ {
		for k := range progs {
			i := (max(r, 0) + k) % len(progs)
			p := progs[i]
			s, err := timeRun(ctx, p.env, p.bin, p.row.Args...)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.row.Name, err)
			}
			if p.home != "" {
				n, err := requestCount(ctx, emu)
				if err != nil {
					return nil, err
				}
				p.row.Requests += n - seen
				seen = n
			}
			if r >= 0 {
				s.Role = p.row.Role
				samples[i] = append(samples[i], s)
			}
		}
	}
	return samples, nil
}

func requestCount(ctx context.Context, emu *Emulator) (int, error) {
	st, err := emu.Stats(ctx)
	return len(st.Requests), err
}

// summarise is program i's row: its spread and medians, and the medians of
// its ratios to the reference programs, round by round.
func summarise(samples [][]runSample, i int) Startup {
	mine := samples[i]
	walls := make([]time.Duration, len(mine))
	cpus, faults := make([]float64, len(mine)), make([]float64, len(mine))
	for r, s := range mine {
		walls[r], cpus[r], faults[r] = s.Wall, float64(s.CPU), float64(s.Faults)
	}
	slices.Sort(walls)
	row := Startup{Runs: len(mine), Min: walls[0], Median: walls[len(walls)/2], Max: walls[len(walls)-1],
		CPU: time.Duration(median(cpus)), Faults: int64(median(faults)), Over: map[StartupRole]float64{}}
	for j, ref := range samples {
		if j == i || len(ref) == 0 || ref[0].Role == RoleTokenctl {
			continue
		}
		ratios := make([]float64, 0, len(mine))
		for r := range min(len(mine), len(ref)) {
			ratios = append(ratios, float64(mine[r].Wall)/float64(ref[r].Wall))
		}
		row.Over[ref[0].Role] = median(ratios)
	}
	return row
}

// stackNames names StackLibraries briefly: cobra, viper, tablewriter,
// genqlient.
func stackNames() string {
	names := make([]string, len(StackLibraries))
	for i, lib := range StackLibraries {
		names[i] = strings.TrimPrefix(lib, "github.com/")
	}
	return strings.Join(names, ", ")
}

// plainEnv is the environment of the programs other than tokenctl.
func plainEnv(home string) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
}

// timeRun runs bin to its end with its output to the null device (a file:
// a pipe would add the copying of it to every run) and returns what it
// cost.
func timeRun(ctx context.Context, env []string, bin string, args ...string) (runSample, error) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return runSample{}, err
	}
	defer devNull.Close()
	cmd := exec.CommandContext(ctx, bin, args...) //nolint:gosec // a binary the bench just built, or gh, with the bench's fixed arguments
	cmd.Env, cmd.Stdout, cmd.Stderr = env, devNull, devNull
	start := time.Now()
	err = cmd.Run()
	s := runSample{Wall: time.Since(start)}
	if err != nil {
		return s, err
	}
	s.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.Faults = ru.Minflt + ru.Majflt
	}
	return s, nil
}

func filesUnder(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

// LoadAverage is the machine's one-minute load average as /proc/loadavg
// says it, or "" where there is none.
func LoadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	if fields := strings.Fields(string(raw)); len(fields) > 0 {
		return fields[0]
	}
	return ""
}
