package server

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/errcode"
)

// noIntrospection refuses, as a validation error, an operation that asks
// for __schema or __type when introspection is off. Without it gqlgen
// executes the operation and the introspection field fails inside it: an
// INTERNAL_SERVER_ERROR for the client and an ERROR line in the log for
// every scanner that tries. __typename stays allowed: clients need it.
type noIntrospection struct{}

var (
	_ graphql.HandlerExtension        = noIntrospection{}
	_ graphql.OperationContextMutator = noIntrospection{}
)

func (noIntrospection) ExtensionName() string { return "NoIntrospection" }

func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

func (noIntrospection) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	if f := introspectionField(opCtx.Operation.SelectionSet, opCtx.Doc, map[string]bool{}); f != nil {
		return &gqlerror.Error{
			Message:    fmt.Sprintf("introspection is disabled on this server: %s cannot be queried (the schema is published with `klynge schema`)", f.Name),
			Locations:  []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}},
			Extensions: map[string]any{"code": errcode.ValidationFailed},
		}
	}
	return nil
}

// introspectionField is the first __schema or __type field in set, looking
// through fragments (each once).
func introspectionField(set ast.SelectionSet, doc *ast.QueryDocument, seen map[string]bool) *ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return s
			}
			if f := introspectionField(s.SelectionSet, doc, seen); f != nil {
				return f
			}
		case *ast.InlineFragment:
			if f := introspectionField(s.SelectionSet, doc, seen); f != nil {
				return f
			}
		case *ast.FragmentSpread:
			if seen[s.Name] || doc == nil {
				continue
			}
			seen[s.Name] = true
			if def := doc.Fragments.ForName(s.Name); def != nil {
				if f := introspectionField(def.SelectionSet, doc, seen); f != nil {
					return f
				}
			}
		}
	}
	return nil
}
