package cli

import (
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// The JSON documents are a contract: fields are only ever added, and their
// names, order and null-ness stay. These golden files pin each document
// whole (revoke and tokens list have theirs beside their format tests).
func TestJSONDocumentsGolden(t *testing.T) {
	cases := []struct {
		golden string
		token  string // the API token, when not the demo one
		args   []string
	}{
		{golden: "tokens.get.json.golden", args: []string{"tokens", "get", et.CIDeployBotUUID, "--org", "acme", "-o", "json"}},
		{golden: "tokens.get.never-used.json.golden", args: []string{"tokens", "get", et.OldLaptopTokenUUID, "--org", "acme", "-o", "json"}},
		{golden: "whoami.json.golden", args: []string{"whoami", "-o", "json"}},
		{golden: "whoami.no-graphql.json.golden", token: et.NoGraphQLToken, args: []string{"whoami", "-o", "json"}},
		{golden: "policy.json.golden", args: []string{"policy", "show", "--org", "acme", "--within", "60", "-o", "json"}},
		{golden: "policy.unset.json.golden", args: []string{"policy", "show", "--org", "globex", "-o", "json"}},
		{golden: "revoke.dry-run.json.golden", args: []string{"revoke", "--org", "acme", "--token", et.CIDeployBotUUID, "--token", et.OldLaptopTokenUUID, "--dry-run", "-o", "json"}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			if c.token != "" {
				h.env["BUILDKITE_API_TOKEN"] = c.token
			}
			r := h.run(c.args...)
			if r.code != 0 {
				t.Fatalf("%v failed:\n%s", c.args, r)
			}
			golden(t, c.golden, r.stdout)
		})
	}
}

// The leaked-token --everywhere document, in a dry run.
func TestEverywhereJSONGolden(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	value := et.CIDeployBotToken
	r := h.runLeaked(value, false, "", "revoke", "--token-value-file", leakedValueFile(t, value), "--everywhere", "--dry-run", "-o", "json")
	if r.code != 0 {
		t.Fatalf("--everywhere --dry-run failed:\n%s", r)
	}
	golden(t, "revoke_leaked.everywhere.json.golden", r.stdout)
}
