package main

import (
	"context"
	"errors"
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
	metricsAddr := fs.String("metrics-addr", "127.0.0.1:8082", "metrics listen address (GET /metrics), apart from the API")
	trustedDocs := fs.String("trusted-documents", "", "persisted-query manifest `file`; when given, only its operations run (docs/TRUSTED-DOCUMENTS.md)")
	auditFile := fs.String("audit", "", "keep the access log in this SQLite `file` (default: a temporary file, removed on exit)")
	auditPostgres := fs.String("audit-postgres", "", "keep the access log in PostgreSQL (`DSN`) instead")
	var corsOrigins stringList
	fs.Var(&corsOrigins, "cors-origin", "let a browser page from this `origin` call the gateway, e.g. a dev server at http://localhost:5173 (repeatable; cors.allowedOrigins)")
	auditKey := fs.String("audit-key-file", "", "seal the access log with the chain key in this `file`, made if missing (default: an ephemeral key)")
	auditCheckpoints := fs.String("audit-checkpoints", "", "write checkpoints of the access log's head to this `file` (default: beside a temporary log)")
	glassLimit := fs.Int("break-glass-limit", 0, "break-the-glass grants per person per 24h (default access.breakGlassLimit's, 10)")
	var sf sandboxFlags
	sf.register(fs, 20*time.Millisecond)
	sf.registerRun(fs, 600)
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
		if *auditKey != "" {
			gcfg.Audit.ChainKey, gcfg.Audit.ChainKeyFile = "", *auditKey
		}
		if *auditCheckpoints != "" {
			gcfg.Audit.CheckpointFile = *auditCheckpoints
		}
		if *glassLimit != 0 {
			gcfg.Access.BreakGlassLimit = *glassLimit
		}
		gcfg.CORS.AllowedOrigins = append(gcfg.CORS.AllowedOrigins, corsOrigins...)
		// The flag's address unless KLYNGE_METRICS_LISTEN chose one and the
		// flag was not given.
		if flagSet(fs, "metrics-addr") || gcfg.Metrics.Listen == demoMetricsListen {
			gcfg.Metrics.Listen = *metricsAddr
		}
		return nil
	}, nil)
	if err != nil {
		return err
	}
	defer st.gateway.Close()
	sb, sl, gl := st.sandbox, st.sandboxListener, st.gatewayListener
	printSandboxURLs(stdout, sl.URL(), sb)
	fmt.Fprintf(stdout, "playground:   %s/\n", gl.URL())
	if st.metricsListener != nil {
		fmt.Fprintf(stdout, "metrics:      %s/metrics\n", st.metricsListener.URL())
	}
	printTokenHint(stdout, sl.URL())
	printAuditKey(stdout, st.audit)
	fmt.Fprintf(stdout, "ready: %s/graphql\n", gl.URL())
	return st.serve(ctx)
}

// printAuditKey says how the demo's access log is sealed.
func printAuditKey(w io.Writer, a config.Audit) {
	switch {
	case a.ChainKeyFile != "":
		fmt.Fprintf(w, "access log:   sealed with the chain key in %s\n", a.ChainKeyFile)
	default:
		fmt.Fprintln(w, "access log:   sealed with an ephemeral chain key, made now and never stored: once the demo stops, `klynge audit verify`")
		fmt.Fprintln(w, "              cannot check what it wrote (-audit-key-file FILE keeps one; a deployment sets audit.chainKeyFile)")
	}
	if a.CheckpointFile != "" {
		fmt.Fprintf(w, "              checkpoints of its head: %s\n", a.CheckpointFile)
	}
}

// demoStack is a sandbox and a gateway wired to it over loopback, bound to
// their addresses but not yet serving.
type demoStack struct {
	sandbox         *sandbox.Sandbox
	gateway         *gateway
	sandboxListener *listener
	gatewayListener *listener
	metricsListener *listener // nil when metrics are off
	// audit is the gateway's access-log configuration as the demo made it
	// (its key and checkpoints).
	audit config.Audit
}

