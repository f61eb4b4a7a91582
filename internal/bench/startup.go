package bench

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// StartupCommands are the commands that must start fast and touch neither
// the network nor the config file.
var StartupCommands = [][]string{{"version"}, {"--help"}}

// Startup is how a built binary behaved running one command many times.
type Startup struct {
	Name             string // as the table shows it
	Args             []string
	Runs             int
	Min, Median, Max time.Duration
	// Requests is what the emulator the environment points at received;
	// ConfigFiles lists what appeared in the config directory. Both must
	// be empty.
	Requests    int
	ConfigFiles []string
	// Baseline marks the hello-world the other rows are compared with;
	// Other marks another program's row, shown for scale only.
	Baseline, Other bool
}

// MaxStartupOverHello: tokenctl version must start within this many times
// a Go hello-world built the same way (medians).
const MaxStartupOverHello = 2.0

// BuildFlags build tokenctl as its release archives do (.goreleaser.yaml):
// a static binary, so start-up includes no dynamic loader.
var BuildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// BuildTokenctl builds cmd/tokenctl into dir as a release is built.
func BuildTokenctl(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "tokenctl")
	return bin, goBuild(ctx, "", bin, "github.com/tokenctl/tokenctl/cmd/tokenctl")
}

// helloWorld is the program tokenctl's start-up is compared with: what any
// Go program pays before and after main.
const helloWorld = `package main

import "fmt"

func main() { fmt.Println("hello, world") }
`

// BuildHelloWorld builds a Go hello-world into dir, with the same go
// command and flags as BuildTokenctl, in a module of its own.
func BuildHelloWorld(ctx context.Context, dir string) (string, error) {
	src := filepath.Join(dir, "hello")
	if err := os.MkdirAll(src, 0o700); err != nil {
		return "", err
	}
	for name, content := range map[string]string{"go.mod": "module hello\n", "main.go": helloWorld} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o600); err != nil {
			return "", err
		}
	}
	bin := filepath.Join(dir, "hello-world")
	return bin, goBuild(ctx, src, bin, ".")
}

func goBuild(ctx context.Context, workDir, bin, pkg string) error {
	args := append([]string{"build", "-o", bin}, BuildFlags...)
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...) //nolint:gosec // bin is a path in the bench's own temporary directory
	cmd.Dir = workDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return nil
}

// MeasureStartup runs bin with each of StartupCommands runs times, with an
// environment that points at a live emulator and an empty config
// directory, and reports the wall times and whether either was touched.
// Each run of a command follows a run of hello, so that both meet the same
// load on the machine; hello's row comes first.
func MeasureStartup(ctx context.Context, bin, hello string, runs int) ([]Startup, error) {
	emu, err := StartEmulator(ctx, EmulatorSpec{OrgTokens: DefaultSizes().SmallOrg})
	if err != nil {
		return nil, err
	}
	defer emu.Close()
	var helloTimes []time.Duration
	out := []Startup{{Name: "Go hello-world, built the same way", Baseline: true}}
	for _, args := range StartupCommands {
		row, hellos, err := measureCommand(ctx, emu, bin, hello, args, runs)
		if err != nil {
			return nil, err
		}
		helloTimes = append(helloTimes, hellos...)
		out = append(out, row)
	}
	if gh, err := exec.LookPath("gh"); err == nil {
		// Another Go CLI of the same kind, where installed, for scale.
		var times []time.Duration
		for range max(runs, 1) {
			d, err := timeRun(ctx, []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}, hello)
			if err != nil {
				return nil, fmt.Errorf("hello-world: %w", err)
			}
			helloTimes = append(helloTimes, d)
			if d, err = timeRun(ctx, []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}, gh, "--version"); err != nil {
				break // gh that does not run is not compared with
			}
			times = append(times, d)
		}
		if len(times) > 0 {
			row := timeSpread(times)
			row.Name, row.Other = "`gh --version` (for scale)", true
			out = append(out, row)
		}
	}
	h := timeSpread(helloTimes)
	h.Name, h.Baseline = out[0].Name, true
	out[0] = h
	return out, nil
}

