package upstream

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewRejectsBadOptionsNamingTheOption(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"system is required", Options{BaseURL: "http://h"}, "upstream ?: System: must not be empty"},
		{"system without spaces", Options{System: "a b", BaseURL: "http://h"}, "System: must not contain spaces"},
		{"relative base URL", Options{System: "ehospital", BaseURL: "/fhir"}, "upstream ehospital: BaseURL: must be an absolute http(s) URL"},
		{"ftp base URL", Options{System: "s", BaseURL: "ftp://h/x"}, "BaseURL: must be an absolute http(s) URL"},
		{"base URL with query", Options{System: "s", BaseURL: "http://h/x?a=1"}, "BaseURL: must not carry credentials, a query or a fragment"},
		{"negative timeout", Options{System: "s", BaseURL: "http://h", Timeout: -time.Second}, "Timeout: must not be negative"},
		{"WaitMax below WaitMin", Options{System: "s", BaseURL: "http://h", Retry: RetryOptions{WaitMin: time.Second, WaitMax: time.Millisecond}}, "Retry.WaitMax: must be at least Retry.WaitMin"},
		{"too many retries", Options{System: "s", BaseURL: "http://h", Retry: RetryOptions{Max: 50}}, "Retry.Max: must be at most 10"},
		{"failure ratio above 1", Options{System: "s", BaseURL: "http://h", Breaker: BreakerOptions{FailureRatio: 1.5}}, "Breaker.FailureRatio: must be in (0, 1]"},
		{"negative min requests", Options{System: "s", BaseURL: "http://h", Breaker: BreakerOptions{MinRequests: -1}}, "Breaker.MinRequests: must not be negative"},
		{"negative response limit", Options{System: "s", BaseURL: "http://h", MaxResponseBytes: -1}, "MaxResponseBytes: must not be negative"},
		{"token and token file", Options{System: "s", BaseURL: "http://h", Auth: Auth{BearerToken: "a", BearerTokenFile: "f"}}, "Auth.BearerTokenFile: must not be set together with Auth.BearerToken"},
		{"token file missing", Options{System: "s", BaseURL: "http://h", Auth: Auth{BearerTokenFile: missing}}, "Auth.BearerTokenFile:"},
		{"cert without key", Options{System: "s", BaseURL: "https://h", Auth: Auth{CertFile: "c.pem"}}, "Auth.KeyFile: Auth.CertFile and Auth.KeyFile must be set together"},
		{"client cert over plain http", Options{System: "s", BaseURL: "http://h", Auth: Auth{CertFile: "c", KeyFile: "k"}}, "need an https BaseURL"},
		{"unreadable client cert", Options{System: "s", BaseURL: "https://h", Auth: Auth{CertFile: missing, KeyFile: missing}}, "Auth.CertFile: cannot load client certificate"},
		{"CA file without certificates", Options{System: "s", BaseURL: "https://h", Auth: Auth{CAFile: notPEM}}, "Auth.CAFile: holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts)
			if err == nil {
				c.Close()
				t.Fatalf("New accepted %+v", tt.opts)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestNewFillsDefaults(t *testing.T) {
	c, err := New(Options{System: "outofhours", BaseURL: "http://127.0.0.1:1/api/v1/"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	o := c.opts
	checks := []struct {
		name      string
		got, want any
	}{
		{"Timeout", o.Timeout, DefaultTimeout},
		{"CallTimeout", o.CallTimeout, DefaultCallTimeout},
		{"Retry.Max", o.Retry.Max, DefaultRetryMax},
		{"Retry.WaitMin", o.Retry.WaitMin, DefaultRetryWaitMin},
		{"Retry.WaitMax", o.Retry.WaitMax, DefaultRetryWaitMax},
		{"Retry.RetryAfterMax", o.Retry.RetryAfterMax, DefaultRetryAfterMax},
		{"Breaker.MinRequests", o.Breaker.MinRequests, DefaultBreakerMinReqs},
		{"Breaker.FailureRatio", o.Breaker.FailureRatio, DefaultBreakerRatio},
		{"Breaker.OpenFor", o.Breaker.OpenFor, DefaultBreakerOpenFor},
		{"Breaker.HalfOpenRequests", o.Breaker.HalfOpenRequests, DefaultBreakerHalfOpen},
		{"Breaker.Window", o.Breaker.Window, DefaultBreakerWindow},
		{"MaxResponseBytes", o.MaxResponseBytes, int64(DefaultMaxResponseBytes)},
		{"MaxIdleConns", c.transport.MaxIdleConnsPerHost, DefaultMaxIdleConns},
		{"UserAgent", o.UserAgent, DefaultUserAgent},
		{"base path without trailing slash", c.BaseURL().Path, "/api/v1"},
		{"System", c.System(), "outofhours"},
		{"breaker starts closed", c.BreakerState(), "closed"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

func TestEachClientHasItsOwnTransport(t *testing.T) {
	a, err := New(Options{System: "municipal/330", BaseURL: "http://127.0.0.1:1/municipal/330/api"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(Options{System: "municipal/370", BaseURL: "http://127.0.0.1:1/municipal/370/api"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.transport == b.transport {
		t.Fatal("two upstream instances share one transport")
	}
}
