package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/cli/clitest"
	"github.com/tokenctl/tokenctl/internal/cli/cmdutil"
	"github.com/tokenctl/tokenctl/internal/document"
	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/iostreams"
	"github.com/tokenctl/tokenctl/internal/testfiles"
)

// fixedNow is the emulator's and the CLI's clock in tests, so fixtures
// relative to "now" and relative times render the same on every run.
var fixedNow = clitest.Now

// harness runs tokenctl in-process against an emulator over real HTTP.
type harness struct {
	t   *testing.T
	srv *emulatortest.Server
	// env is the environment each run gets (see clitest.SetEnv); tests
	// change it between runs.
	env map[string]string
	ids atomic.Int64
	// ctx, when set, is the context runs get; tests cancel it to play
	// Ctrl-C.
	ctx context.Context
	// keychain is the system keychain every run gets: go-keyring's
	// in-memory mock (see TestMain), counting how often it is asked.
	keychain *countingKeychain
	// clock stands in for the real clock and timer: runs do not wait out
	// retry schedules or rate-limit resets, and the waits asked for are
	// counted. A test that must interrupt a real wait sets realTime.
	clock    fakeClock
	realTime bool
}

// fakeClock tells fixedNow moved on by every wait asked of it, and returns
// at once from each, unless ctx has ended; it counts the waits and their
// total length. A run that waits for nothing sees fixedNow throughout.
type fakeClock struct {
	waits atomic.Int64
	total atomic.Int64
}

func (c *fakeClock) now() time.Time { return fixedNow.Add(time.Duration(c.total.Load())) }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.waits.Add(1)
	c.total.Add(int64(d))
	return nil
}

func newHarness(t *testing.T, opts emulator.Options) *harness {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	return startHarness(t, opts, &harness{})
}

// newHarnessOnClock is newHarness with an emulator that shares the runs'
// clock: its rate-limit windows pass as tokenctl waits, in no real time.
func newHarnessOnClock(t *testing.T, opts emulator.Options) *harness {
	t.Helper()
	h := &harness{}
	opts.Now = h.clock.now
	return startHarness(t, opts, h)
}

func startHarness(t *testing.T, opts emulator.Options, h *harness) *harness {
	t.Helper()
	srv := emulatortest.Start(t, opts)
	dir := t.TempDir()
	h.t, h.srv, h.keychain = t, srv, &countingKeychain{}
	h.env = map[string]string{
		"BUILDKITE_API_TOKEN":         emulatortest.DemoToken,
		"BUILDKITE_GRAPHQL_ENDPOINT":  srv.GraphQLEndpoint,
		"BUILDKITE_REST_API_ENDPOINT": srv.RESTEndpoint,
		"XDG_CONFIG_HOME":             dir,
		"HOME":                        dir,
		// No pager in tests unless one asks for it.
		"TOKENCTL_PAGER": "",
	}
	return h
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run executes tokenctl with no terminal attached.
func (h *harness) run(args ...string) result { return h.exec(false, "", args...) }

// runTTY executes tokenctl as if a person sat at a terminal typing input.
func (h *harness) runTTY(input string, args ...string) result { return h.exec(true, input, args...) }

func (h *harness) exec(tty bool, input string, args ...string) result {
	h.t.Helper()
	return h.execWith(func(ios *iostreams.IOStreams) {
		if tty {
			ios.SetTTY(true, true, true)
		}
	}, input, args...)
}

// execWith executes tokenctl with streams that setup says are terminals.
func (h *harness) execWith(setup func(*iostreams.IOStreams), input string, args ...string) result {
	h.t.Helper()
	ios, out, errOut := iostreams.Test(input)
	setup(ios)
	clitest.SetEnv(h.t, h.env)
	f := &cmdutil.Factory{
		IO:  ios,
		Now: h.clock.now,
		NewMutationID: func() string {
			return fmt.Sprintf("tokenctl-test-%d", h.ids.Add(1))
		},
		Keychain: h.keychain,
	}
	if !h.realTime {
		f.Sleep = h.clock.sleep
	}
	ctx := h.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	code := Run(ctx, f, args)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// requests counts the emulator's logged requests of one operation.
func (h *harness) requests(operation string) int {
	return h.srv.CountRequests(func(r emulator.Request) bool { return r.Operation == operation })
}

func (h *harness) graphQLRequests() int {
	return h.srv.CountRequests(func(r emulator.Request) bool { return r.Kind == "graphql" })
}

// golden compares got with testdata/NAME, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	testfiles.Golden(t, filepath.Join("testdata", name), got)
}

func mustContain(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s does not contain %q:\n%s", what, p, s)
		}
	}
}

// deref reads an optional document field in assertions.
func deref(s *string) string { return document.Deref(s) }
