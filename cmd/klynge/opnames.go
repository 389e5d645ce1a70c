package main

import (
	"io/fs"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/sundhedsklynge/klynge/docs/queries"
)

// exampleOperationNames are the names of the operations in docs/queries:
// the demo's known operation names (metrics.operationNames), so that its
// metrics show the examples by name and everything else as "other".
func exampleOperationNames() []string {
	var names []string
	files, _ := fs.Glob(queries.Files, "*.graphql")
	for _, f := range files {
		doc, err := parser.ParseQuery(&ast.Source{Input: queries.Must(f)})
		if err != nil {
			continue
		}
		for _, op := range doc.Operations {
			if op.Name != "" && !slices.Contains(names, op.Name) {
				names = append(names, op.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}
