package hygiene

import (
	"os"
	"path/filepath"
	"testing"
)

// The policy files shipped in examples/ parse, and each is meant for
// something: at least one rule fails the check.
func TestExamplePoliciesParse(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "examples", "policy-*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, filepath.Join("testdata", "hygiene-policy.yaml"))
	if len(paths) < 3 {
		t.Fatalf("found only %v", paths)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParsePolicy(data, path)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		failing := false
		for _, r := range p.Rules {
			failing = failing || r.Severity.Failing()
		}
		if !failing {
			t.Errorf("%s: no rule fails the check", path)
		}
	}
}
