package emulator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

// errorType is an error's type wherever the wording puts it.
func errorType(e emulatortest.Error) string {
	if e.Type != "" {
		return e.Type
	}
	code, _ := e.Extensions["code"].(string)
	return strings.ToLower(code)
}

// The same failures, in both wordings: same status, same type, same shape
// (path and nulled data), different words.
func TestErrorsInBothWordings(t *testing.T) {
	messages := map[string][]string{}
	for _, w := range emulator.ErrorWordings {
		srv := emulatortest.Start(t, emulator.Options{Now: newClock().Now, ErrorWording: w})

		revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.CIDeployBotUUID)
		again := revoke(t, srv, emulatortest.DemoToken, emulatortest.AcmeOrgUUID, emulatortest.CIDeployBotUUID)
		member := srv.GraphQL(t, emulatortest.MemberToken, listTokens, map[string]any{"slug": "acme", "first": 10})
		noAuth := srv.GraphQL(t, "", listTokens, map[string]any{"slug": "acme", "first": 10})

		for _, c := range []struct {
			name   string
			resp   *emulatortest.Response
			status int
			typ    string
			path   []any
		}{
			{"revoking again", again, 200, "not_found", []any{"organizationApiAccessTokenRevoke"}},
			{"member listing", member, 200, "forbidden", []any{"organization", "apiAccessTokens"}},
			{"no credential", noAuth, 401, "unauthorized", nil},
		} {
			if c.resp.Status != c.status || len(c.resp.Errors) != 1 {
				t.Fatalf("%s, %s: status %d, body %s", w, c.name, c.resp.Status, c.resp.Body)
			}
			e := c.resp.Errors[0]
			if got := errorType(e); got != c.typ {
				t.Errorf("%s, %s: type %q, want %q (%s)", w, c.name, got, c.typ, c.resp.Body)
			}
			if w == emulator.WordingAlternate && e.Type != "" {
				t.Errorf("%s, %s: the alternate wording carries the type in extensions.code only: %s", w, c.name, c.resp.Body)
			}
			if !slices.Equal(e.Path, c.path) {
				t.Errorf("%s, %s: path %v, want %v", w, c.name, e.Path, c.path)
			}
			messages[c.name] = append(messages[c.name], e.Message)
		}
	}
	for name, m := range messages {
		if m[0] == m[1] {
			t.Errorf("%s: both wordings say %q", name, m[0])
		}
	}
}

// A graphql-error fault answers with any GraphQL error of the table.
func TestGraphQLErrorFaultAnswersATableError(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Options{Now: newClock().Now, Faults: []emulator.Fault{
		{Kind: emulator.FaultGraphQLError, Error: string(emulator.ErrTokenNoOrgAccess), Times: 1},
	}})
	resp := srv.GraphQL(t, emulatortest.DemoToken, listTokens, map[string]any{"slug": "acme", "first": 10})
	e := wantError(t, resp, "does not have access to the organization")
	if e.Type != "forbidden" || string(resp.Data) != `{"organization":null}` {
		t.Errorf("fault answer %s", resp.Body)
	}
}
