package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/gate"
	"github.com/sundhedsklynge/klynge/graph"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/logthrottle"
	"github.com/sundhedsklynge/klynge/observe"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
	"github.com/sundhedsklynge/klynge/resolvers"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/server"
	"github.com/sundhedsklynge/klynge/server/overload"
	"github.com/sundhedsklynge/klynge/workers"
)

// gatewayDeps are what the configuration does not say: the clock (tests pin
// it to the sandbox's present) and the metrics registry.
type gatewayDeps struct {
	Now     func() time.Time
	Metrics *prometheus.Registry
	// TempDir is removed when the gateway closes (the demo's access log).
	TempDir string
	// SpanExporter, when set, receives the traces instead of the
	// configured collector (tests).
	SpanExporter sdktrace.SpanExporter
	// PlaygroundTokenIssuer is the demo sandbox's development issuer, which
	// the playground may ask for demo tokens; empty in serve.
	PlaygroundTokenIssuer string
}

// demoMetricsListen is the demo's metrics address unless the demo's
// -metrics-addr (or KLYNGE_METRICS_LISTEN) says otherwise: a free loopback
// port, so that stacks in tests never collide.
const demoMetricsListen = "127.0.0.1:0"

// demoConfig is the configuration `klynge demo` runs with: every upstream
// in the sandbox, synthetic CPRs under klynge's own identifier system, the
// playground and introspection on.
func demoConfig(sandboxURL string, reg *registry.Registry) *config.Config {
	u := sandbox.URLs(sandboxURL)
	cfg := &config.Config{Introspection: true, Playground: true}
	// Rate limited as serve is, with room for the e2e tests and the
	// GraphQL-over-HTTP audit, which all come from one address.
	cfg.RateLimit = config.RateLimit{RequestsPerSecond: 200, Burst: 1000}
	// Metrics on a free loopback port unless the demo's -metrics-addr says
	// otherwise; the example operations' names are their label values.
	cfg.Metrics = config.Metrics{Listen: demoMetricsListen, OperationNames: exampleOperationNames()}
	cfg.Auth.Issuer = u.OIDCIssuer
	cfg.Access.PseudonymSecret = demoPseudonymSecret
	cfg.Upstreams.EHospital.BaseURL = u.EHospitalFHIR
	cfg.Upstreams.EHospital.CPRIdentifierSystem = fhir.SystemSyntheticCPR
	cfg.Upstreams.OutOfHours.BaseURL = u.OutOfHours
	cfg.Upstreams.GPReferral.BaseURL = u.GPReferral
	cfg.Upstreams.Municipal.BaseURLTemplate = u.MunicipalRoot + "/{code}/api"
	for _, m := range reg.MunicipalitiesInRegion(1085) {
		cfg.Upstreams.Municipal.Codes = append(cfg.Upstreams.Municipal.Codes, int(m.Code))
	}
	return cfg
}

// demoPseudonymSecret keys integrators' pseudonyms in the demo: fixed and
// public, so that they stay the same across restarts (and tests can compute
// them); a deployment sets its own (access.pseudonymSecret).
const demoPseudonymSecret = "klynge-demo-only-pseudonym-secret-not-for-production"

// gateway is the assembled product: resolvers and their dependencies behind
// the HTTP surface.
type gateway struct {
	handler     http.Handler
	metrics     http.Handler // the metrics listener's; nil when metrics are off
	upstreams   []*upstream.Client
	stopWatch   func()
	closeGuards func() error
	access      *accessControl
	alerts      *alertsRuntime
	tempDir     string
	telemetry   *telemetry
	// stopReadiness ends the background readiness checks.
	stopReadiness func()
	// fetchWorkers are the loaders' goroutines, sent away on Close.
	fetchWorkers *workers.Pool
}

