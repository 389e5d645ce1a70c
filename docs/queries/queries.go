// Package queries holds the example GraphQL operations of docs/queries, so
// that the tests, `klynge bench` and the documentation all use one copy.
package queries

import "embed"

// Files are the *.graphql examples.
//
//go:embed *.graphql
var Files embed.FS

// Must returns one example by file name and panics when it is missing: the
// names are constants in the code that uses them.
func Must(name string) string {
	b, err := Files.ReadFile(name)
	if err != nil {
		panic("queries: " + err.Error())
	}
	return string(b)
}
