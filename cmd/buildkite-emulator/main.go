// Command buildkite-emulator serves the local Buildkite API emulator on a
// loopback address, for demos, manual testing and benchmarks. It must never
// listen on a non-loopback address: its credentials are fake and public.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	default:
		_, _ = fmt.Fprintln(os.Stderr, "buildkite-emulator:", err)
		os.Exit(2)
	}
}

// config is every input of the command.
type config struct {
	addr, addrFile, fixture, seedName string
	verbose                           bool
	opts                              emulator.Options
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("buildkite-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8484", "loopback `host:port` to listen on; port 0 picks a free port")
	fs.StringVar(&c.addrFile, "addr-file", "", "write the URL the server listens on to `FILE` once it is listening")
	fs.StringVar(&c.fixture, "fixture", "", "load state from a YAML or JSON fixture `FILE`")
	fs.StringVar(&c.seedName, "seed", "", "built-in fixture `NAME` ("+strings.Join(emulator.BuiltinFixtures(), ", ")+"); default demo")
	fs.DurationVar(&c.opts.Latency, "latency", 0, "latency added to every request")
	fs.DurationVar(&c.opts.Jitter, "jitter", 0, "random extra latency, up to this much")
	fs.IntVar(&c.opts.RateLimit, "rate-limit", 0, "GraphQL complexity `points` per window per organization (default 50000)")
	fs.DurationVar(&c.opts.RateWindow, "rate-window", 0, "GraphQL rate limit window (default 5m)")
	fs.IntVar(&c.opts.RESTRateLimit, "rest-rate-limit", 0, "REST `requests` per minute per organization (default 200)")
	fs.IntVar(&c.opts.RESTUserRateLimit, "rest-user-rate-limit", 0, "REST `requests` per minute per user (default 50)")
	fs.IntVar(&c.opts.MaxPageSize, "page-max", 0, "largest first/last on a connection (default 500)")
	fs.IntVar(&c.opts.MaxViewerOrganizations, "viewer-orgs-max", 0, "most `organizations` one viewer.organizations answer holds (default: no cap)")
	fs.BoolVar(&c.opts.HideUngrantedOrganizations, "hide-ungranted-orgs", false, "answer organization lookups with null for organizations the calling token was not granted")
	fs.Func("seen-address", "answer as if every request came from `IP` (tokens' ipAddress, API allowlists) instead of the connection's address", func(s string) error {
		if _, err := netip.ParseAddr(s); err != nil {
			return fmt.Errorf("not an IP address: %q", s)
		}
		c.opts.SeenAddress = s
		return nil
	})
	fs.BoolVar(&c.opts.UntypedNotAdmin, "untyped-not-admin", false, "answer a member who is not an administrator with an untyped error in unknown words where it would say not-admin")
	fs.BoolVar(&c.opts.RepeatAcrossPages, "repeat-across-pages", false, "start each page of tokens, members or audit events after the first with the last one of the page before")
	fs.BoolVar(&c.opts.RepeatChanged, "repeat-changed", false, "repeat as --repeat-across-pages, the repeated token used and described anew since, the repeated member seen since, the repeated audit event naming its token by its new description")
	fs.Func("listing-hole", "answer every page of tokens, members or audit events after the first with a null where the schema allows one: `HOLE` "+holeNames(), func(s string) error {
		h, err := emulator.ParseListingHole(s)
		c.opts.ListingHole = h
		return err
	})
	fs.Int64Var(&c.opts.Seed, "random-seed", 0, "seed for jitter and fault probabilities")
	fs.BoolVar(&c.verbose, "verbose", false, "log every request to stderr")
	fs.Func("error-wording", "word errors as `buildkite` (default) or alternate: other messages, the type in extensions.code", func(s string) error {
		w, err := emulator.ParseErrorWording(s)
		c.opts.ErrorWording = w
		return err
	})
	fs.Func("id-format", "how GraphQL ids are spelled: `FORMAT` base64 (of Type---uuid, the default) or opaque (stable strings that say nothing)", func(s string) error {
		f, err := emulator.ParseIDFormat(s)
		c.opts.IDFormat = f
		return err
	})
	fs.BoolVar(&c.opts.RespelledIDs, "respelled-ids", false, "spell every GraphQL id anew, as after an id migration: answers carry new ids, and the ids a server without it gives are still accepted")
	fs.Func("fault", "inject a `FAULT`, e.g. kind=status,status=503,match=mutation,times=2 (repeatable; kinds: "+strings.Join(emulator.FaultKinds, ", ")+")", func(s string) error {
		f, err := emulator.ParseFault(s)
		if err != nil {
			return err
		}
		c.opts.Faults = append(c.opts.Faults, f)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.fixture != "" && c.seedName != "" {
		return nil, errors.New("--fixture and --seed are mutually exclusive")
	}
	if err := checkLoopback(c.addr); err != nil {
		return nil, err
	}
	return c, nil
}

// checkLoopback refuses addresses other machines could reach.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--addr %q is not a loopback address; the emulator only listens on 127.0.0.1, ::1 or localhost", addr)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	switch {
	case c.fixture != "":
		c.opts.Fixture, err = emulator.LoadFixture(c.fixture)
	case c.seedName != "":
		c.opts.Fixture, err = emulator.BuiltinFixture(c.seedName)
	}
	if err != nil {
		return err
	}
	if c.verbose {
		c.opts.OnRequest = func(r emulator.Request) {
			_, _ = fmt.Fprintf(stderr, "%s %s %s %s %s status=%d complexity=%d caller=%s fault=%s\n",
				r.Time.Format(time.RFC3339), r.Method, r.Path, r.OperationType, r.Operation, r.Status, r.Complexity, r.Caller, r.Fault)
		}
	}
	srv, err := emulator.New(c.opts)
	if err != nil {
		return err
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	if c.addrFile != "" {
		if err := writeAtomically(c.addrFile, url+"\n"); err != nil {
			_ = ln.Close()
			return err
		}
	}
	if _, err := fmt.Fprintf(stdout, "buildkite-emulator listening on %s\n", url); err != nil {
		_ = ln.Close()
		return err
	}

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// writeAtomically lets a script that polls for a non-empty file never read
// half an address.
func writeAtomically(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".addr-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// holeNames lists the --listing-hole values.
func holeNames() string {
	var names []string
	for _, h := range append(emulator.ListingHoles[:len(emulator.ListingHoles):len(emulator.ListingHoles)], emulator.AuditHoles...) {
		names = append(names, string(h))
	}
	return strings.Join(names, ", ")
}
