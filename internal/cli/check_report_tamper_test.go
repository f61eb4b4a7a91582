package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// A saved report whose summary was edited to say it passes still fails:
// the verdict and the exit status come from its findings.
func TestCheckFromReportRecountsTheSummary(t *testing.T) {
	h := newHygieneHarness(t, true)
	saved := h.run("check", "--org", "hygiene", "--policy", hygienePolicy, "-o", "json")
	if saved.code != int(exitcode.Findings) {
		t.Fatalf("the check: %s", saved)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(saved.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	summary := doc["summary"].(map[string]any)
	summary["failing"] = false
	summary["open"] = 0
	summary["bySeverity"] = map[string]int{}
	tampered, _ := json.Marshal(doc)
	offline(h)
	for _, format := range []string{"json", "markdown", "table"} {
		r := h.run("check", "--from-report", writeTemp(t, "r.json", string(tampered)), "-o", format)
		if r.code != int(exitcode.Findings) {
			t.Errorf("-o %s: exit %d, want 8\n%s", format, r.code, r)
		}
		if format == "json" && !strings.Contains(r.stdout, `"failing": true`) {
			t.Errorf("the rendered summary keeps the file's: %s", r.stdout)
		}
		if strings.Contains(r.stdout+r.stderr, "passed") {
			t.Errorf("-o %s says passed: %s", format, r)
		}
	}
}