// measureCommand times runs of tokenctl with args, each after a run of
// hello, in an empty config directory, and counts the requests the
// emulator saw and the files left behind. It returns the row and hello's
// times.
func measureCommand(ctx context.Context, emu *Emulator, bin, hello string, args []string, runs int) (Startup, []time.Duration, error) {
	home, cleanup, err := configHome()
	if err != nil {
		return Startup{}, nil, err
	}
	defer cleanup()
	env := emu.tokenctlEnv(home)
	before, err := emu.Stats(ctx)
	if err != nil {
		return Startup{}, nil, err
	}
	var helloTimes []time.Duration
	times := make([]time.Duration, 0, runs)
	for range max(runs, 1) {
		d, err := timeRun(ctx, env, hello)
		if err != nil {
			return Startup{}, nil, fmt.Errorf("hello-world: %w", err)
		}
		helloTimes = append(helloTimes, d)
		if d, err = timeRun(ctx, env, bin, args...); err != nil {
			return Startup{}, nil, fmt.Errorf("tokenctl %s: %w", strings.Join(args, " "), err)
		}
		times = append(times, d)
	}
	after, err := emu.Stats(ctx)
	if err != nil {
		return Startup{}, nil, err
	}
	files, err := filesUnder(home)
	if err != nil {
		return Startup{}, nil, err
	}
	row := timeSpread(times)
	row.Name, row.Args = "`tokenctl "+strings.Join(args, " ")+"`", args
	row.Requests, row.ConfigFiles = len(after.Requests)-len(before.Requests), files
	return row, helloTimes, nil
}

func timeRun(ctx context.Context, env []string, bin string, args ...string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin, args...) //nolint:gosec // a binary the bench just built, with the bench's fixed arguments
	cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, io.Discard
	start := time.Now()
	err := cmd.Run()
	return time.Since(start), err
}

// timeSpread is the minimum, median and maximum of times.
func timeSpread(times []time.Duration) Startup {
	slices.Sort(times)
	return Startup{Runs: len(times), Min: times[0], Median: times[len(times)/2], Max: times[len(times)-1]}
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

// WriteStartupTable prints the start-up measurements as a Markdown table,
// each median also as a multiple of the hello-world's.
func WriteStartupTable(w io.Writer, rows []Startup) error {
	var base time.Duration
	for _, r := range rows {
		if r.Baseline {
			base = r.Median
		}
	}
	var b strings.Builder
	b.WriteString("| Command | Runs | Min | Median | Max | × hello-world (median) | API requests | Config files written |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		ratio, requests, files := "—", "—", "—"
		if !r.Baseline {
			if base > 0 {
				ratio = fmt.Sprintf("%.2f×", float64(r.Median)/float64(base))
			}
			requests, files = strconv.Itoa(r.Requests), strconv.Itoa(len(r.ConfigFiles))
		}
		if r.Other {
			requests, files = "—", "—"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s |\n",
			r.Name, r.Runs, ms(r.Min), ms(r.Median), ms(r.Max), ratio, requests, files)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CheckStartup says which start-up commands touched the network or the
// config directory.
func CheckStartup(rows []Startup) []string {
	var missed []string
	var hello time.Duration
	for _, r := range rows {
		if r.Baseline {
			hello = r.Median
		}
	}
	for _, r := range rows {
		if r.Baseline || r.Other {
			continue
		}
		cmd := "tokenctl " + strings.Join(r.Args, " ")
		if slices.Equal(r.Args, []string{"version"}) && hello > 0 {
			if x := float64(r.Median) / float64(hello); x > MaxStartupOverHello {
				missed = append(missed, fmt.Sprintf("%s took %.2f× a Go hello-world to start (medians); the target is at most %.1f×", cmd, x, MaxStartupOverHello))
			}
		}
		if r.Requests > 0 {
			missed = append(missed, fmt.Sprintf("%s sent %d API requests; it must send none", cmd, r.Requests))
		}
		if len(r.ConfigFiles) > 0 {
			missed = append(missed, fmt.Sprintf("%s wrote to the config directory (%s); it must write nothing", cmd, strings.Join(r.ConfigFiles, ", ")))
		}
	}
	return missed
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
