package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/registry"
	"github.com/sundhedsklynge/klynge/graph"
	"github.com/sundhedsklynge/klynge/resolvers"
	"github.com/sundhedsklynge/klynge/server"
)

// gatewayConfig is what the gateway needs to run, whether it came from a
// configuration file (serve) or was made for the demo.
type gatewayConfig struct {
	Introspection bool
	Playground    bool
}

func demoGatewayConfig(sandboxURL string, now time.Time) gatewayConfig {
	return gatewayConfig{Introspection: true, Playground: true}
}

// gateway is the assembled product: resolvers and their dependencies behind
// the HTTP surface.
type gateway struct {
	handler http.Handler
}

func newGateway(ctx context.Context, cfg gatewayConfig, logger *slog.Logger) (*gateway, error) {
	reg, err := registry.Load()
	if err != nil {
		return nil, err
	}
	root := &resolvers.Resolver{Registry: reg, Version: buildVersion()}
	h := server.New(server.Options{
		Schema:        graph.NewExecutableSchema(graph.Config{Resolvers: root}),
		Logger:        logger,
		Introspection: cfg.Introspection,
		Playground:    cfg.Playground,
	})
	return &gateway{handler: h}, nil
}

func (g *gateway) Handler() http.Handler { return g.handler }

// Close releases what the gateway holds open.
func (g *gateway) Close() error { return nil }
