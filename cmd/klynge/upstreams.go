package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/connectors/ehospital"
	"github.com/sundhedsklynge/klynge/connectors/gpreferral"
	"github.com/sundhedsklynge/klynge/connectors/municipal"
	"github.com/sundhedsklynge/klynge/connectors/outofhours"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/registry"
)

// connectUpstreams builds one HTTP client per upstream instance (each with
// its own transport, retry budget and breaker) and the connectors on top.
// It opens no connection: clients dial on first use. wrap, when it returns
// non-nil for a system, decorates that client's calls (tracing).
func connectUpstreams(cfg config.Upstreams, reg *registry.Registry, metrics *upstream.Metrics, logger *slog.Logger, wrap func(system string) func(http.RoundTripper) http.RoundTripper) (loaders.Upstreams, []*upstream.Client, error) {
	var all []*upstream.Client
	client := func(system string, u config.Upstream) (*upstream.Client, error) {
		o := upstreamOptions(system, u, metrics, logger)
		if system == "ehospital" {
			o.PublicBaseURL = cfg.EHospital.PublicBaseURL
		}
		if wrap != nil {
			o.Wrap = wrap(system)
		}
		c, err := upstream.New(o)
		if err != nil {
			return nil, err
		}
		all = append(all, c)
		return c, nil
	}
	var out loaders.Upstreams
	eh, err := client("ehospital", cfg.EHospital.Upstream)
	if err != nil {
		return out, nil, err
	}
	if out.EHospital, err = newEHospital(eh, cfg.EHospital, logger); err != nil {
		return out, nil, err
	}
	ooh, err := client("outofhours", cfg.OutOfHours)
	if err != nil {
		return out, nil, err
	}
	out.OutOfHours = outofhours.New(ooh)
	gp, err := client("gpreferral", cfg.GPReferral)
	if err != nil {
		return out, nil, err
	}
	out.GPReferral = gpreferral.New(gp)

	instances := map[domain.MunicipalityCode]*upstream.Client{}
	codes := make([]int, 0, len(cfg.Municipal.Instances))
	for code := range cfg.Municipal.Instances {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		if _, ok := reg.Municipality(domain.MunicipalityCode(code)); !ok {
			return out, nil, fmt.Errorf("config: upstreams.municipal.instances.%d: no municipality has code %d", code, code)
		}
		c, err := client(fmt.Sprintf("municipal/%d", code), cfg.Municipal.Instances[code])
		if err != nil {
			return out, nil, err
		}
		instances[domain.MunicipalityCode(code)] = c
	}
	out.Municipal = municipal.NewDirectory(instances)
	return out, all, nil
}

// newEHospital is the FHIR connector over eh as configured.
func newEHospital(eh *upstream.Client, cfg config.EHospital, logger *slog.Logger) (*ehospital.Client, error) {
	return ehospital.New(eh, ehospital.Options{CPRSystem: cfg.CPRIdentifierSystem, PageSize: cfg.PageSize, Logger: logger})
}

func upstreamOptions(system string, u config.Upstream, metrics *upstream.Metrics, logger *slog.Logger) upstream.Options {
	o := upstream.Options{
		System:           system,
		BaseURL:          u.BaseURL,
		Timeout:          u.Timeout.D(),
		CallTimeout:      u.CallTimeout.D(),
		MaxResponseBytes: u.MaxResponseBytes,
		MaxIdleConns:     u.MaxIdleConns,
		Logger:           logger,
		Metrics:          metrics,
		UserAgent:        "klynge/" + buildVersion(),
		Retry: upstream.RetryOptions{
			WaitMin:            u.Retry.WaitMin.D(),
			WaitMax:            u.Retry.WaitMax.D(),
			RetryAfterMax:      u.Retry.RetryAfterMax.D(),
			BudgetRatio:        u.Retry.BudgetRatio,
			BudgetMinPerSecond: u.Retry.BudgetMinPerSecond,
		},
		Breaker: upstream.BreakerOptions{
			Disabled:         u.Breaker.Disabled,
			MinRequests:      u.Breaker.MinRequests,
			FailureRatio:     u.Breaker.FailureRatio,
			OpenFor:          u.Breaker.OpenFor.D(),
			HalfOpenRequests: u.Breaker.HalfOpenRequests,
			Window:           u.Breaker.Window.D(),
		},
		Auth: upstream.Auth{
			BearerToken:     u.Auth.BearerToken,
			BearerTokenFile: u.Auth.BearerTokenFile,
			CertFile:        u.Auth.CertFile,
			KeyFile:         u.Auth.KeyFile,
			CAFile:          u.Auth.CAFile,
		},
	}
	if u.Retry.Max != nil {
		o.Retry.Max = *u.Retry.Max
		if *u.Retry.Max == 0 {
			o.Retry.Max = -1 // upstream: negative disables, zero means default
		}
	}
	return o
}
