package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The kernel reports a finished process's peak resident memory as the
// largest of its own and that of the process it was started from, as it
// was when the new program replaced it: a child of the bench, which holds
// emulator answers and results, would be charged the bench's memory. So
// each measured process is started by a launcher, a program of a few
// megabytes that starts it, waits for it and reports its figures: the peak
// is then the measured program's own, or at most the launcher's.
const launcherSource = `package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// The launcher runs its arguments as a command, with its own standard
// streams, and writes to file descriptor 3 the command's wall time and CPU
// time in nanoseconds, its peak resident memory as the kernel reports it
// and its exit status.
func main() {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(125)
	}
	var maxRSS int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSS = int64(ru.Maxrss)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	fmt.Fprintf(os.NewFile(3, "report"), "%d %d %d %d\n", wall, cpu, maxRSS, cmd.ProcessState.ExitCode())
}
`

// BuildLauncher builds the launcher into dir.
func BuildLauncher(ctx context.Context, dir string) (string, error) {
	src := filepath.Join(dir, "launcher")
	if err := writeProgram(src, []byte("module launcher\n"), nil, launcherSource); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "launcher-bin")
	return bin, goBuild(ctx, src, bin, ".")
}

// launch runs bin with args through launcher, its output thrown away, and
// returns the figures the launcher reports and bin's exit status; stderr
// is bin's standard error, for a failure's message.
func launch(ctx context.Context, launcher string, env []string, bin string, args ...string) (u Usage, code int, stderr string, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return Usage{}, 0, "", err
	}
	defer r.Close()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		w.Close()
		return Usage{}, 0, "", err
	}
	defer devNull.Close()
	var errOut strings.Builder
	cmd := exec.CommandContext(ctx, launcher, append([]string{bin}, args...)...) //nolint:gosec // programs the bench just built, with its fixed arguments
	cmd.Env = env
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = devNull, &errOut, []*os.File{w}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return Usage{}, 0, "", err
	}
	report, readErr := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		return Usage{}, 0, errOut.String(), fmt.Errorf("launcher: %w: %s", err, strings.TrimSpace(errOut.String()))
	}
	if readErr != nil {
		return Usage{}, 0, errOut.String(), readErr
	}
	var wall, cpu, maxRSS int64
	if _, err := fmt.Sscan(string(report), &wall, &cpu, &maxRSS, &code); err != nil {
		return Usage{}, 0, errOut.String(), fmt.Errorf("launcher report %q: %w", report, err)
	}
	u = Usage{Wall: time.Duration(wall), CPU: time.Duration(cpu), PeakRSS: uint64(max(maxRSS, 0)) * rssUnit}
	return u, code, errOut.String(), nil
}
