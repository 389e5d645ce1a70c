package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundhedsklynge/klynge/alerts"
	alertspg "github.com/sundhedsklynge/klynge/alerts/postgres"
	alertsqlite "github.com/sundhedsklynge/klynge/alerts/sqlite"
	"github.com/sundhedsklynge/klynge/alerts/watch"
	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
)

// alertsRuntime is the handover alerts' machinery on this replica: the
// event log, the hub that fans it out to subscribers, and the watchers of
// the clusters this replica leads.
type alertsRuntime struct {
	store  alerts.Store
	hub    *alerts.Hub
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// alertsDeps are what startAlerts wires the watchers to.
type alertsDeps struct {
	registry  *registry.Registry
	upstreams loaders.Upstreams
	loaders   loaders.Options
	rules     func(cluster string) pathway.Rules
	now       func() time.Time
	metrics   prometheus.Registerer
	logger    *slog.Logger
}

// startAlerts opens the event log the configuration names and starts the
// hub, the watchers (campaigning for each cluster) and the log's pruning.
// It returns nil when alerts are disabled.
func startAlerts(ctx context.Context, cfg config.Alerts, d alertsDeps) (*alertsRuntime, error) {
	if cfg.Disabled {
		return nil, nil
	}
	var (
		store alerts.Store
		err   error
	)
	if cfg.Postgres != "" {
		store, err = alertspg.Open(ctx, cfg.Postgres, alertspg.Options{Logger: d.logger})
	} else {
		store, err = alertsqlite.Open(ctx, cfg.SQLite)
	}
	if err != nil {
		return nil, err
	}
	hub, err := alerts.NewHub(ctx, store, alerts.HubOptions{
		Buffer: cfg.BufferPerSubscription, MaxPerPrincipal: cfg.MaxSubscriptionsPerPrincipal, Logger: d.logger,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	wm, err := watch.NewMetrics(d.metrics)
	if err != nil {
		store.Close()
		return nil, err
	}
	clusters := cfg.Clusters
	if len(clusters) == 0 {
		clusters = watchedClusters(d.registry, d.upstreams)
	}
	for _, id := range clusters {
		if _, ok := d.registry.Cluster(id); !ok {
			store.Close()
			return nil, fmt.Errorf("config: alerts.clusters: %q is not a cluster", id)
		}
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rt := &alertsRuntime{store: store, hub: hub, cancel: cancel}
	rt.wg.Go(func() { hub.Run(bg) })
	rt.wg.Go(func() {
		err := watch.Run(bg, watch.Options{
			Store: store, Upstreams: d.upstreams, Loaders: d.loaders, Registry: d.registry,
			Clusters: clusters, Rules: d.rules,
			EHospital: cfg.Poll.EHospital.D(), Municipal: cfg.Poll.Municipal.D(), GPReferral: cfg.Poll.GPReferral.D(), Sweep: cfg.Poll.Sweep.D(),
			Lead: cfg.DeadlineWarning.D(), Now: d.now, Logger: d.logger, Metrics: wm,
		})
		if err != nil {
			d.logger.Error("alerts: watchers stopped", "err", err)
		}
	})
	rt.wg.Go(func() { prune(bg, store, cfg.Retention.D(), d.now, d.logger) })
	return rt, nil
}

// watchedClusters are the clusters with at least one member municipality
// whose care system is configured.
func watchedClusters(reg *registry.Registry, up loaders.Upstreams) []string {
	var out []string
	for _, c := range reg.Clusters() {
		for _, code := range c.MunicipalityCodes() {
			if _, err := up.Municipal.Instance(code); err == nil {
				out = append(out, c.ID)
				break
			}
		}
	}
	return out
}

// prune deletes alerts older than the retention, hourly.
func prune(ctx context.Context, store alerts.Store, retention time.Duration, now func() time.Time, logger *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := store.Prune(ctx, now().Add(-retention)); err != nil && ctx.Err() == nil {
			logger.Warn("alerts: prune the event log", "err", err)
		} else if n > 0 {
			logger.Info("alerts: pruned the event log", "events", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops the watchers and the hub and closes the log.
func (rt *alertsRuntime) Close() error {
	if rt == nil {
		return nil
	}
	rt.cancel()
	rt.wg.Wait()
	return errors.Join(rt.store.Close())
}

// Hub is nil when alerts are disabled.
func (rt *alertsRuntime) Hub() *alerts.Hub {
	if rt == nil {
		return nil
	}
	return rt.hub
}
