package upstream

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// newTransport builds the pooled transport of one upstream instance. Each
// Client owns its own, so one slow system cannot starve another's
// connections, and closing one pool touches no other.
func newTransport(o Options) (*http.Transport, error) {
	tlsConfig, err := newTLSConfig(o)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConfig,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          o.MaxIdleConns,
		MaxIdleConnsPerHost:   o.MaxIdleConns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   o.Timeout,
		ExpectContinueTimeout: time.Second,
	}, nil
}

func newTLSConfig(o Options) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.Auth.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.Auth.CertFile, o.Auth.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("upstream %s: Auth.CertFile: cannot load client certificate and key: %w", o.System, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if o.Auth.CAFile != "" {
		pem, err := os.ReadFile(o.Auth.CAFile)
		if err != nil {
			return nil, fmt.Errorf("upstream %s: Auth.CAFile: %w", o.System, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("upstream %s: Auth.CAFile: %w", o.System, errors.New("holds no PEM certificate"))
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}
