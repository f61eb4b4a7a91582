package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/exitcode"
	"github.com/tokenctl/tokenctl/internal/iostreams"
)

// offline points a harness at an endpoint that answers nothing and takes
// its API token away: a run that needs either fails.
func offline(h *harness) {
	delete(h.env, "BUILDKITE_API_TOKEN")
	h.env["BUILDKITE_GRAPHQL_ENDPOINT"] = "http://127.0.0.1:1/graphql"
	h.env["BUILDKITE_REST_API_ENDPOINT"] = "http://127.0.0.1:1"
}

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A report saved with -o json renders in every format exactly as the check
// that listed printed it, without a request or an API token, and exits as
// that check did.
func TestCheckFromReportRendersEveryFormat(t *testing.T) {
	h := newHygieneHarness(t, true)
	saved := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "json")
	if saved.code != int(exitcode.Findings) {
		t.Fatalf("the check: %s", saved)
	}
	path := writeTemp(t, "report.json", saved.stdout)
	live := map[string]string{}
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		live[format] = h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", format).stdout
	}
	before := h.graphQLRequests()
	offline(h)
	for format, want := range live {
		r := h.run("check", "--from-report", path, "-o", format)
		if r.code != int(exitcode.Findings) || r.stderr != "" {
			t.Errorf("-o %s: exit %d, want 8 as the check that wrote it\n%s", format, r.code, r)
		}
		if r.stdout != want {
			t.Errorf("-o %s: the rendered report differs from the check's own:\n--- got\n%s\n--- want\n%s", format, r.stdout, want)
		}
	}
	r := h.execWith(func(*iostreams.IOStreams) {}, saved.stdout, "check", "--from-report", "-", "-o", "markdown")
	if r.code != int(exitcode.Findings) || r.stdout != live["markdown"] {
		t.Errorf("--from-report - (standard input): %s", r)
	}
	if n := h.graphQLRequests(); n != before {
		t.Errorf("rendering sent %d GraphQL request(s)", n-before)
	}
}

// The exit status follows the report: 0 when nothing fails, 9 when
// organizations went unlisted.
func TestCheckFromReportExitCodes(t *testing.T) {
	h := newHygieneHarness(t, true)
	warnOnly := writeTemp(t, "warn.yaml", "version: 1\nrules:\n  - {rule: idle, after: 90d, severity: warn}\n")
	clean := h.run("check", "--org", "hygiene", "--policy", warnOnly, "-o", "json")
	if clean.code != 0 {
		t.Fatalf("the check: %s", clean)
	}
	unlisted := strings.Replace(clean.stdout, `"notListed": 0`, `"notListed": 3`, 1)
	if unlisted == clean.stdout {
		t.Fatal("the report has no notListed field to change")
	}
	offline(h)
	for _, tt := range []struct {
		name, report string
		code         exitcode.Code
	}{
		{"clean", clean.stdout, exitcode.OK},
		{"organizations not listed", unlisted, exitcode.Incomplete},
	} {
		r := h.run("check", "--from-report", writeTemp(t, "r.json", tt.report), "-o", "csv")
		if r.code != int(tt.code) {
			t.Errorf("%s: exit %d, want %d\n%s", tt.name, r.code, tt.code, r)
		}
	}
}

// When the check could not run, its saved failure document renders as
// Markdown that says why, prints again as the same JSON, and the render
// exits with the check's status.
func TestCheckFromReportFailureDocument(t *testing.T) {
	h := newHygieneHarness(t, true)
	failed := h.run("check", "--org", "nope", "-o", "json")
	if failed.code != int(exitcode.NotFound) || !strings.Contains(failed.stdout, `"error"`) {
		t.Fatalf("the check: %s", failed)
	}
	path := writeTemp(t, "report.json", failed.stdout)
	offline(h)

	md := h.run("check", "--from-report", path, "-o", "markdown")
	if md.code != int(exitcode.NotFound) {
		t.Errorf("markdown: exit %d, want %d\n%s", md.code, exitcode.NotFound, md)
	}
	mustContain(t, "markdown", md.stdout, "### tokenctl check", "could not run", "(exit status 4)", `organization "nope" not found`)
	mustContain(t, "stderr", md.stderr, "--from-report "+path+": the check that wrote it could not run: ", `organization "nope" not found`)

	js := h.run("check", "--from-report", path, "-o", "json")
	if js.code != int(exitcode.NotFound) || js.stdout != failed.stdout {
		t.Errorf("json: the failure document changed:\n--- got\n%s\n--- want\n%s", js.stdout, failed.stdout)
	}
	csv := h.run("check", "--from-report", path, "-o", "csv")
	if csv.code != int(exitcode.NotFound) || csv.stdout != "" || csv.stderr == "" {
		t.Errorf("csv: %s", csv)
	}
	// A failure document has no findings to compare with.
	h2 := newHygieneHarness(t, true)
	r := h2.run("check", "--org", "hygiene", "--compare", path)
	if r.code != int(exitcode.Usage) || !strings.Contains(r.stderr, "could not run, so it has no findings to compare with") {
		t.Errorf("--compare with a failure document: %s", r)
	}
}

// What --from-report cannot render, and the flags of a listing beside it,
// are usage errors that say what to do.
func TestCheckFromReportRefuses(t *testing.T) {
	h := newHygieneHarness(t, true)
	offline(h)
	report := writeTemp(t, "report.json", `{"schemaVersion": 1, "findings": []}`)
	for _, tt := range []struct {
		name string
		args []string
		err  string
	}{
		{"with --org", []string{"--from-report", report, "--org", "acme"}, "--from-report renders a saved report without listing tokens, so --org cannot apply"},
		{"with --policy and --compare", []string{"--from-report", report, "--policy", hygienePolicy, "--compare", report}, "--policy, --compare cannot apply"},
		{"empty", []string{"--from-report", writeTemp(t, "empty.json", "")}, "is empty, not a tokenctl check JSON report"},
		{"a policy", []string{"--from-report", hygienePolicy}, "not a tokenctl check JSON report"},
		{"missing", []string{"--from-report", filepath.Join(t.TempDir(), "none.json")}, "cannot read it"},
		{"a failure without a status", []string{"--from-report", writeTemp(t, "f.json", `{"schemaVersion": 1, "error": {"message": "x"}}`)}, "a failure document without a message and an exit code"},
		{"yaml", []string{"--from-report", report, "-o", "yaml"}, "--output yaml: this command prints"},
	} {
		r := h.run(append([]string{"check"}, tt.args...)...)
		if r.code != int(exitcode.Usage) || !strings.Contains(r.stderr, tt.err) {
			t.Errorf("%s: exit %d, want 2 and stderr with %q\n%s", tt.name, r.code, tt.err, r)
		}
	}
	r := h.execWith(func(*iostreams.IOStreams) {}, hygieneToken+"\n", "check", "--from-report", "-", "--api-token-file", "-")
	if r.code != int(exitcode.Usage) || !strings.Contains(r.stderr, "--api-token-file - and --from-report - both want standard input") {
		t.Errorf("two on standard input: %s", r)
	}
}
