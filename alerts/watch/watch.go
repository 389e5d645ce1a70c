package watch

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Run watches every configured cluster this replica leads, campaigning for
// the others, until ctx ends. It returns at once with an error when a
// cluster is unknown.
func Run(ctx context.Context, opts Options) error {
	opts = opts.withDefaults()
	var clusters []*clusterWatch
	for _, id := range opts.Clusters {
		c, ok := opts.Registry.Cluster(id)
		if !ok {
			return fmt.Errorf("watch: %q is not a cluster", id)
		}
		var codes []domain.MunicipalityCode
		for _, code := range c.MunicipalityCodes() {
			if _, err := opts.Upstreams.Municipal.Instance(code); err == nil {
				codes = append(codes, code)
			}
		}
		clusters = append(clusters, &clusterWatch{opts: opts, id: c.ID, codes: codes})
	}
	var wg sync.WaitGroup
	for _, c := range clusters {
		wg.Go(func() { c.campaign(ctx) })
	}
	wg.Wait()
	return nil
}

// campaign tries to lead the cluster until it does, watches it while it
// leads, and starts over when leadership is lost.
func (c *clusterWatch) campaign(ctx context.Context) {
	log := c.opts.Logger.With("cluster", c.id)
	for ctx.Err() == nil {
		lease, ok, err := c.opts.Store.Lead(ctx, c.id)
		switch {
		case err != nil:
			log.Warn("alerts: cannot campaign for the cluster's watcher", "err", err)
		case ok:
			// Leading from the lease on: the first assessment that
			// follows (klynge_alerts_watching) is part of the watch.
			c.opts.Metrics.leading(c.id, true)
			wctx, cancel := context.WithCancel(ctx)
			go func() {
				select {
				case <-lease.Lost():
				case <-wctx.Done():
				}
				cancel()
			}()
			err := c.watch(wctx)
			cancel()
			lease.Release()
			c.opts.Metrics.leading(c.id, false)
			if ctx.Err() == nil {
				log.Warn("alerts: stopped watching the cluster", "err", err)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(c.opts.Campaign):
		}
	}
}
