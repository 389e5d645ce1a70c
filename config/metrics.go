package config

import (
	"fmt"
	"net"
	"regexp"
)

// Metrics configures the Prometheus endpoint (docs/OPERATIONS.md#metrics).
type Metrics struct {
	// Listen is the address of the metrics listener, which serves only
	// GET /metrics, apart from the API (default 127.0.0.1:9464). Expose it
	// to the scraper, not to API clients: metrics describe every caller's
	// traffic. "off" serves no metrics.
	Listen string `yaml:"listen"`
	// OperationNames are operation names that may appear as the value of
	// the `operation` label, besides those of the trusted-documents
	// manifest; every other name is counted as `other`, so that callers
	// cannot mint label values (or write text into the metrics).
	OperationNames []string `yaml:"operationNames"`
}

// DefaultMetricsListen is the default of metrics.listen.
const DefaultMetricsListen = "127.0.0.1:9464"

// MetricsOff is the metrics.listen value that serves no metrics.
const MetricsOff = "off"

var operationName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

func (c *Config) fillMetricsDefaults() {
	if c.Metrics.Listen == "" {
		c.Metrics.Listen = DefaultMetricsListen
	}
}

func (c *Config) validateMetrics() []error {
	var errs []error
	m := c.Metrics
	if m.Listen != MetricsOff {
		if _, port, err := net.SplitHostPort(m.Listen); err != nil {
			errs = append(errs, fmt.Errorf("metrics.listen: must be host:port (or %q), got %q", MetricsOff, m.Listen))
		} else if m.Listen == c.Listen && port != "0" {
			errs = append(errs, fmt.Errorf("metrics.listen: must not be the API's address (listen), which callers reach"))
		}
	}
	for _, n := range m.OperationNames {
		if !operationName.MatchString(n) {
			errs = append(errs, fmt.Errorf("metrics.operationNames: %q is not a GraphQL name of at most 64 characters", n))
		}
	}
	return errs
}