func newGateway(ctx context.Context, cfg *config.Config, deps gatewayDeps, logger *slog.Logger) (_ *gateway, err error) {
	reg, err := registry.Load()
	if err != nil {
		return nil, err
	}
	rules, ar, err := checkedRules(cfg, reg)
	if err != nil {
		return nil, err
	}
	deps = deps.withDefaults()
	// Every line logged with a request's context names the request (and
	// its trace).
	logger = slog.New(observe.LogHandler(logger.Handler()))
	logRuleSets(logger, rules)
	// What is opened is closed again, newest first, when a later step fails.
	var opened []func() error
	defer func() {
		if err != nil {
			for i := len(opened) - 1; i >= 0; i-- {
				_ = opened[i]()
			}
		}
	}()
	guards, closeGuards, err := guardsFromConfig(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	opened = append(opened, closeGuards)
	tel, err := newTelemetry(ctx, cfg, deps.Metrics, deps.SpanExporter, logger)
	if err != nil {
		return nil, err
	}
	// Only known operation names become label values; the rest are "other".
	tel.metrics.KnowOperationNames(append(guards.Trusted.OperationNames(), cfg.Metrics.OperationNames...))
	opened = append(opened, func() error { return tel.Close(context.WithoutCancel(ctx)) })
	ups, clients, stopWatch, err := startUpstreams(ctx, cfg, reg, deps.Metrics, logger, tel)
	if err != nil {
		return nil, err
	}
	opened = append(opened, func() error { stopWatch(); return nil })
	ac, err := newAccessControl(ctx, cfg, ar, deps.Metrics, logger)
	if err != nil {
		return nil, err
	}
	guards.Auth = ac.auth
	rd := newGatewayReadiness(ac, clients, func() any { return readyDetail(ups.EHospital) })
	rctx, stopReadiness := context.WithCancel(context.WithoutCancel(ctx))
	go rd.run(rctx)
	opened = append(opened, func() error { stopReadiness(); return nil })
	// One pool of fetch goroutines for every operation and watcher: their
	// stacks stay grown between fetches (package workers says why).
	fetchWorkers := workers.New(0, 0)
	opened = append(opened, func() error { fetchWorkers.Close(); return nil })
	loaderOpts := loaders.Options{
		Wait:    cfg.Loaders.Wait.D(),
		History: cfg.Loaders.History.D(),
		Now:     deps.Now,
		Logger:  logger,
		Observe: tel.batches(),
		Workers: fetchWorkers,
	}
	al, err := startAlerts(ctx, cfg.Alerts, alertsDeps{registry: reg, upstreams: ups, loaders: loaderOpts,
		rules: rules.ForCluster, now: deps.Now, metrics: deps.Metrics, logger: logger})
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	opened = append(opened, al.Close)
	gw := &gateway{upstreams: clients, stopWatch: stopWatch, closeGuards: closeGuards, access: ac, alerts: al, tempDir: deps.TempDir, telemetry: tel,
		stopReadiness: stopReadiness, fetchWorkers: fetchWorkers}
	gw.handler = graphQLHandler(cfg, deps, logger, handlerParts{registry: reg, rules: rules, upstreams: ups, loaders: loaderOpts,
		readiness: rd, guards: guards, telemetry: tel, access: ac, alerts: al})
	if cfg.Metrics.Listen != config.MetricsOff {
		gw.metrics = server.Metrics(tel.metricsHandler())
	}
	return gw, nil
}

// withDefaults fills in what a caller may leave out: a metrics registry
// with the Go and process collectors, and the wall clock.
func (deps gatewayDeps) withDefaults() gatewayDeps {
	if deps.Metrics == nil {
		deps.Metrics = prometheus.NewRegistry()
		deps.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return deps
}

// startUpstreams connects the upstreams, instrumented and traced, and
// starts watching what the FHIR server supports: read now (the first
// searches wait for it) and every capabilityRefresh, until stopWatch.
func startUpstreams(ctx context.Context, cfg *config.Config, reg *registry.Registry, m *prometheus.Registry, logger *slog.Logger, tel *telemetry) (_ loaders.Upstreams, _ []*upstream.Client, stopWatch func(), _ error) {
	metrics, err := upstream.NewMetrics(m)
	if err != nil {
		return loaders.Upstreams{}, nil, nil, err
	}
	ups, clients, err := connectUpstreams(cfg.Upstreams, reg, metrics, logger, tel.wrapUpstream)
	if err != nil {
		return loaders.Upstreams{}, nil, nil, err
	}
	stopWatch = ups.EHospital.Watch(ctx, cfg.Upstreams.EHospital.CapabilityRefresh.D(), upstreamCallTimeout(cfg.Upstreams.EHospital.Upstream))
	if err := m.Register(newCapabilityCollector(ups.EHospital)); err != nil {
		stopWatch()
		return loaders.Upstreams{}, nil, nil, fmt.Errorf("metrics: %w", err)
	}
	return ups, clients, stopWatch, nil
}

// handlerParts are the components the GraphQL surface is built over.
type handlerParts struct {
	registry  *registry.Registry
	rules     pathway.RuleBook
	upstreams loaders.Upstreams
	loaders   loaders.Options
	readiness *readiness
	guards    server.Guards
	telemetry *telemetry
	access    *accessControl
	alerts    *alertsRuntime
}

// graphQLHandler is the HTTP surface: the resolvers over the components,
// with per-operation loaders, guards, telemetry and access enforcement.
func graphQLHandler(cfg *config.Config, deps gatewayDeps, logger *slog.Logger, p handlerParts) http.Handler {
	root := &resolvers.Resolver{
		Registry:         p.registry,
		Version:          buildVersion(),
		ClassifyUpstream: upstream.Classify,
		Pathways:         p.rules,
		Alerts:           p.alerts.Hub(),
		Clock:            deps.Now,
	}
	ac := p.access
	return server.New(server.Options{
		Schema:           graph.NewExecutableSchema(graph.Config{Resolvers: root}),
		Logger:           logger,
		Introspection:    cfg.Introspection,
		Playground:       cfg.Playground,
		ClassifyUpstream: upstream.Classify,
		AroundOperations: []graphql.OperationMiddleware{loaders.Middleware(p.upstreams, p.loaders)},
		AroundResponses:  []graphql.ResponseMiddleware{loaders.EventMiddleware(p.upstreams, p.loaders)},
		Readiness:        p.readiness,
		Observers:        p.telemetry.observers(),
		Overload:         p.telemetry.overload(),
		Guards:           p.guards,
		Extensions: []graphql.HandlerExtension{gate.Extension{Rules: ac.rules, Log: ac.log, Pseudonyms: ac.pseudonyms, Logger: logger,
			ObserveAppend: ac.observeAppend, ResponseDeadline: overload.ResponseDeadline, Throttle: logthrottle.New(0, nil)}},
		PlaygroundHeaders:     playgroundHeaders(cfg, deps),
		PlaygroundTokenIssuer: deps.PlaygroundTokenIssuer,
	})
}

// upstreamCallTimeout is how long a call to u may take in all.
func upstreamCallTimeout(u config.Upstream) time.Duration {
	if d := u.CallTimeout.D(); d > 0 {
		return d
	}
	return upstream.DefaultCallTimeout
}

// checkedRules are the pathway rule sets (the default and each cluster's,
// whose ids must be the registry's) and access rules cfg describes, checked
// before anything is opened; a bad value is an error naming its key.
func checkedRules(cfg *config.Config, reg *registry.Registry) (pathway.RuleBook, access.Rules, error) {
	pr, err := pathwayRuleBook(cfg.Pathways, reg)
	if err != nil {
		return pr, access.Rules{}, fmt.Errorf("config: %w", err)
	}
	ar, err := accessRules(cfg.Access)
	if err != nil {
		return pr, ar, fmt.Errorf("config: %w", err)
	}
	return pr, ar, nil
}

// playgroundHeaders prefill the playground's headers editor: in the demo
// nothing (its Demo tokens panel fills them), in serve a placeholder that
// says whose tokens the gateway accepts.
func playgroundHeaders(cfg *config.Config, deps gatewayDeps) map[string]string {
	if deps.PlaygroundTokenIssuer != "" {
		return nil
	}
	return map[string]string{"Authorization": "Bearer <a token from " + cfg.Auth.Issuer + ">"}
}

func (g *gateway) Handler() http.Handler { return g.handler }

// listenMetrics binds the metrics listener at addr; nil when metrics are
// off.
func (g *gateway) listenMetrics(addr string, logger *slog.Logger) (*listener, error) {
	if g.metrics == nil {
		return nil, nil
	}
	return listen("metrics", addr, g.metrics, logger)
}

// Close releases idle upstream connections and closes the access log once
// its queued records are written.
func (g *gateway) Close() error {
	g.stopWatch()
	g.stopReadiness()
	for _, c := range g.upstreams {
		c.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := errors.Join(g.alerts.Close(), g.closeGuards(), g.access.Close(), g.telemetry.Close(ctx))
	g.fetchWorkers.Close() // after the alerts' watchers, which fetch too
	if g.tempDir != "" {
		err = errors.Join(err, os.RemoveAll(g.tempDir))
	}
	return err
}
