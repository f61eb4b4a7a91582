package buildkite_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/buildkite"
	"github.com/tokenctl/tokenctl/internal/emulator"
	et "github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/tokenctl/tokenctl/internal/ident"
)

// A server or proxy that repeats the credential in its error text cannot
// put it into an error tokenctl prints, whatever the credential looks like
// (these are not token-shaped, so the shape-based redaction would miss
// them): the API token and a leaked value being looked up alike.
func TestServerTextNeverCarriesTheSecret(t *testing.T) {
	const apiToken = "secretvalue-not-shaped-like-a-token-0001"
	const leaked = `leaked"value<not>shaped&like-a-token-0002`
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusOK, http.StatusUnprocessableEntity} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := et.Start(t, emulator.Options{Faults: []emulator.Fault{{Kind: emulator.FaultEchoAuthorization, Status: status}}})
			client := buildkite.New(buildkite.Config{GraphQLEndpoint: srv.GraphQLEndpoint, RESTEndpoint: srv.RESTEndpoint, Token: apiToken})
			_, gqlErr := client.Organization(t.Context(), ident.Org{Slug: et.DemoOrgSlug})
			_, restErr := client.AccessToken(t.Context())
			_, leakedErr := client.AccessTokenOf(t.Context(), leaked)
			for name, err := range map[string]error{"GraphQL": gqlErr, "REST": restErr, "leaked value": leakedErr} {
				if err == nil {
					t.Fatalf("%s: no error", name)
				}
				msg := err.Error()
				for _, secret := range []string{apiToken, leaked, `leaked\"value\u003cnot`} {
					if strings.Contains(msg, secret) {
						t.Errorf("%s: the error repeats the secret: %s", name, msg)
					}
				}
			}
			// The server's words are kept, the secret taken out of them,
			// where the message shows them.
			if status != http.StatusOK && status != http.StatusForbidden {
				if msg := restErr.Error(); !strings.Contains(msg, "Invalid credentials: Bearer [redacted]") {
					t.Errorf("REST error %q does not keep the server's words", msg)
				}
			}
		})
	}
}
