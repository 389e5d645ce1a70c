package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundhedsklynge/klynge/connectors/ehospital"
)

// readyDetail is the FHIR server's part of /readyz: what it was read to
// support, and the features klynge does without.
func readyDetail(c *ehospital.Client) map[string]any {
	caps := c.Capabilities()
	detail := map[string]any{}
	if !caps.ReadAt.IsZero() {
		detail["capabilitiesReadAt"] = caps.ReadAt.UTC().Format(time.RFC3339)
		detail["software"] = caps.Software
	}
	if caps.Err != nil {
		detail["capabilitiesError"] = caps.Err.Error()
	}
	fallbacks := []string{}
	for _, s := range caps.Report() {
		if !s.Used {
			fallbacks = append(fallbacks, string(s.Feature))
		}
	}
	detail["withoutFeatures"] = fallbacks
	return map[string]any{c.System(): detail}
}

// capabilityCollector exposes what the FHIR server supports as metrics,
// read at scrape time.
type capabilityCollector struct {
	client       *ehospital.Client
	used, readAt *prometheus.Desc
}

func newCapabilityCollector(c *ehospital.Client) *capabilityCollector {
	return &capabilityCollector{
		client: c,
		used: prometheus.NewDesc("klynge_upstream_fhir_feature_used",
			"1 when klynge uses a FHIR search feature of the server (declared or assumed, not refused), 0 when it falls back",
			[]string{"system", "feature"}, nil),
		readAt: prometheus.NewDesc("klynge_upstream_fhir_capabilities_read_timestamp_seconds",
			"When the server's CapabilityStatement was last read (0: never)", []string{"system"}, nil),
	}
}

func (c *capabilityCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.used
	ch <- c.readAt
}

func (c *capabilityCollector) Collect(ch chan<- prometheus.Metric) {
	caps := c.client.Capabilities()
	system := c.client.System()
	for _, s := range caps.Report() {
		v := 0.0
		if s.Used {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.used, prometheus.GaugeValue, v, system, string(s.Feature))
	}
	at := 0.0
	if !caps.ReadAt.IsZero() {
		at = float64(caps.ReadAt.UnixNano()) / 1e9
	}
	ch <- prometheus.MustNewConstMetric(c.readAt, prometheus.GaugeValue, at, system)
}