// serve serves every listener of the stack until ctx is done (serveAll).
func (st *demoStack) serve(ctx context.Context) error {
	ls := []*listener{st.sandboxListener, st.gatewayListener}
	if st.metricsListener != nil {
		ls = append(ls, st.metricsListener)
	}
	return serveAll(ctx, ls...)
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
	if clock == nil && sbCfg.Horizon > 0 {
		// The world runs on: the gateway's clock is the sandbox's, so
		// that deadlines pass as the world's time does.
		clock = func(time.Time) func() time.Time { return sb.Clock }
	}
	gtune := tune
	if sbCfg.Horizon == 0 {
		// A frozen world has nothing to alert about, and watchers reading
		// it would only add requests to what a test or `klynge bench`
		// counts.
		gtune = func(c *config.Config) error {
			c.Alerts.Disabled = true
			if tune != nil {
				return tune(c)
			}
			return nil
		}
	}
	bg, err := startGatewayFor(ctx, sl.URL(), sb.Now(), gatewayAddr, gtune, clock, logger)
	if err != nil {
		return nil, err
	}
	return &demoStack{sandbox: sb, gateway: bg.gateway, sandboxListener: sl, gatewayListener: bg.api, metricsListener: bg.metrics, audit: bg.audit}, nil
}

// boundGateway is a gateway bound to its listeners, not yet serving.
type boundGateway struct {
	gateway *gateway
	api     *listener
	metrics *listener // nil when metrics are off
	// audit is the gateway's access-log configuration as the demo made it
	// (its key and checkpoints).
	audit config.Audit
}

// listeners are the gateway's listeners, to serve.
func (b *boundGateway) listeners() []*listener {
	if b.metrics == nil {
		return []*listener{b.api}
	}
	return []*listener{b.api, b.metrics}
}

// startGatewayFor builds a gateway with the demo configuration (adjusted by
// tune, which may refuse it) pointed at the sandbox at sandboxURL, whose
// present is sandboxNow, and binds it to gatewayAddr (and its metrics to
// metrics.listen) without serving yet.
func startGatewayFor(ctx context.Context, sandboxURL string, sandboxNow time.Time, gatewayAddr string, tune func(*config.Config) error, clock func(sandboxNow time.Time) func() time.Time, logger *slog.Logger) (*boundGateway, error) {
	reg, err := registry.Load()
	if err != nil {
		return nil, err
	}
	gcfg := demoConfig(sandboxURL, reg)
	if tune != nil {
		if err := tune(gcfg); err != nil {
			return nil, err
		}
	}
	if clock == nil {
		clock = nowFrom
	}
	deps := gatewayDeps{Now: clock(sandboxNow), PlaygroundTokenIssuer: sandbox.URLs(sandboxURL).OIDCIssuer}
	noAudit := gcfg.Audit.SQLite == "" && gcfg.Audit.Postgres == ""
	noAlerts := gcfg.Alerts.SQLite == "" && gcfg.Alerts.Postgres == "" && gcfg.Audit.Postgres == ""
	if noAudit || noAlerts {
		// The demo needs no configuration and leaves nothing behind: its
		// access log and alerts live in a temporary directory the gateway
		// removes.
		dir, err := os.MkdirTemp("", "klynge-demo-")
		if err != nil {
			return nil, err
		}
		deps.TempDir = dir
		if noAudit {
			gcfg.Audit.SQLite = filepath.Join(dir, "audit.db")
			if gcfg.Audit.CheckpointFile == "" {
				gcfg.Audit.CheckpointFile = filepath.Join(dir, "audit-checkpoints.jsonl")
			}
		}
		if noAlerts {
			gcfg.Alerts.SQLite = filepath.Join(dir, "alerts.db")
		}
	}
	if err := demoChainKey(&gcfg.Audit); err != nil {
		return nil, err
	}
	if err := gcfg.Complete(); err != nil {
		return nil, err
	}
	gw, err := newGateway(ctx, gcfg, deps, logger)
	if err != nil {
		return nil, err
	}
	gl, err := listen("gateway", gatewayAddr, gw.Handler(), logger)
	if err != nil {
		gw.Close()
		return nil, err
	}
	gl.grace = gcfg.Server.ShutdownTimeout.D()
	ml, err := gw.listenMetrics(gcfg.Metrics.Listen, logger)
	if err != nil {
		gl.ln.Close()
		gw.Close()
		return nil, err
	}
	return &boundGateway{gateway: gw, api: gl, metrics: ml, audit: gcfg.Audit}, nil
}

// demoChainKey gives the demo's access log a chain key without any
// configuration: an ephemeral one (the demo says so), or the one in the
// key file asked for, made there first if the file does not exist.
func demoChainKey(a *config.Audit) error {
	if a.ChainKey != "" {
		return nil
	}
	if a.ChainKeyFile == "" {
		a.ChainKey = newChainKey()
		return nil
	}
	f, err := os.OpenFile(a.ChainKeyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: -audit-key-file: %w", err)
	}
	_, err = fmt.Fprintln(f, newChainKey())
	return errors.Join(err, f.Close())
}

// flagSet reports whether the command line gave the flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
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
