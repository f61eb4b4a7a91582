package emulator_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenctl/tokenctl/internal/emulator"
	"github.com/tokenctl/tokenctl/internal/emulator/emulatortest"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestProjectQueriesExecute sends every operation in queries/ the way
// genqlient does: the operation plus the fragments it uses, possibly from
// other files. Each must answer 200 with data and no errors.
func TestProjectQueriesExecute(t *testing.T) {
	files, err := filepath.Glob("../../queries/*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no query documents found: %v", err)
	}
	var all ast.QueryDocument
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		doc, perr := parser.ParseQuery(&ast.Source{Name: file, Input: string(src)})
		if perr != nil {
			t.Fatalf("%s: %v", file, perr)
		}
		all.Operations = append(all.Operations, doc.Operations...)
		all.Fragments = append(all.Fragments, doc.Fragments...)
	}
	vars := map[string]any{
		"slug":             "acme",
		"id":               emulator.NodeID("Organization", emulatortest.AcmeOrgUUID),
		"first":            5,
		"after":            nil,
		"last":             nil,
		"organizationId":   emulator.NodeID("Organization", emulatortest.AcmeOrgUUID),
		"apiAccessTokenId": emulator.NodeID("APIAccessToken", emulatortest.OldLaptopTokenUUID),
		"clientMutationId": "query-test",
		// The audit log's filters, unset; the inactivity period.
		"types": nil, "subjectType": nil, "subjectUUID": nil, "actor": nil, "occurredAtFrom": nil, "occurredAtTo": nil,
		"period": "DAYS_90",
	}
	if len(all.Operations) < 7 {
		t.Errorf("found %d operations, want at least 7", len(all.Operations))
	}
	for _, op := range all.Operations {
		t.Run(op.Name, func(t *testing.T) {
			srv := emulatortest.Start(t, emulator.Options{})
			opVars := map[string]any{}
			for _, v := range op.VariableDefinitions {
				val, ok := vars[v.Variable]
				if !ok {
					t.Fatalf("no test value for variable $%s", v.Variable)
				}
				opVars[v.Variable] = val
			}
			body, _ := json.Marshal(map[string]any{"query": operationDocument(op, all.Fragments), "operationName": op.Name, "variables": opVars})
			resp := srv.Do(t, "POST", "/v1", emulatortest.DemoToken, body)
			if resp.Status != 200 || len(resp.Errors) > 0 {
				t.Fatalf("status %d, body %s", resp.Status, resp.Body)
			}
			var data map[string]json.RawMessage
			if err := json.Unmarshal(resp.Data, &data); err != nil || len(data) == 0 {
				t.Fatalf("data is not an object: %s", resp.Body)
			}
			for field, v := range data {
				if string(v) == "null" {
					t.Errorf("top-level field %s is null: %s", field, resp.Body)
				}
			}
			if op.Name == "RevokeAPIAccessToken" && srv.RevocationCount("acme", emulatortest.OldLaptopTokenUUID) != 1 {
				t.Errorf("the mutation did not revoke: %s", resp.Body)
			}
		})
	}
}

// operationDocument prints op with the fragments it spreads, transitively.
func operationDocument(op *ast.OperationDefinition, fragments ast.FragmentDefinitionList) string {
	var b strings.Builder
	doc := &ast.QueryDocument{Operations: ast.OperationList{op}, Fragments: emulator.ReachedFragments(op, fragments)}
	formatter.NewFormatter(&b).FormatQueryDocument(doc)
	return b.String()
}

// TestWholeFileWithOperationName sends each queries/ file whole, as a
// client without genqlient might: the other operations' variables must not
// matter.
func TestWholeFileWithOperationName(t *testing.T) {
	src, err := os.ReadFile("../../queries/organization.graphql")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := startDemo(t)
	body, _ := json.Marshal(map[string]any{"query": string(src), "operationName": "OrganizationBySlug", "variables": map[string]any{"slug": "acme"}})
	resp := srv.Do(t, "POST", "/v1", emulatortest.DemoToken, body)
	if resp.Status != 200 || len(resp.Errors) != 0 || !strings.Contains(string(resp.Data), `"slug":"acme"`) {
		t.Fatalf("got %d %s", resp.Status, resp.Body)
	}
	// Errors still point into the document as sent.
	doc := "query A { viewer { id } }\n\nquery B {\n  viewer { nope }\n}\n"
	body, _ = json.Marshal(map[string]any{"query": doc, "operationName": "B"})
	resp = srv.Do(t, "POST", "/v1", emulatortest.DemoToken, body)
	if len(resp.Errors) != 1 || len(resp.Errors[0].Locations) != 1 || resp.Errors[0].Locations[0].Line != 4 {
		t.Errorf("error location: %s", resp.Body)
	}
	// Without operationName a document with several operations is ambiguous.
	body, _ = json.Marshal(map[string]any{"query": doc})
	if resp = srv.Do(t, "POST", "/v1", emulatortest.DemoToken, body); len(resp.Errors) == 0 {
		t.Errorf("ambiguous document executed: %s", resp.Body)
	}
}
