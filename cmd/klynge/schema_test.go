package main

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sundhedsklynge/klynge/graph"
)

// TestEverySchemaElementIsDescribed: the schema is the public contract and
// its descriptions are its documentation, so every type, field and input
// field the project defines must carry one.
func TestEverySchemaElementIsDescribed(t *testing.T) {
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(def.Description) == "" {
			t.Errorf("type %s has no description", name)
		}
		if def.Kind != ast.Object && def.Kind != ast.InputObject && def.Kind != ast.Interface {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				t.Errorf("field %s.%s has no description", name, f.Name)
			}
		}
	}
}
