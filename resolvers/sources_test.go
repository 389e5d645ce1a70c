package resolvers

import (
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sundhedsklynge/klynge/graph"
)

// TestEveryCitizenResolverFieldHasItsLoaders: loadersFor is what prefetch
// and Citizen.sources use to know which systems a selection reads. Every
// Citizen field with a resolver of its own (graph.CitizenResolver: the
// fields that read more than the patient record) must map to the loaders it
// uses, or prefetching misses it and sources under-reports it.
func TestEveryCitizenResolverFieldHasItsLoaders(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	citizen := schema.Types["Citizen"]
	// sources reports on the others and reads nothing of its own.
	reportsOnly := map[string]bool{"sources": true}

	resolverType := reflect.TypeFor[graph.CitizenResolver]()
	if resolverType.NumMethod() == 0 {
		t.Fatal("graph.CitizenResolver has no methods")
	}
	for i := range resolverType.NumMethod() {
		name := resolverType.Method(i).Name
		field := strings.ToLower(name[:1]) + name[1:]
		t.Run(field, func(t *testing.T) {
			def := citizen.Fields.ForName(field)
			if def == nil {
				t.Fatalf("CitizenResolver.%s is no field of Citizen", name)
			}
			sub := ""
			if k := schema.Types[def.Type.Name()].Kind; k == ast.Object || k == ast.Interface || k == ast.Union {
				sub = " { __typename }"
			}
			doc, errs := gqlparser.LoadQuery(schema, `{ citizen(cpr: "0101901234") { `+field+sub+` } }`)
			if errs != nil {
				t.Fatal(errs)
			}
			sel := doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
			got := loadersFor(&graphql.OperationContext{Doc: doc, Variables: map[string]any{}}, sel)
			switch {
			case reportsOnly[field] && got != (loaderSet{}):
				t.Errorf("%s maps to loaders %+v, want none", field, got)
			case !reportsOnly[field] && got == (loaderSet{}):
				t.Errorf("%s has a resolver but no loaders in loadersFor (resolvers/sources.go)", field)
			}
		})
	}
}
