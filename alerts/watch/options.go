package watch

import (
	"log/slog"
	"time"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
)

// Options configure the watchers. Zero durations take the defaults.
type Options struct {
	Store     alerts.Store
	Upstreams loaders.Upstreams
	// Loaders tune the per-cycle loaders (their clock is Now).
	Loaders  loaders.Options
	Registry *registry.Registry
	// Clusters are the ids of the clusters to watch.
	Clusters []string
	// Rules is the rule set a cluster's pathways are assessed with.
	Rules func(cluster string) pathway.Rules
	// Poll intervals per upstream (defaults 10s, 15s, 30s), and the sweep
	// of open pathways for sources without a change feed (default 10m).
	EHospital, Municipal, GPReferral, Sweep time.Duration
	// Lead is how long before a deadline DEADLINE_APPROACHING is raised
	// (default 3h).
	Lead time.Duration
	// Overlap is how far back each eHospitalet read reaches before the last
	// one, for clocks that disagree (default 1m; alerts are keyed, so a
	// change read twice is announced once).
	Overlap time.Duration
	// Campaign is how often a replica that does not lead a cluster tries to
	// (default 2s): the longest a cluster goes unwatched after its leader
	// dies, beyond the database noticing.
	Campaign time.Duration
	// MaxTimerWait caps one timer's sleep, so that a clock that does not
	// run at wall speed (a demo's, a test's) is read again soon (default 1s).
	MaxTimerWait time.Duration
	// Now is the gateway's clock.
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics *Metrics
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.EHospital, 10*time.Second)
	def(&o.Municipal, 15*time.Second)
	def(&o.GPReferral, 30*time.Second)
	def(&o.Sweep, 10*time.Minute)
	def(&o.Lead, 3*time.Hour)
	def(&o.Overlap, time.Minute)
	def(&o.Campaign, 2*time.Second)
	def(&o.MaxTimerWait, time.Second)
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Loaders.Now = o.Now
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Rules == nil {
		o.Rules = func(string) pathway.Rules { return pathway.DefaultRules() }
	}
	return o
}
