package cli

import (
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// A command's formats are the only ones its errors name: tokens list
// does not print markdown and must not offer it.
func TestOutputErrorNamesTheCommandsFormats(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"tokens", "list", "--org", "acme", "--output", "jsn"}, "this command prints table, wide, json, yaml or csv"},
		{[]string{"tokens", "list", "--org", "acme", "-o", "markdown"}, "this command prints table, wide, json, yaml or csv"},
		{[]string{"check", "--org", "acme", "-o", "yaml"}, "this command prints table, json, csv or markdown"},
		{[]string{"whoami", "-o", "csv"}, "this command prints table, json or yaml"},
		{[]string{"config", "view", "-o", "jsn"}, "this command prints table, json or yaml"},
	}
	for _, c := range cases {
		r := h.run(c.args...)
		if exitcode.Code(r.code) != exitcode.Usage || r.stdout != "" {
			t.Errorf("%v: %s", c.args, r)
		}
		mustContain(t, "stderr", r.stderr, c.want)
		if strings.Contains(r.stderr, "or markdown") && !strings.Contains(c.want, "markdown") {
			t.Errorf("%v: names a format the command refuses:\n%s", c.args, r.stderr)
		}
	}
	if h.graphQLRequests() != 0 {
		t.Errorf("a bad -o sent %d requests", h.graphQLRequests())
	}
}

// The completion of -o offers what the command prints, nothing else.
func TestOutputCompletionIsTheCommandsFormats(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("__complete", "tokens", "list", "-o", "")
	if r.code != 0 || strings.Contains(r.stdout, "markdown") || !strings.Contains(r.stdout, "wide") {
		t.Errorf("tokens list -o completes:\n%s", r)
	}
	r = h.run("__complete", "check", "-o", "")
	if !strings.Contains(r.stdout, "markdown") || strings.Contains(r.stdout, "yaml") {
		t.Errorf("check -o completes:\n%s", r)
	}
}

// --jq filters JSON: without -o it implies json (even when the
// environment asks for another format); with another -o it is a usage
// error, where it used to print JSON whatever -o said.
func TestJQIsJSONOnly(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	h.env["TOKENCTL_OUTPUT"] = "yaml"
	r := h.run("tokens", "list", "--org", "acme", "--jq", ".tokens | length")
	if r.code != 0 || r.stdout != "10\n" {
		t.Errorf("--jq without -o: %s", r)
	}
	if r := h.run("config", "view", "--jq", ".Settings | length"); r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Errorf("config view --jq: %s", r)
	}
	for _, format := range []string{"csv", "yaml", "table", "wide"} {
		before := h.graphQLRequests()
		r := h.run("tokens", "list", "--org", "acme", "-o", format, "--jq", ".tokens")
		if exitcode.Code(r.code) != exitcode.Usage || r.stdout != "" {
			t.Errorf("-o %s --jq: %s", format, r)
		}
		mustContain(t, "stderr", r.stderr, "--jq filters the JSON output and cannot be used with -o "+format)
		if h.graphQLRequests() != before {
			t.Errorf("-o %s --jq sent requests", format)
		}
	}
	if r := h.run("config", "view", "-o", "yaml", "--jq", "."); exitcode.Code(r.code) != exitcode.Usage {
		t.Errorf("config view -o yaml --jq: %s", r)
	}
	if r := h.run("tokens", "list", "--org", "acme", "-o", "json", "--jq", ".tokens | length"); r.code != 0 || r.stdout != "10\n" {
		t.Errorf("-o json --jq: %s", r)
	}
}

// halt stops the --jq expression: what it printed before is the output,
// and the run exits as it would without the filter. halt_error is a
// failure of the expression like error: nothing on stdout, exit 1 whatever
// status it names (a filter cannot make a run exit 0 or 4), and its value
// on stderr as it is, a policy's sha256 digest included.
func TestJQHaltAndHaltError(t *testing.T) {
	h := newHygieneHarness(t, true)
	r := h.run("check", "--org", "hygiene", "--jq", ".policy.digest")
	digest := strings.TrimSpace(r.stdout)
	if len(digest) != len("sha256:")+64 || !strings.HasPrefix(digest, "sha256:") {
		t.Fatalf("the policy digest is %q\n%s", digest, r)
	}
	plain := r.code

	r = h.run("check", "--org", "hygiene", "--jq", ".policy.digest, halt, 1")
	if r.code != plain || r.stdout != digest+"\n" {
		t.Errorf("halt: exit %d, want %d, and only the digest printed\n%s", r.code, plain, r)
	}

	r = h.run("check", "--org", "hygiene", "--jq", "halt_error(5)")
	if r.code != int(exitcode.Failure) || r.stdout != "" {
		t.Errorf("halt_error(5): exit %d, want %d, and nothing on stdout\n%s", r.code, exitcode.Failure, r)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: --jq: halt_error: {", `"digest":"`+digest+`"`)

	r = h.run("check", "--org", "hygiene", "--jq", `{who: "Ada <ada@x.example>"} | halt_error`)
	if r.stderr != "tokenctl: --jq: halt_error: {\"who\":\"Ada <ada@x.example>\"}\n" {
		t.Errorf("halt_error with an object: want it as JSON, as it is\n%s", r)
	}

	r = h.run("check", "--org", "hygiene", "--jq", `"stop here" | halt_error(0)`)
	if r.code != int(exitcode.Failure) || r.stdout != "" || r.stderr != "tokenctl: --jq: halt_error: stop here\n" {
		t.Errorf("halt_error(0): want exit 1 and the message as it is\n%s", r)
	}

	// On null, halt_error is still a failure, whatever status it names:
	// gojq reports it like halt (no value), and it exited 0 silently.
	for _, expr := range []string{"null | halt_error", "null | halt_error(0)", "null | halt_error(4)", ".policy.digest, (null | halt_error)"} {
		r = h.run("check", "--org", "hygiene", "--jq", expr)
		if r.code != int(exitcode.Failure) || r.stdout != "" || r.stderr != "tokenctl: --jq: halt_error: null\n" {
			t.Errorf("%s: want exit 1, nothing on stdout and the null value named\n%s", expr, r)
		}
	}
	// A one-element array is shown as it was given.
	r = h.run("check", "--org", "hygiene", "--jq", "[1] | halt_error")
	if r.code != int(exitcode.Failure) || r.stderr != "tokenctl: --jq: halt_error: [1]\n" {
		t.Errorf("[1] | halt_error: want the array as it is\n%s", r)
	}
}

// A read-only command whose --jq fails while running reports the error
// only: it can simply be run again, and the whole document on stderr
// is noise (and could be large).
func TestJQRuntimeErrorOnAReadOnlyCommand(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	r := h.run("tokens", "list", "--org", "acme", "--jq", ".tokens[] | .uuid | tonumber")
	if r.code == 0 || r.stdout != "" {
		t.Errorf("exit %d, stdout %q", r.code, r.stdout)
	}
	mustContain(t, "stderr", r.stderr, "tokenctl: --jq: ")
	if strings.Contains(r.stderr, "unfiltered") || strings.Contains(r.stderr, `"tokens"`) || strings.Count(r.stderr, "\n") > 1 {
		t.Errorf("stderr carries the document:\n%s", r.stderr)
	}
}
