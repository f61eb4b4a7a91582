package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/exitcode"
)

// Every command about one token takes it the same ways: as the argument
// or with --token; missing, doubled or conflicting, it says so in words
// (not cobra's "accepts 1 arg(s)") before anything is sent.
func TestOneTokenIsNamedTheSameWayEverywhere(t *testing.T) {
	h := newHarness(t, emulator.Options{})
	uuid := et.CIDeployBotUUID
	for _, cmd := range [][]string{{"tokens", "get"}, {"tokens", "activity"}} {
		base := append(append([]string{}, cmd...), "--org", "acme", "-o", "json")
		positional := h.run(append(base, uuid)...)
		flag := h.run(append(base, "--token", uuid)...)
		both := h.run(append(base, uuid, "--token", uuid)...)
		for _, r := range []result{positional, flag, both} {
			if r.code != 0 || !json.Valid([]byte(r.stdout)) {
				t.Fatalf("%v: %s", cmd, r)
			}
		}
		if positional.stdout != flag.stdout {
			t.Errorf("%v: the argument and --token differ:\n%s\n%s", cmd, positional.stdout, flag.stdout)
		}
		before := h.graphQLRequests()
		for _, c := range []struct {
			args []string
			want string
		}{
			{nil, "no token given: name "},
			{[]string{uuid, "22222222-2222-4222-8222-222222222222"}, "takes one token, not 2"},
			{[]string{uuid, "--token", "22222222-2222-4222-8222-222222222222"}, "two tokens given (an argument and --token): name the token once"},
		} {
			r := h.run(append(append([]string{}, base...), c.args...)...)
			if exitcode.Code(r.code) != exitcode.Usage {
				t.Errorf("%v %v: %s", cmd, c.args, r)
			}
			mustContain(t, "stderr", r.stderr, c.want)
			if containsAny(r.stderr, "accepts 1 arg", "required flag") {
				t.Errorf("%v %v: cobra's message:\n%s", cmd, c.args, r.stderr)
			}
		}
		if h.graphQLRequests() != before {
			t.Errorf("%v: a usage error sent requests", cmd)
		}
	}
}

func containsAny(s string, parts ...string) bool {
	for _, p := range parts {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
