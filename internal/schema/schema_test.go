package schema_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/tokenctl/tokenctl/internal/schema"
	"github.com/tokenctl/tokenctl/internal/testfiles"
)

// publishedSchemaEnv names a file to use as Buildkite's published schema
// instead of the copy kept beside the repository.
const publishedSchemaEnv = "TOKENCTL_PUBLISHED_SCHEMA"

// maxProjectSchemaLines keeps the project's schema a hand-written subset: the
// published schema is some 14,000 lines, and copying it in would defeat the
// point of knowing exactly which parts of the API tokenctl depends on.
const maxProjectSchemaLines = 600

func TestQueriesValidate(t *testing.T) {
	root := testfiles.RepoRoot(t)
	queries := filepath.Join(root, "queries")

	t.Run("project schema", func(t *testing.T) {
		for _, msg := range validateOperations(projectSchema(t), queries) {
			t.Error(msg)
		}
	})
	t.Run("published schema", func(t *testing.T) {
		for _, msg := range validateOperations(publishedSchema(t, root), queries) {
			t.Error(msg)
		}
	})
}

// TestValidateOperationsRejectsBrokenDocuments proves the validation above can
// fail: a copy of the queries with one mistake must be rejected, naming the
// file. It is long because it is one table, a row per kind of mistake.
func TestValidateOperationsRejectsBrokenDocuments(t *testing.T) {
	root := testfiles.RepoRoot(t)
	sch := projectSchema(t)

	good := make(map[string]string)
	paths, err := filepath.Glob(filepath.Join(root, "queries", "*.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		good[filepath.Base(p)] = string(b)
	}
	if len(good) == 0 {
		t.Fatal("no queries/*.graphql files found")
	}

	tests := []struct {
		name string
		file string
		// edit returns the broken document; it must change the input.
		edit func(string) string
		want string
	}{
		{
			name: "misspelled field",
			file: "revoke.graphql",
			edit: func(s string) string {
				return strings.Replace(s, "revokedApiAccessTokenId", "revokedApiAccessTokenID", 1)
			},
			want: `Cannot query field "revokedApiAccessTokenID"`,
		},
		{
			name: "unknown argument",
			file: "viewer.graphql",
			edit: func(s string) string {
				return strings.Replace(s, "organizations(first: $first)", "organizations(first: $first, after: \"x\")", 1)
			},
			want: `Unknown argument "after"`,
		},
		{
			name: "variable of the wrong type",
			file: "viewer.graphql",
			edit: func(s string) string { return strings.Replace(s, "$first: Int!", "$first: String!", 1) },
			want: `Variable "$first" of type "String!" used in position expecting type "Int"`,
		},
		{
			name: "fragment defined in another file is missing",
			file: "organization.graphql",
			edit: func(s string) string {
				return strings.Replace(s, "fragment OrganizationFields on", "fragment OrganizationFieldz on", 1)
			},
			want: `Unknown fragment "OrganizationFields"`,
		},
		{
			name: "syntax error",
			file: "revoke.graphql",
			edit: func(s string) string { return strings.Replace(s, "clientMutationId\n", "clientMutationId(\n", 1) },
			want: "revoke.graphql:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, ok := good[tt.file]
			if !ok {
				t.Skipf("queries/%s no longer exists; update this case", tt.file)
			}
			broken := tt.edit(src)
			if broken == src {
				t.Skipf("queries/%s changed and the edit no longer applies; update this case", tt.file)
			}

			dir := filepath.Join(t.TempDir(), "queries")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, body := range good {
				if name == tt.file {
					body = broken
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}

			msgs := validateOperations(sch, dir)
			if len(msgs) == 0 {
				t.Fatalf("broken queries/%s was accepted", tt.file)
			}
			all := strings.Join(msgs, "\n")
			if !strings.Contains(all, tt.want) {
				t.Errorf("errors do not mention %q:\n%s", tt.want, all)
			}
			if !strings.Contains(all, "queries/") {
				t.Errorf("errors do not name the file:\n%s", all)
			}
		})
	}
}

func TestProjectSchemaIsSubsetOfPublished(t *testing.T) {
	published := publishedSchema(t, testfiles.RepoRoot(t))
	for _, msg := range schemaMismatches(projectSchema(t), published) {
		t.Error(msg)
	}
}

// TestSchemaMismatchesFindsEveryKind proves the subset check reports each
// kind of difference, using two tiny schemas. It is long because it is one
// table, a row per kind of difference.
func TestSchemaMismatchesFindsEveryKind(t *testing.T) {
	published := mustLoadSchema(t, "published.graphql", `
		interface Node { id: ID! }
		type Query { thing(id: ID!, first: Int): Thing  other: String }
		type Mutation { do(input: DoInput!): String }
		type Thing implements Node { id: ID!  name: String  tags: [String!]! }
		input DoInput { id: ID!  note: String }
		enum Color { RED GREEN }
		union Any = Thing
		scalar When
	`)

	tests := []struct {
		name    string
		project string
		want    []string // each must appear in some mismatch
	}{
		{
			name: "identical",
			project: `
				interface Node { id: ID! }
				type Query { thing(id: ID!): Thing }
				type Thing implements Node { id: ID!  tags: [String!]! }
				enum Color { RED }
			`,
		},
		{
			name: "missing type, field, enum value, scalar and union member",
			project: `
				type Query { thing(id: ID!): Thing  extra: Int }
				type Thing { id: ID!  nickname: String }
				type Other { id: ID! }
				enum Color { RED BLUE }
				union Any = Thing | Other
				scalar Then
			`,
			want: []string{
				"Query.extra: not in the published schema",
				"Thing.nickname: not in the published schema",
				"type Other: not in the published schema",
				"enum Color: value BLUE is not in the published schema",
				"union Any: member Other is not in the published schema",
				"type Then: not in the published schema",
			},
		},
		{
			name: "type wrappers differ",
			project: `
				type Query { thing(id: ID): Thing!  other: [String] }
				type Thing { id: ID  name: String!  tags: [String]! }
			`,
			want: []string{
				"Query.thing: type is Thing!, published Thing",
				"Query.thing(id:): type is ID, published ID!",
				"Query.other: type is [String], published String",
				"Thing.id: type is ID, published ID!",
				"Thing.name: type is String!, published String",
				"Thing.tags: type is [String]!, published [String!]!",
			},
		},
		{
			name: "arguments",
			project: `
				type Query { thing(first: Int, last: Int): Thing }
				type Thing { id: ID! }
			`,
			want: []string{
				"Query.thing(last:): not in the published schema",
				"Query.thing: published requires argument id",
			},
		},
		{
			name: "input objects",
			project: `
				type Query { other: String }
				type Mutation { do(input: DoInput!): String }
				input DoInput { note: Int  extra: String }
			`,
			want: []string{
				"DoInput.note: type is Int, published String",
				"DoInput.extra: not in the published schema",
				"input DoInput: published requires field id",
			},
		},
		{
			name: "kinds and interfaces",
			project: `
				interface Node { id: ID! }
				interface Named { name: String }
				type Query { other: String }
				type Thing implements Node & Named { id: ID!  name: String }
				input Color { red: Boolean }
				scalar Any
			`,
			want: []string{
				"type Thing: implements Named, published does not",
				"type Named: not in the published schema",
				"type Color: kind INPUT_OBJECT, published ENUM",
				"type Any: kind SCALAR, published UNION",
			},
		},
		{
			name: "root operation types",
			project: `
				schema { query: Root }
				type Root { other: String }
			`,
			want: []string{
				"schema: query type is Root, published Query",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := mustLoadSchema(t, "project.graphql", tt.project)
			got := schemaMismatches(project, published)
			if len(tt.want) == 0 && len(got) > 0 {
				t.Errorf("unexpected mismatches:\n%s", strings.Join(got, "\n"))
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(m string) bool { return strings.Contains(m, w) }) {
					t.Errorf("missing mismatch %q; got:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestProjectSchemaIsSmall(t *testing.T) {
	lines := strings.Count(schema.SDL, "\n")
	if lines == 0 {
		t.Fatal("schema.SDL is empty")
	}
	if lines >= maxProjectSchemaLines {
		t.Errorf("internal/schema/schema.graphql has %d lines, limit %d: keep only the types and fields tokenctl uses, "+
			"never a copy of the published schema", lines, maxProjectSchemaLines)
	}
}

func projectSchema(t *testing.T) *ast.Schema {
	t.Helper()
	return mustLoadSchema(t, "internal/schema/schema.graphql", schema.SDL)
}

// publishedSchema loads Buildkite's published schema, kept beside the
// repository as ../shared/buildkite/schema.graphql. Without it the test is
// skipped locally but fails in CI, where skipping would hide drift.
func publishedSchema(t *testing.T, root string) *ast.Schema {
	t.Helper()
	path := os.Getenv(publishedSchemaEnv)
	if path == "" {
		path = filepath.Join(root, "..", "shared", "buildkite", "schema.graphql")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		msg := missingSchemaMessage(path)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return mustLoadSchema(t, "published schema.graphql", string(b))
}

// publishedSchemaURL is where Buildkite publishes its GraphQL schema: the
// copy its documentation is generated from.
const publishedSchemaURL = "https://raw.githubusercontent.com/buildkite/docs/main/data/graphql/schema.graphql"

// missingSchemaMessage says, when the published schema is not at path, where
// it comes from and both ways to make it available.
func missingSchemaMessage(path string) string {
	return fmt.Sprintf("published Buildkite schema not found at %s. It is Buildkite's GraphQL schema as its "+
		"documentation publishes it (data/graphql/schema.graphql in github.com/buildkite/docs), kept outside the "+
		"repository. Download it, e.g. `curl -fsSL -o schema.graphql %s`, then either put it at "+
		"../shared/buildkite/schema.graphql beside the repository or run with %s=/path/to/schema.graphql "+
		"(CI=true makes its absence a failure instead of a skip)",
		path, publishedSchemaURL, publishedSchemaEnv)
}

func mustLoadSchema(t *testing.T, name, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: name, Input: sdl})
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return s
}

// validateOperations validates every operation in dir/*.graphql against s.
// The files are validated as one document because fragments are shared
// between them. Each message starts with the file, line and column.
func validateOperations(s *ast.Schema, dir string) []string {
	paths, err := filepath.Glob(filepath.Join(dir, "*.graphql"))
	if err != nil {
		return []string{err.Error()}
	}
	if len(paths) == 0 {
		return []string{fmt.Sprintf("no .graphql files in %s", dir)}
	}
	slices.Sort(paths)

	var msgs []string
	doc := &ast.QueryDocument{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			msgs = append(msgs, err.Error())
			continue
		}
		name := filepath.ToSlash(filepath.Join(filepath.Base(dir), filepath.Base(p)))
		part, err := parser.ParseQuery(&ast.Source{Name: name, Input: string(b)})
		if err != nil {
			msgs = append(msgs, err.Error())
			continue
		}
		doc.Operations = append(doc.Operations, part.Operations...)
		doc.Fragments = append(doc.Fragments, part.Fragments...)
	}
	if len(msgs) > 0 {
		return msgs // a document that does not parse cannot be validated
	}
	if len(doc.Operations) == 0 {
		return []string{fmt.Sprintf("no operations in %s", dir)}
	}
	// A mistake inside a fragment is reported once for every operation that
	// spreads it; say it once.
	seen := make(map[string]bool)
	for _, err := range validator.ValidateWithRules(s, doc, nil) {
		if msg := err.Error(); !seen[msg] {
			seen[msg] = true
			msgs = append(msgs, msg)
		}
	}
	return msgs
}

// schemaMismatches lists every way in which project is not a faithful subset
// of published: a name missing there, a different kind, or a different type
// (non-null and list wrappers included). It also reports arguments and input
// fields that published requires but project omits, since a document built
// from project would then be rejected by the real API.
func schemaMismatches(project, published *ast.Schema) []string {
	var out []string
	report := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	roots := []struct {
		op       string
		got, pub *ast.Definition
	}{
		{"query", project.Query, published.Query},
		{"mutation", project.Mutation, published.Mutation},
		{"subscription", project.Subscription, published.Subscription},
	}
	for _, r := range roots {
		switch {
		case r.got == nil:
		case r.pub == nil:
			report("schema: %s type %s, published has no %s type", r.op, r.got.Name, r.op)
		case r.got.Name != r.pub.Name:
			report("schema: %s type is %s, published %s", r.op, r.got.Name, r.pub.Name)
		}
	}

	for _, name := range sortedKeys(project.Types) {
		def := project.Types[name]
		if def.BuiltIn {
			continue
		}
		pub := published.Types[name]
		if pub == nil {
			report("type %s: not in the published schema", name)
			continue
		}
		if def.Kind != pub.Kind {
			report("type %s: kind %s, published %s", name, def.Kind, pub.Kind)
			continue
		}
		compareDefinition(report, name, def, pub)
	}

	for _, name := range sortedKeys(project.Directives) {
		d := project.Directives[name]
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		if published.Directives[name] == nil {
			report("directive @%s: not in the published schema", name)
		}
	}
	return out
}

// compareDefinition reports how def, a type of the project's schema,
// differs from pub, the published type of that name and kind: interfaces,
// fields and their arguments, input fields, enum values, union members.
func compareDefinition(report func(string, ...any), name string, def, pub *ast.Definition) {
	for _, iface := range def.Interfaces {
		if !slices.Contains(pub.Interfaces, iface) {
			report("type %s: implements %s, published does not", name, iface)
		}
	}
	switch def.Kind {
	case ast.Object, ast.Interface:
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue // introspection, added by the parser
			}
			pf := pub.Fields.ForName(f.Name)
			if pf == nil {
				report("%s.%s: not in the published schema", name, f.Name)
				continue
			}
			where := name + "." + f.Name
			compareType(report, where, f.Type, pf.Type)
			for _, a := range f.Arguments {
				pa := pf.Arguments.ForName(a.Name)
				if pa == nil {
					report("%s(%s:): not in the published schema", where, a.Name)
					continue
				}
				compareType(report, fmt.Sprintf("%s(%s:)", where, a.Name), a.Type, pa.Type)
			}
			for _, pa := range pf.Arguments {
				if pa.Type.NonNull && pa.DefaultValue == nil && f.Arguments.ForName(pa.Name) == nil {
					report("%s: published requires argument %s", where, pa.Name)
				}
			}
		}
	case ast.InputObject:
		for _, f := range def.Fields {
			pf := pub.Fields.ForName(f.Name)
			if pf == nil {
				report("%s.%s: not in the published schema", name, f.Name)
				continue
			}
			compareType(report, name+"."+f.Name, f.Type, pf.Type)
		}
		for _, pf := range pub.Fields {
			if pf.Type.NonNull && pf.DefaultValue == nil && def.Fields.ForName(pf.Name) == nil {
				report("input %s: published requires field %s", name, pf.Name)
			}
		}
	case ast.Enum:
		for _, v := range def.EnumValues {
			if pub.EnumValues.ForName(v.Name) == nil {
				report("enum %s: value %s is not in the published schema", name, v.Name)
			}
		}
	case ast.Union:
		for _, m := range def.Types {
			if !slices.Contains(pub.Types, m) {
				report("union %s: member %s is not in the published schema", name, m)
			}
		}
	}
}

// compareType reports a difference in named type or in its list and
// non-null wrappers; String renders both, e.g. [Scope!]!.
func compareType(report func(string, ...any), where string, got, pub *ast.Type) {
	if got.String() != pub.String() {
		report("%s: type is %s, published %s", where, got, pub)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Without the published schema, CI fails with a message that says where
// the schema comes from and how to point the tests at it.
func TestMissingSchemaMessage(t *testing.T) {
	msg := missingSchemaMessage("/nowhere/schema.graphql")
	for _, want := range []string{"/nowhere/schema.graphql", publishedSchemaURL, "github.com/buildkite/docs",
		publishedSchemaEnv + "=", "../shared/buildkite/schema.graphql"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message does not name %q:\n%s", want, msg)
		}
	}
}
