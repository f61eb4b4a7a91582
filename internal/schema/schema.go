// Package schema holds the subset of Buildkite's GraphQL schema that tokenctl
// uses. genqlient generates the client from it and the emulator serves it.
// It must never grow a type or field that the published schema lacks.
package schema

import _ "embed"

// SDL is the schema document.
//
//go:embed schema.graphql
var SDL string
