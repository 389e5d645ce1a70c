package config

import (
	"fmt"
	"time"
)

// Alerts configures the handover alerts (packages alerts and alerts/watch,
// docs/ALERTS.md): where the event log is kept, which clusters are
// watched, how often each upstream is read, and the bounds on subscribers.
type Alerts struct {
	// Disabled turns the watchers and Subscription.handoverAlerts off.
	Disabled bool `yaml:"disabled"`
	// SQLite is the event log's file for one process (default
	// klynge-alerts.db when no PostgreSQL is set).
	SQLite string `yaml:"sqlite"`
	// Postgres is the event log's database when several replicas share it
	// (a pgx connection string; default audit.postgres when that is set).
	// Leadership (one watcher per cluster) and fan-out go through it too.
	Postgres string `yaml:"postgres"`
	// Clusters are the ids of the clusters to watch (default: every
	// cluster with a member municipality whose care system is configured).
	Clusters []string `yaml:"clusters"`
	// Poll are the intervals each upstream is read at for changes.
	Poll AlertPolls `yaml:"poll"`
	// DeadlineWarning is how long before a deadline DEADLINE_APPROACHING
	// is sent (default 3h).
	DeadlineWarning Duration `yaml:"deadlineWarning"`
	// Retention is how long alerts stay in the log, and so how far back a
	// client can resume (default 720h).
	Retention Duration `yaml:"retention"`
	// BufferPerSubscription is how many alerts may wait for one client
	// (default 64); beyond it the client reads on from the replica's ring
	// of recent alerts, and is disconnected when it falls behind that too.
	BufferPerSubscription int `yaml:"bufferPerSubscription"`
	// MaxSubscriptionsPerPrincipal bounds one principal's open
	// subscriptions on one replica (default 10).
	MaxSubscriptionsPerPrincipal int `yaml:"maxSubscriptionsPerPrincipal"`
}

// AlertPolls are the read intervals per upstream.
type AlertPolls struct {
	EHospital  Duration `yaml:"ehospital"`  // default 10s
	Municipal  Duration `yaml:"municipal"`  // default 15s, per member municipality
	GPReferral Duration `yaml:"gpreferral"` // default 30s
	// Sweep reassesses the open pathways, for sources without a change
	// feed (Lægevagten) (default 10m).
	Sweep Duration `yaml:"sweep"`
}

// DefaultAlertsFile is the default of alerts.sqlite.
const DefaultAlertsFile = "klynge-alerts.db"

func (c *Config) fillAlertsDefaults() {
	a := &c.Alerts
	if a.Postgres == "" && a.SQLite == "" {
		if c.Audit.Postgres != "" {
			a.Postgres = c.Audit.Postgres
		} else {
			a.SQLite = DefaultAlertsFile
		}
	}
	def := func(d *Duration, v time.Duration) {
		if *d == 0 {
			*d = Duration(v)
		}
	}
	def(&a.Poll.EHospital, 10*time.Second)
	def(&a.Poll.Municipal, 15*time.Second)
	def(&a.Poll.GPReferral, 30*time.Second)
	def(&a.Poll.Sweep, 10*time.Minute)
	def(&a.DeadlineWarning, 3*time.Hour)
	def(&a.Retention, 720*time.Hour)
	if a.BufferPerSubscription == 0 {
		a.BufferPerSubscription = 64
	}
	if a.MaxSubscriptionsPerPrincipal == 0 {
		a.MaxSubscriptionsPerPrincipal = 10
	}
}

func (c *Config) validateAlerts() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	a := c.Alerts
	if a.SQLite != "" && a.Postgres != "" {
		bad("alerts", "set sqlite or postgres, not both")
	}
	for key, d := range map[string]Duration{"alerts.poll.ehospital": a.Poll.EHospital, "alerts.poll.municipal": a.Poll.Municipal, "alerts.poll.gpreferral": a.Poll.GPReferral} {
		if d.D() < time.Second || d.D() > time.Hour {
			bad(key, "must be between 1s and 1h, got %s", d.D())
		}
	}
	if a.Poll.Sweep.D() < time.Minute || a.Poll.Sweep.D() > 24*time.Hour {
		bad("alerts.poll.sweep", "must be between 1m and 24h, got %s", a.Poll.Sweep.D())
	}
	if a.DeadlineWarning.D() < time.Minute || a.DeadlineWarning.D() > 48*time.Hour {
		bad("alerts.deadlineWarning", "must be between 1m and 48h, got %s", a.DeadlineWarning.D())
	}
	if a.Retention.D() < time.Hour {
		bad("alerts.retention", "must be at least 1h, got %s", a.Retention.D())
	}
	if a.BufferPerSubscription < 1 || a.BufferPerSubscription > 10000 {
		bad("alerts.bufferPerSubscription", "must be between 1 and 10000, got %d", a.BufferPerSubscription)
	}
	if a.MaxSubscriptionsPerPrincipal < 1 || a.MaxSubscriptionsPerPrincipal > 1000 {
		bad("alerts.maxSubscriptionsPerPrincipal", "must be between 1 and 1000, got %d", a.MaxSubscriptionsPerPrincipal)
	}
	return errs
}
