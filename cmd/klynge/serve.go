package main

import (
	"context"
	"io"
)

// runServe runs the gateway against the upstreams a configuration file names.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usageError{"serve needs the citizen graph's configuration (issue 3); use 'klynge demo' for now"}
}
