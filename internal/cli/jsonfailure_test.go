package cli

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// failureDoc is what every failure document has: the error, and the
// command's own contract fields.
type failureDoc struct {
	Error *struct {
		Message  string `json:"message"`
		ExitCode int    `json:"exitCode"`
	} `json:"error"`
	Fields map[string]json.RawMessage `json:"-"`
}

func parseFailureDoc(t *testing.T, what, stdout string) failureDoc {
	t.Helper()
	var d failureDoc
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("%s: stdout is not a JSON document (%v):\n%q", what, err, stdout)
	}
	if err := json.Unmarshal([]byte(stdout), &d.Fields); err != nil {
		t.Fatal(err)
	}
	if d.Error == nil {
		t.Fatalf("%s: the document has no error:\n%s", what, stdout)
	}
	return d
}

// A run that fails before it has results still prints its document, with
// no results and the error, so a script run with -o json always parses
// something; the error is the one on stderr, and the exit status is the
// one the process exits with. It is long because it is one table, a row
// per command and way of failing with the document's fields it expects.
func TestJSONFailureDocument(t *testing.T) {
	const missingToken = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
	cases := []struct {
		name   string
		opts   emulator.Options
		env    map[string]string
		args   []string
		code   exitcode.Code
		fields map[string]string // contract field -> its JSON in the document
	}{
		{
			name: "revoke, unknown organization",
			args: []string{"revoke", "--org", "no-such-org", "--token", et.OldLaptopTokenUUID, "-o", "json"},
			code: exitcode.NotFound,
			fields: map[string]string{"dryRun": "false", "results": "[]",
				"summary": `{"requested":0,"revoked":0,"dryRun":0,"notFound":0,"refused":0,"failed":0,"skipped":0,"unknown":0}`},
		},
		{
			name:   "revoke --dry-run, server failure",
			opts:   emulator.Options{Faults: []emulator.Fault{{Kind: emulator.FaultStatus, Status: http.StatusBadRequest, Match: "graphql"}}},
			args:   []string{"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--dry-run", "-o", "json"},
			code:   exitcode.Failure,
			fields: map[string]string{"dryRun": "true", "results": "[]"},
		},
		{
			name:   "revoke, unknown API token",
			env:    map[string]string{"BUILDKITE_API_TOKEN": "bkua_unknown000000000000000000000000000000"},
			args:   []string{"revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "-o", "json"},
			code:   exitcode.Auth,
			fields: map[string]string{"results": "[]"},
		},
		{
			name:   "revoke, bad token argument",
			args:   []string{"revoke", "--org", "acme", "--token", "1111-2222", "-o", "json"},
			code:   exitcode.Usage,
			fields: map[string]string{"results": "[]"},
		},
		{
			name:   "revoke --all-orgs, unknown API token",
			env:    map[string]string{"BUILDKITE_API_TOKEN": "bkua_unknown000000000000000000000000000000"},
			args:   []string{"revoke", "--all-orgs", "--yes", "--token-value-file", "LEAKED", "-o", "json"},
			code:   exitcode.Auth,
			fields: map[string]string{"results": "[]", "notChecked": "null", "notListed": "null"},
		},
		{
			name:   "revoke from named organizations, unknown API token",
			env:    map[string]string{"BUILDKITE_API_TOKEN": "bkua_unknown000000000000000000000000000000"},
			args:   []string{"revoke", "--org", "acme", "--org", "globex", "--token-value-file", "LEAKED", "-o", "json"},
			code:   exitcode.Auth,
			fields: map[string]string{"results": "[]", "notChecked": "null", "notListed": "null"},
		},
		{
			name:   "revoke --everywhere, unknown API token",
			env:    map[string]string{"BUILDKITE_API_TOKEN": "bkua_unknown000000000000000000000000000000"},
			args:   []string{"revoke", "--everywhere", "--token-value-file", "LEAKED", "--yes", "-o", "json"},
			code:   exitcode.Auth,
			fields: map[string]string{"token": "null", "status": "null"},
		},
		{
			name: "check, unknown organization",
			args: []string{"check", "--org", "no-such-org", "-o", "json"},
			code: exitcode.NotFound,
			fields: map[string]string{"schemaVersion": "1", "policy": "null", "organizations": "[]", "summary": "null", "findings": "[]",
				"exceptionsApplied": "[]", "notChecked": "[]", "notListed": "null"},
		},
		{
			name:   "tokens list, unknown organization",
			args:   []string{"tokens", "list", "--org", "no-such-org", "-o", "json"},
			code:   exitcode.NotFound,
			fields: map[string]string{"organization": "null", "asOf": "null", "tokens": "[]", "summary": "null"},
		},
		{
			name:   "tokens get, missing token",
			args:   []string{"tokens", "get", missingToken, "--org", "acme", "-o", "json"},
			code:   exitcode.NotFound,
			fields: map[string]string{"organization": "null", "token": "null"},
		},
		{
			name:   "whoami, unknown API token",
			env:    map[string]string{"BUILDKITE_API_TOKEN": "bkua_unknown000000000000000000000000000000"},
			args:   []string{"whoami", "-o", "json"},
			code:   exitcode.Auth,
			fields: map[string]string{"token": "null", "user": "null", "graphqlAccess": "null", "organizations": "null", "notes": "[]"},
		},
		{
			name:   "policy show, unknown organization",
			args:   []string{"policy", "show", "--org", "no-such-org", "-o", "json"},
			code:   exitcode.NotFound,
			fields: map[string]string{"organization": "null", "periodDays": "null", "tokens": "[]"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.opts)
			for k, v := range c.env {
				h.env[k] = v
			}
			leaked := writeSecret(t, t.TempDir(), "leaked", et.DemoToken+"\n")
			args := make([]string, len(c.args))
			for i, a := range c.args {
				args[i] = strings.ReplaceAll(a, "LEAKED", leaked)
			}
			r := h.run(args...)
			if r.code != int(c.code) {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, r)
			}
			d := parseFailureDoc(t, c.name, r.stdout)
			if d.Error.ExitCode != int(c.code) {
				t.Errorf("error.exitCode = %d, want %d", d.Error.ExitCode, c.code)
			}
			if line := strings.SplitN(r.stderr, "\n", 2)[0]; line != "tokenctl: "+d.Error.Message {
				t.Errorf("error.message %q is not what stderr says: %q", d.Error.Message, line)
			}
			for k, want := range c.fields {
				got, ok := d.Fields[k]
				if !ok {
					t.Errorf("contract field %q is missing:\n%s", k, r.stdout)
					continue
				}
				var compact strings.Builder
				var v any
				_ = json.Unmarshal(got, &v)
				b, _ := json.Marshal(v)
				compact.Write(b)
				if want != compact.String() && !(strings.HasPrefix(want, "{") && jsonEqual(t, want, string(got))) {
					t.Errorf("%s = %s, want %s", k, got, want)
				}
			}
		})
	}
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// YAML and --jq get the same document; table output gets none.
func TestFailureDocumentFormats(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	args := []string{"revoke", "--org", "no-such-org", "--token", et.OldLaptopTokenUUID}

	r := h.run(append(args, "-o", "yaml")...)
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(r.stdout), &doc); err != nil || doc["error"] == nil || doc["results"] == nil {
		t.Errorf("-o yaml: %v\n%s", err, r)
	}

	r = h.run(append(args, "--jq", ".error.exitCode")...)
	if r.code != int(exitcode.NotFound) || r.stdout != "4\n" {
		t.Errorf("--jq .error.exitCode: %s", r)
	}

	r = h.run(args...)
	if r.stdout != "" {
		t.Errorf("table output printed a document:\n%s", r)
	}
}

