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
	"strings"
	"time"
)

// StartupCommands are the commands that must start fast and touch neither
// the network nor the config file.
var StartupCommands = [][]string{{"version"}, {"--help"}}

// Startup is how the built binary behaved running one command many times.
type Startup struct {
	Args             []string
	Runs             int
	Min, Median, Max time.Duration
	// Requests is what the emulator the environment points at received;
	// ConfigFiles lists what appeared in the config directory. Both must
	// be empty.
	Requests    int
	ConfigFiles []string
}

// BuildTokenctl builds cmd/tokenctl into dir with the go command, as a user
// would run it.
func BuildTokenctl(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "tokenctl")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/tokenctl/tokenctl/cmd/tokenctl") //nolint:gosec // bin is a path in the bench's own temporary directory
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// MeasureStartup runs bin with each of StartupCommands runs times, with an
// environment that points at a live emulator and an empty config
// directory, and reports the wall times and whether either was touched.
func MeasureStartup(ctx context.Context, bin string, runs int) ([]Startup, error) {
	emu, err := StartEmulator(ctx, EmulatorSpec{OrgTokens: DefaultSizes().SmallOrg})
	if err != nil {
		return nil, err
	}
	defer emu.Close()
	var out []Startup
	for _, args := range StartupCommands {
		home, cleanup, err := configHome()
		if err != nil {
			return nil, err
		}
		env := []string{
			"PATH=" + os.Getenv("PATH"),
			"HOME=" + home,
			"XDG_CONFIG_HOME=" + home,
			"BUILDKITE_API_TOKEN=" + callerToken,
			"BUILDKITE_GRAPHQL_ENDPOINT=" + emu.URL + "/v1",
			"BUILDKITE_REST_API_ENDPOINT=" + emu.URL,
		}
		before, err := emu.Stats(ctx)
		if err != nil {
			cleanup()
			return nil, err
		}
		times := make([]time.Duration, 0, runs)
		for range max(runs, 1) {
			cmd := exec.CommandContext(ctx, bin, args...) //nolint:gosec // the tokenctl just built, with the bench's fixed arguments
			cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, io.Discard
			start := time.Now()
			err := cmd.Run()
			times = append(times, time.Since(start))
			if err != nil {
				cleanup()
				return nil, fmt.Errorf("tokenctl %s: %w", strings.Join(args, " "), err)
			}
		}
		after, err := emu.Stats(ctx)
		if err != nil {
			cleanup()
			return nil, err
		}
		files, err := filesUnder(home)
		cleanup()
		if err != nil {
			return nil, err
		}
		slices.Sort(times)
		out = append(out, Startup{
			Args: args, Runs: len(times),
			Min: times[0], Median: times[len(times)/2], Max: times[len(times)-1],
			Requests:    len(after.Requests) - len(before.Requests),
			ConfigFiles: files,
		})
	}
	return out, nil
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

// WriteStartupTable prints the start-up measurements as a Markdown table.
func WriteStartupTable(w io.Writer, rows []Startup) error {
	var b strings.Builder
	b.WriteString("| Command | Runs | Min | Median | Max | API requests | Config files written |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| `tokenctl %s` | %d | %s | %s | %s | %d | %d |\n",
			strings.Join(r.Args, " "), r.Runs, ms(r.Min), ms(r.Median), ms(r.Max), r.Requests, len(r.ConfigFiles))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CheckStartup says which start-up commands touched the network or the
// config directory.
func CheckStartup(rows []Startup) []string {
	var missed []string
	for _, r := range rows {
		cmd := "tokenctl " + strings.Join(r.Args, " ")
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
