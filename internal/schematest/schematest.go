// Package schematest is an executable schema for the guard packages' tests:
// the shape of klynge's citizen graph (a citizen list argument, paged
// connections with `first`, nested lists) without generated code. Its
// resolvers do nothing but count executions, so that a test can prove a
// refused request never reached them. For tests only.
package schematest

import (
	"context"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// SDL is the test schema.
const SDL = `
scalar CPR
type Query {
  version: String!
  citizen(cpr: CPR!): Citizen
  citizens(cprs: [CPR!]!): [Citizen]!
  regions: [Region!]!
}
type Mutation { note(text: String!): String! }
type Citizen {
  cpr: CPR!
  name: String
  gp: Practice
  hospitalEncounters(status: [String!], first: Int = 20, after: String): EncounterConnection
  timeline(first: Int = 20, after: String): EventConnection
}
type Practice { name: String! municipality: Municipality }
type EncounterConnection { nodes: [Encounter!]! pageInfo: PageInfo! totalCount: Int! }
type Encounter { id: ID! notifications: [Notification!]! }
type Notification { code: String! sender: Organization! }
type Organization { name: String! }
type EventConnection { nodes: [Event!]! totalCount: Int! }
type Event { summary: String! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Region { name: String! municipalities: [Municipality!]! }
type Municipality { name: String! region: Region! clusters: [Cluster!]! }
type Cluster { id: ID! members: [Municipality!]! }
`

// Schema is the parsed SDL.
func Schema() *ast.Schema {
	return gqlparser.MustLoadSchema(&ast.Source{Name: "test.graphqls", Input: SDL})
}

// Executable is an executable schema whose every operation answers
// {"version":"test"} and counts itself in Executions.
type Executable struct {
	*graphql.ExecutableSchemaMock
	Executions atomic.Int64
}

// New returns a fresh Executable.
func New() *Executable {
	e := &Executable{}
	schema := Schema()
	e.ExecutableSchemaMock = &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ComplexityFunc: func(ctx context.Context, typeName, fieldName string, childComplexity int, args map[string]any) (int, bool) {
			return 0, false
		},
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			e.Executions.Add(1)
			return graphql.OneShot(&graphql.Response{Data: []byte(`{"version":"test"}`)})
		},
	}
	return e
}
