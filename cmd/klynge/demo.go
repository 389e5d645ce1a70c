package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/registry"
	"github.com/sundhedsklynge/klynge/sandbox"
)

// runDemo starts the sandbox and a gateway wired to it over loopback HTTP,
// exactly as the gateway talks to production systems. No configuration.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "gateway listen address")
	sandboxAddr := fs.String("sandbox-addr", "127.0.0.1:8081", "sandbox listen address")
	trustedDocs := fs.String("trusted-documents", "", "persisted-query manifest `file`; when given, only its operations run (docs/TRUSTED-DOCUMENTS.md)")
	auditFile := fs.String("audit", "", "keep the access log in this SQLite `file` (default: a temporary file, removed on exit)")
	auditPostgres := fs.String("audit-postgres", "", "keep the access log in PostgreSQL (`DSN`) instead")
	var corsOrigins stringList
	fs.Var(&corsOrigins, "cors-origin", "let a browser page from this `origin` call the gateway, e.g. a dev server at http://localhost:5173 (repeatable; cors.allowedOrigins)")
	var sf sandboxFlags
	sf.register(fs, 20*time.Millisecond)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	cfg, err := sf.config(stderr)
	if err != nil {
		return err
	}
	st, err := startDemoStack(ctx, cfg, *sandboxAddr, *addr, func(gcfg *config.Config) error {
		// KLYNGE_... variables apply as they do to serve; flags win.
		if err := config.ApplyEnv(gcfg, os.Environ()); err != nil {
			return fmt.Errorf("config: %w", err)
		}
		if *trustedDocs != "" {
			gcfg.TrustedDocuments.Manifest, gcfg.TrustedDocuments.Enforce = *trustedDocs, true
		}
		if *auditFile != "" || *auditPostgres != "" {
			gcfg.Audit.SQLite, gcfg.Audit.Postgres = *auditFile, *auditPostgres
		}
		gcfg.CORS.AllowedOrigins = append(gcfg.CORS.AllowedOrigins, corsOrigins...)
		return nil
	}, nil)
	if err != nil {
		return err
	}
	defer st.gateway.Close()
	sb, sl, gl := st.sandbox, st.sandboxListener, st.gatewayListener
	printSandboxURLs(stdout, sl.URL(), sb)
	fmt.Fprintf(stdout, "playground:   %s/\n", gl.URL())
	printTokenHint(stdout, sl.URL())
	fmt.Fprintf(stdout, "ready: %s/graphql\n", gl.URL())
	return serveAll(ctx, sl, gl)
}

// demoStack is a sandbox and a gateway wired to it over loopback, bound to
// their addresses but not yet serving.
type demoStack struct {
	sandbox         *sandbox.Sandbox
	gateway         *gateway
	sandboxListener *listener
	gatewayListener *listener
}

// startDemoStack builds the sandbox, binds it, and builds a gateway with
// the demo configuration (adjusted by tune, which may refuse it) pointed at
// it.
//
// clock, when not nil, gives the gateway's clock from the sandbox's present;
// by default it starts there and runs at real speed (nowFrom). Tests that
// compare with the sandbox's ground truth freeze it at that present.
func startDemoStack(ctx context.Context, sbCfg sandbox.Config, sandboxAddr, gatewayAddr string, tune func(*config.Config) error, clock func(sandboxNow time.Time) func() time.Time) (*demoStack, error) {
	logger := sbCfg.Logger
	reg, err := registry.Load()
	if err != nil {
		return nil, err
	}
	// The sandbox keeps its world, and its ground truth, to the rule sets
	// the gateway is configured with.
	probe := demoConfig("http://127.0.0.1", reg)
	if tune != nil {
		if err := tune(probe); err != nil {
			return nil, err
		}
	}
	if sbCfg.Rules, err = pathwayRuleBook(probe.Pathways, reg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	sb, err := sandbox.New(sbCfg)
	if err != nil {
		return nil, err
	}
	sl, err := listen("sandbox", sandboxAddr, sb.Handler(), logger)
	if err != nil {
		return nil, err
	}
	gw, gl, err := startGatewayFor(ctx, sl.URL(), sb.Now(), gatewayAddr, tune, clock, logger)
	if err != nil {
		return nil, err
	}
	return &demoStack{sandbox: sb, gateway: gw, sandboxListener: sl, gatewayListener: gl}, nil
}

// startGatewayFor builds a gateway with the demo configuration (adjusted by
// tune, which may refuse it) pointed at the sandbox at sandboxURL, whose
// present is sandboxNow, and binds it to gatewayAddr without serving yet.
func startGatewayFor(ctx context.Context, sandboxURL string, sandboxNow time.Time, gatewayAddr string, tune func(*config.Config) error, clock func(sandboxNow time.Time) func() time.Time, logger *slog.Logger) (*gateway, *listener, error) {
	reg, err := registry.Load()
	if err != nil {
		return nil, nil, err
	}
	gcfg := demoConfig(sandboxURL, reg)
	if tune != nil {
		if err := tune(gcfg); err != nil {
			return nil, nil, err
		}
	}
	if clock == nil {
		clock = nowFrom
	}
	deps := gatewayDeps{Now: clock(sandboxNow), PlaygroundTokenIssuer: sandbox.URLs(sandboxURL).OIDCIssuer}
	if gcfg.Audit.SQLite == "" && gcfg.Audit.Postgres == "" {
		// The demo needs no configuration and leaves nothing behind: its
		// access log lives in a temporary directory the gateway removes.
		dir, err := os.MkdirTemp("", "klynge-demo-")
		if err != nil {
			return nil, nil, err
		}
		gcfg.Audit.SQLite, deps.TempDir = filepath.Join(dir, "audit.db"), dir
	}
	if err := gcfg.Complete(); err != nil {
		return nil, nil, err
	}
	gw, err := newGateway(ctx, gcfg, deps, logger)
	if err != nil {
		return nil, nil, err
	}
	gl, err := listen("gateway", gatewayAddr, gw.Handler(), logger)
	if err != nil {
		gw.Close()
		return nil, nil, err
	}
	gl.grace = gcfg.Server.ShutdownTimeout.D()
	return gw, gl, nil
}

// nowFrom is a clock that starts at the sandbox's present and runs at real
// speed, so that the gateway judges deadlines against the same "now" the
// sandbox generated its data for (they differ when -now is in the past).
func nowFrom(start time.Time) func() time.Time {
	origin := time.Now()
	return func() time.Time { return start.Add(time.Since(origin)) }
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

// Set adds one value.
func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
