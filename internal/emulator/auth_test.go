package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
)

func TestAuthentication(t *testing.T) {
	srv, _ := startDemo(t)
	tests := []struct {
		name, token, want string
	}{
		{"missing", "", "Authentication required"},
		{"unknown", "bkua_0000000000000000000000000000000000000000", "Authentication required"},
		{"revoked", emulatortest.RevokedToken, "revoked"},
		{"expired", emulatortest.ExpiredToken, "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gql := srv.GraphQL(t, tt.token, `{ viewer { id } }`, nil)
			if gql.Status != http.StatusUnauthorized || len(gql.Errors) != 1 || !strings.Contains(gql.Errors[0].Message, tt.want) {
				t.Errorf("GraphQL: %d %s", gql.Status, gql.Body)
			}
			rest := srv.Do(t, "GET", "/v2/access-token", tt.token, nil)
			var body struct{ Message string }
			if rest.Status != http.StatusUnauthorized || json.Unmarshal(rest.Body, &body) != nil || !strings.Contains(body.Message, tt.want) {
				t.Errorf("REST: %d %s", rest.Status, rest.Body)
			}
			if tt.token != "" && strings.Contains(string(gql.Body)+string(rest.Body), tt.token) {
				t.Error("an error echoes the secret")
			}
		})
	}
	// A scheme other than Bearer is not a credential.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/v2/access-token", nil)
	req.Header.Set("Authorization", "Token "+emulatortest.DemoToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("Authorization: Token ... got %d", resp.StatusCode)
	}
}

func TestGraphQLNeedsGraphQLScope(t *testing.T) {
	srv, _ := startDemo(t)
	resp := srv.GraphQL(t, emulatortest.NoGraphQLToken, `{ viewer { id } }`, nil)
	if resp.Status != http.StatusForbidden || len(resp.Errors) != 1 || !strings.Contains(resp.Errors[0].Message, "GraphQL") {
		t.Fatalf("got %d %s", resp.Status, resp.Body)
	}
	// REST needs no scope.
	if rest := srv.Do(t, "GET", "/v2/access-token", emulatortest.NoGraphQLToken, nil); rest.Status != 200 {
		t.Errorf("REST with a non-GraphQL token: %d %s", rest.Status, rest.Body)
	}
}

func TestGetAccessToken(t *testing.T) {
	srv, _ := startDemo(t)
	resp := srv.Do(t, "GET", "/v2/access-token", emulatortest.CIDeployBotToken, nil)
	if resp.Status != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("got %d %v", resp.Status, resp.Header)
	}
	var body map[string]any
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		t.Fatal(err)
	}
	want := `{"created_at":"2023-11-13T12:00:00Z","description":"CI deploy bot","scopes":["graphql","read_builds","write_builds","read_pipelines"],"user":{"email":"mo@acme.example","name":"Mo Member"},"uuid":"11111111-1111-4111-8111-111111111111"}`
	if got, _ := json.Marshal(body); string(got) != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func TestDeleteAccessTokenRevokesEverywhere(t *testing.T) {
	srv, _ := startDemo(t)
	resp := srv.Do(t, "DELETE", "/v2/access-token", emulatortest.CIDeployBotToken, nil)
	if resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
		t.Fatalf("got %d %s", resp.Status, resp.Body)
	}
	if !srv.TokenRevoked(emulatortest.CIDeployBotUUID) {
		t.Error("TokenRevoked is false")
	}
	if again := srv.Do(t, "GET", "/v2/access-token", emulatortest.CIDeployBotToken, nil); again.Status != http.StatusUnauthorized {
		t.Errorf("the revoked token still works: %d", again.Status)
	}
	for _, org := range []string{"acme", "globex"} {
		for _, id := range srv.Tokens(org) {
			if id == emulatortest.CIDeployBotUUID {
				t.Errorf("%s still lists the revoked token", org)
			}
		}
	}
	if srv.TokenRevoked(emulatortest.DemoTokenUUID) {
		t.Error("another token was revoked")
	}
}

func TestRoutes(t *testing.T) {
	srv, _ := startDemo(t)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/v1", http.StatusMethodNotAllowed},
		{"PUT", "/v2/access-token", http.StatusMethodNotAllowed},
		{"GET", "/v2/builds", http.StatusNotFound},
	} {
		if resp := srv.Do(t, c.method, c.path, emulatortest.DemoToken, nil); resp.Status != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.Status, c.status)
		}
	}
	if resp := srv.Do(t, "POST", "/v1", emulatortest.DemoToken, []byte("{not json")); resp.Status != http.StatusBadRequest || len(resp.Errors) != 1 {
		t.Errorf("bad JSON body: %d %s", resp.Status, resp.Body)
	}
}
