// Command klynge is the one binary: the gateway (serve), the gateway with a
// simulated cluster behind it (demo), the simulated cluster alone (sandbox),
// and tools (schema, version).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
