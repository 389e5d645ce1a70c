package main

import (
	"flag"
	"io"

	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/sundhedsklynge/klynge/graph"
)

// runSchema prints the SDL of the public contract, for client code
// generators and schema registries.
func runSchema(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	es := graph.NewExecutableSchema(graph.Config{})
	formatter.NewFormatter(stdout, formatter.WithComments()).FormatSchema(es.Schema())
	return nil
}
