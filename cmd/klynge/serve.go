package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// runServe runs the gateway against the upstreams a configuration file
// names. Environment variables KLYNGE_... override the file (see
// config). A bad value stops the process with a message naming the
// key and the rule.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	path := fs.String("config", "klynge.yaml", "configuration file (YAML); KLYNGE_... environment variables override it")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	cfg, err := loadConfig(*path, os.Environ())
	if err != nil {
		return err
	}
	logger := newLoggerAt(stderr, cfg.Log.Level)
	gw, err := newGateway(ctx, cfg, gatewayDeps{}, logger)
	if err != nil {
		return err
	}
	defer gw.Close()
	l, err := listen("gateway", cfg.Listen, gw.Handler(), logger)
	if err != nil {
		return err
	}
	l.grace = cfg.Server.ShutdownTimeout.D()
	ml, err := gw.listenMetrics(cfg.Metrics.Listen, logger)
	if err != nil {
		return err
	}
	logger.Info("serving", "addr", l.ln.Addr().String(), "municipal_instances", len(cfg.Upstreams.Municipal.Instances))
	ls := []*listener{l}
	if ml != nil {
		fmt.Fprintf(stdout, "metrics: %s/metrics\n", ml.URL())
		ls = append(ls, ml)
	}
	fmt.Fprintf(stdout, "ready: %s/graphql\n", l.URL())
	return serveAll(ctx, ls...)
}

func newLoggerAt(w io.Writer, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level)) // validated by config
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv}))
}
