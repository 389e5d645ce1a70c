package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/registry"
	"github.com/sundhedsklynge/klynge/sandbox"
)

// runDemo starts the sandbox and a gateway wired to it over loopback HTTP,
// exactly as the gateway talks to production systems. No configuration.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "gateway listen address")
	sandboxAddr := fs.String("sandbox-addr", "127.0.0.1:8081", "sandbox listen address")
	trustedDocs := fs.String("trusted-documents", "", "persisted-query manifest `file`; when given, only its operations run (docs/TRUSTED-DOCUMENTS.md)")
	var sf sandboxFlags
	sf.register(fs, 20*time.Millisecond)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	cfg, err := sf.config(stderr)
	if err != nil {
		return err
	}
	logger := cfg.Logger
	sb, err := sandbox.New(cfg)
	if err != nil {
		return err
	}
	sl, err := listen("sandbox", *sandboxAddr, sb.Handler(), logger)
	if err != nil {
		return err
	}
	reg, err := registry.Load()
	if err != nil {
		return err
	}
	gcfg := demoConfig(sl.URL(), reg)
	if *trustedDocs != "" {
		gcfg.TrustedDocuments.Manifest, gcfg.TrustedDocuments.Enforce = *trustedDocs, true
	}
	if err := gcfg.Complete(); err != nil {
		return err
	}
	gw, err := newGateway(ctx, gcfg, gatewayDeps{Now: nowFrom(sb.Now())}, logger)
	if err != nil {
		return err
	}
	defer gw.Close()
	gl, err := listen("gateway", *addr, gw.Handler(), logger)
	if err != nil {
		return err
	}
	printSandboxURLs(stdout, sl.URL(), sb)
	fmt.Fprintf(stdout, "playground:   %s/\n", gl.URL())
	fmt.Fprintf(stdout, "ready: %s/graphql\n", gl.URL())
	return serveAll(ctx, sl, gl)
}

// nowFrom is a clock that starts at the sandbox's present and runs at real
// speed, so that the gateway judges deadlines against the same "now" the
// sandbox generated its data for (they differ when -now is in the past).
func nowFrom(start time.Time) func() time.Time {
	origin := time.Now()
	return func() time.Time { return start.Add(time.Since(origin)) }
}
