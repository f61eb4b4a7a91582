package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenctl/tokenctl/internal/emulator"
)

func TestParseFlags(t *testing.T) {
	c, err := parseFlags([]string{
		"--addr", "127.0.0.1:0", "--seed", "multi-org", "--latency", "20ms", "--jitter", "5ms",
		"--rate-limit", "1000", "--rate-window", "1m", "--page-max", "50",
		"--viewer-orgs-max", "100", "--hide-ungranted-orgs", "--error-wording", "alternate", "--id-format", "opaque", "--respelled-ids",
		"--repeat-changed", "--listing-hole", "audit-subject",
		"--fault", "kind=status,status=503,match=mutation,times=2", "--fault", "drop-after,match=rest",
	}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	o := c.opts
	if c.seedName != "multi-org" || o.Latency != 20*time.Millisecond || o.Jitter != 5*time.Millisecond ||
		o.RateLimit != 1000 || o.RateWindow != time.Minute || o.MaxPageSize != 50 ||
		o.MaxViewerOrganizations != 100 || !o.HideUngrantedOrganizations || o.ErrorWording != emulator.WordingAlternate ||
		o.IDFormat != emulator.IDOpaque || !o.RespelledIDs || !o.RepeatChanged || o.ListingHole != emulator.HoleAuditSubject {
		t.Errorf("parsed %+v", c)
	}
	want := []emulator.Fault{{Kind: "status", Status: 503, Match: "mutation", Times: 2}, {Kind: "drop-after", Match: "rest"}}
	if len(o.Faults) != 2 || o.Faults[0] != want[0] || o.Faults[1] != want[1] {
		t.Errorf("faults %+v", o.Faults)
	}

	for _, args := range [][]string{
		{"--addr", "0.0.0.0:8484"},
		{"--addr", ":8484"},
		{"--addr", "192.168.1.5:8484"},
		{"--addr", "example.com:80"},
		{"--fault", "kind=explode"},
		{"--error-wording", "polite"},
		{"--fault", "kind=graphql-error,error=no-such-entry"},
		{"--id-format", "uuid"},
		{"--listing-hole", "pageinfo"},
		{"--fixture", "x.yaml", "--seed", "demo"},
		{"extra"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:8484", "localhost:8484"} {
		if _, err := parseFlags([]string{"--addr", addr}, &bytes.Buffer{}); err != nil {
			t.Errorf("%s refused: %v", addr, err)
		}
	}
}

// syncBuffer lets the test read what run writes from another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesAndShutsDown(t *testing.T) {
	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--addr-file", addrFile, "--verbose"}, &stdout, &stderr)
	}()

	var url string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			url = strings.TrimSpace(string(b))
			break
		}
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("addr file holds %q", url)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/v2/access-token", nil)
	req.Header.Set("Authorization", "Bearer bkua_demo0000000000000000000000000000000000")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("demo token: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop")
	}
	if got, want := stdout.String(), "buildkite-emulator listening on "+url+"\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if log := stderr.String(); !strings.Contains(log, "GET /v2/access-token") || strings.Contains(log, "bkua_") {
		t.Errorf("verbose log %q must show the request and no secret", log)
	}
}

func TestRunRejectsBadFixture(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("tokens: [{uuid: x}]"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(t.Context(), []string{"--addr", "127.0.0.1:0", "--fixture", path}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "is not a UUID") {
		t.Errorf("got %v", err)
	}
}