// A --jq expression that does not compile is a usage error found before
// anything is sent; no document follows it, since none could be filtered.
func TestJQCompiledBeforeAnythingIsSent(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	for _, expr := range []string{".results[] |", "nosuchfunction(1)", "$undefined"} {
		r := h.run("revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--jq", expr)
		if r.code != int(exitcode.Usage) || r.stdout != "" || !strings.HasPrefix(r.stderr, "tokenctl: --jq: ") {
			t.Errorf("--jq %q: %s", expr, r)
		}
	}
	if n := h.srv.CountRequests(nil); n != 0 {
		t.Errorf("%d requests sent before the --jq expression was rejected", n)
	}
	if !h.srv.TokenHasOrg(et.OldLaptopTokenUUID, "acme") {
		t.Error("the token was revoked")
	}
}

// An --jq expression that fails while running does not lose what was
// revoked: the unfiltered report follows the error on stderr, nothing
// half-filtered is left on stdout, and the exit status is the
// revocation's.
func TestJQRuntimeFailureKeepsTheResults(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("revoke", "--org", "acme", "--token", et.OldLaptopTokenUUID, "--token", et.HackathonTokenUUID,
		"--jq", ".results[] | .requested, (.status | tonumber)")
	if r.code != int(exitcode.OK) {
		t.Fatalf("exit %d, want 0 (both tokens were revoked)\n%s", r.code, r)
	}
	if h.srv.TokenHasOrg(et.OldLaptopTokenUUID, "acme") || h.srv.TokenHasOrg(et.HackathonTokenUUID, "acme") {
		t.Fatal("the tokens were not revoked")
	}
	if r.stdout != "" {
		t.Errorf("stdout holds part of the filtered output:\n%s", r.stdout)
	}
	first, rest, _ := strings.Cut(r.stderr, "\n")
	mustContain(t, "stderr", first, "tokenctl: --jq: ", "the unfiltered JSON document follows on stderr")
	var report struct {
		Results []struct {
			Requested, Status string
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(rest), &report); err != nil {
		t.Fatalf("the unfiltered report on stderr does not parse: %v\n%s", err, rest)
	}
	if len(report.Results) != 2 || report.Results[0].Status != "revoked" || report.Results[1].Status != "revoked" {
		t.Errorf("report = %+v", report)
	}

	// A partial failure keeps its own exit status too.
	r = h.run("revoke", "--org", "acme", "--token", et.TerraformTokenUUID, "--token", "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
		"--jq", ".results[] | .status | tonumber")
	if r.code != int(exitcode.Partial) || r.stdout != "" || !strings.Contains(r.stderr, `"status": "not-found"`) {
		t.Errorf("partial run with a failing --jq: %s", r)
	}
}

// A failed `tokens get` under --jq filters the failure document, as the
// JSON contract says: a field of the missing token reads null (the exit
// status, not stdout, says the run failed), and .error is there to read.
func TestTokensGetNotFoundUnderJQ(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	args := []string{"tokens", "get", "--org", "acme", "99999999-9999-4999-8999-999999999999"}
	for expr, want := range map[string]string{".token.uuid": "null\n", ".error.exitCode": "4\n", ".token // empty": ""} {
		r := h.run(append(args, "--jq", expr)...)
		if r.code != int(exitcode.NotFound) || r.stdout != want || !strings.HasPrefix(r.stderr, "tokenctl: no API access token 99999999-") {
			t.Errorf("--jq %s: want exit 4 and stdout %q:\n%s", expr, want, r)
		}
	}
}
