package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/audit/postgres"
	"github.com/sundhedsklynge/klynge/audit/sqlite"
	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/server/auth"
)

// accessControl is the gateway's lawful-access machinery: who the caller
// is (auth), what they may see (rules, pseudonyms) and the access log every
// disclosure is written to before the response leaves.
type accessControl struct {
	auth       *auth.Authenticator
	log        *audit.Log
	rules      access.Rules
	pseudonyms *access.Pseudonymiser
	// appendObserver, when set, is told of every access-log append a
	// response waited for (klynge bench).
	appendObserver atomic.Pointer[func(time.Duration, int)]
}

// observeAppend passes an append's duration to the observer, if any.
func (ac *accessControl) observeAppend(d time.Duration, records int) {
	if f := ac.appendObserver.Load(); f != nil {
		(*f)(d, records)
	}
}

// onAppend sets the observer of appends.
func (ac *accessControl) onAppend(f func(time.Duration, int)) { ac.appendObserver.Store(&f) }

// newAccessControl builds it from the configuration and opens the access
// log (creating a SQLite file, or the tables in PostgreSQL, if needed). It
// does not contact the identity provider: that happens on the first token
// or readiness probe, so the demo can start its sandbox issuer afterwards.
func newAccessControl(ctx context.Context, cfg *config.Config, rules access.Rules, reg prometheus.Registerer, logger *slog.Logger) (*accessControl, error) {
	authn, err := auth.New(auth.Options{
		Issuer:             cfg.Auth.Issuer,
		Audience:           cfg.Auth.Audience,
		ClockSkew:          cfg.Auth.ClockSkew.D(),
		KeyRefreshInterval: cfg.Auth.KeyRefreshInterval.D(),
		KeyMaxAge:          cfg.Auth.KeyMaxAge.D(),
		MaxTokenLifetime:   cfg.Auth.MaxTokenLifetime.D(),
		Websockets:         true, // subscriptions: the token comes in connection_init
		Logger:             logger,
	})
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	ac := &accessControl{auth: authn, rules: rules}
	if s := cfg.Access.PseudonymSecret; s != "" {
		if ac.pseudonyms, err = access.NewPseudonymiser([]byte(s)); err != nil {
			return nil, fmt.Errorf("access.pseudonymSecret: %w", err)
		}
	}
	metrics, err := audit.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	opts := audit.Options{MaxBatch: cfg.Audit.MaxBatch, CommitTimeout: cfg.Audit.CommitTimeout.D(), Logger: logger, Metrics: metrics,
		CheckpointInterval: cfg.Audit.CheckpointInterval.D()}
	if opts.Keys, err = chainKeys(cfg.Audit); err != nil {
		return nil, err
	}
	if f := cfg.Audit.CheckpointFile; f != "" {
		if opts.Checkpoints, err = audit.OpenCheckpointFile(f); err != nil {
			return nil, fmt.Errorf("audit.checkpointFile: %w", err)
		}
	} else {
		logger.Warn("audit: no checkpoint file (audit.checkpointFile): records cut off the end of the log together with its head cannot be detected")
	}
	if ac.log, err = openAudit(ctx, cfg.Audit, opts); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return ac, nil
}

// openAudit opens the log the audit section names.
func openAudit(ctx context.Context, a config.Audit, opts audit.Options) (*audit.Log, error) {
	if a.Postgres != "" {
		return postgres.Open(ctx, a.Postgres, opts)
	}
	return sqlite.Open(ctx, a.SQLite, opts)
}

// accessRules turns the access section into the rules, defaults filled in;
// a value the rules refuse is an error naming its key and the rule.
func accessRules(a config.Access) (access.Rules, error) {
	r := access.Rules{
		HospitalWindow:        a.HospitalWindow.D(),
		OutOfHoursWindow:      a.OutOfHoursWindow.D(),
		GPContactWindow:       a.GPContactWindow.D(),
		ServiceEndedWindow:    a.ServiceEndedWindow.D(),
		BreakGlassDuration:    a.BreakGlassDuration.D(),
		BreakGlassMinReason:   a.BreakGlassMinReason,
		BreakGlassLimit:       a.BreakGlassLimit,
		BreakGlassLimitPeriod: a.BreakGlassLimitPeriod.D(),
	}.WithDefaults()
	var errs []error
	if err := r.Validate(); err != nil {
		list := []error{err}
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			list = joined.Unwrap()
		}
		for _, e := range list {
			var re *access.RuleError
			if errors.As(e, &re) {
				e = fmt.Errorf("%s: %s", accessRuleKeys[re.Field], re.Rule)
			}
			errs = append(errs, e)
		}
	}
	if s := a.PseudonymSecret; s != "" && len(s) < access.MinPseudonymSecret {
		errs = append(errs, fmt.Errorf("access.pseudonymSecret: must be at least %d bytes, got %d", access.MinPseudonymSecret, len(s)))
	}
	return r, errors.Join(errs...)
}

// accessRuleKeys maps access.Rules fields to their configuration keys.
var accessRuleKeys = map[string]string{
	"HospitalWindow":        "access.hospitalWindow",
	"OutOfHoursWindow":      "access.outOfHoursWindow",
	"GPContactWindow":       "access.gpContactWindow",
	"ServiceEndedWindow":    "access.serviceEndedWindow",
	"BreakGlassDuration":    "access.breakGlassDuration",
	"BreakGlassMinReason":   "access.breakGlassMinReason",
	"BreakGlassLimit":       "access.breakGlassLimit",
	"BreakGlassLimitPeriod": "access.breakGlassLimitPeriod",
}

// Close waits for queued access-log records and closes the log.
func (ac *accessControl) Close() error { return ac.log.Close() }
