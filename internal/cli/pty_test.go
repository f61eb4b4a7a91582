//go:build linux || darwin

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// ptyChildArgs, set in the environment, makes TestRealTerminalChild run
// tokenctl with those arguments (JSON) on the process's real streams.
const ptyChildArgs = "TOKENCTL_TEST_PTY_CHILD_ARGS"

// TestRealTerminalChild is tokenctl itself, as started by
// TestRealTerminalStderrRedirected; on its own it does nothing.
func TestRealTerminalChild(t *testing.T) {
	raw := os.Getenv(ptyChildArgs)
	if raw == "" {
		t.Skip("only runs as TestRealTerminalStderrRedirected's child")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	os.Exit(Run(context.Background(), cmdutil.NewFactory(), args))
}

// On a real pseudo-terminal, with stdout piped and stderr sent to a file
// (`tokenctl revoke ... | tee out 2>log`): the question and the plan
// appear on the terminal, the answer typed there counts, and the log gets
// neither.
func TestRealTerminalStderrRedirected(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	args, _ := json.Marshal([]string{"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID})
	logPath := filepath.Join(t.TempDir(), "log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRealTerminalChild$")
	cmd.Env = append(os.Environ(), ptyChildArgs+"="+string(args))
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, logFile
	// pty.Start makes the terminal the child's stdin and its controlling
	// terminal; stdout and stderr stay as set.
	terminal, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer terminal.Close()

	var screen bytes.Buffer
	asked, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1024)
		for {
			n, err := terminal.Read(buf)
			screen.Write(buf[:n])
			if strings.Contains(screen.String(), "[y/N] ") {
				close(asked)
				_, _ = io.Copy(io.Discard, terminal)
				return
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case <-asked:
	case <-done:
		_ = cmd.Wait()
		log, _ := os.ReadFile(logPath)
		t.Fatalf("tokenctl ended without asking on the terminal (exit %d); the terminal shows:\n%s\nlog:\n%s", cmd.ProcessState.ExitCode(), screen.String(), log)
	case <-ctx.Done():
		_ = cmd.Wait()
		<-done
		t.Fatalf("no question on the terminal; it shows:\n%s", screen.String())
	}
	if _, err := terminal.Write([]byte("n\n")); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if code != int(exitcode.Refused) {
		log, _ := os.ReadFile(logPath)
		t.Fatalf("exit %d (%v), want %d (declined)\nterminal:\n%s\nlog:\n%s", code, err, exitcode.Refused, screen.String(), log)
	}
	mustContain(t, "terminal", screen.String(), "About to revoke organization acme's access", et.OldLaptopTokenUUID)
	log, _ := os.ReadFile(logPath)
	if strings.Contains(string(log), "[y/N]") || strings.Contains(string(log), "About to revoke") {
		t.Errorf("the question went to the log:\n%s", log)
	}
	mustContain(t, "log", string(log), "not confirmed: nothing was revoked")
	if !h.srv.TokenHasOrg(et.OldLaptopTokenUUID, "acme") || h.requests(revokeMutation) != 0 {
		t.Error("the token was revoked although the answer was no")
	}
}
