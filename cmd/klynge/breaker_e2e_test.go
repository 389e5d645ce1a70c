package main

import (
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

func TestASlowMunicipalityIsMissingAndMarkedAndItsBreakerOpensAndCloses(t *testing.T) {
	const openFor = 2 * time.Second
	s := startStack(t, func(c *config.Config) {
		c.Upstreams.Municipal.Breaker = config.Breaker{MinRequests: 3, OpenFor: config.Duration(openFor)}
	})
	in, out := sampleIn(t, s.demo, 330, 1, 1)
	slagelse, other := in[0], out[0]
	grantGlass(t, s.demo, []string{slagelse, other})
	breaker := func() float64 { return s.metric(t, "klynge_upstream_breaker_state", `system="municipal/330"`) }

	s.faults(t, map[string]controls.Fault{"municipal/330": {Latency: controls.Duration(5 * time.Second)}})
	r, c, took := patientContext(t, s.demo, slagelse)
	t.Logf("municipal/330 at 5s per request: answered in %s with %v", took.Round(time.Millisecond), upstreamErrors(r))
	assertOnlyMunicipalMissing(t, r, c)
	if got := breaker(); got != 2 {
		t.Fatalf("after 3 failed attempts (breaker.minRequests 3) the breaker is %v, want open (2)", got)
	}

	before := s.stats(t).Requests("municipal/330")
	r, c, took = patientContext(t, s.demo, slagelse)
	t.Logf("breaker open: answered in %s with %v", took.Round(time.Millisecond), upstreamErrors(r))
	assertOnlyMunicipalMissing(t, r, c)
	for _, e := range r.Errors {
		if e.Extensions["code"] != "UPSTREAM_UNAVAILABLE" {
			t.Errorf("while the breaker is open: %v, want UPSTREAM_UNAVAILABLE", upstreamErrors(r))
		}
	}
	if after := s.stats(t).Requests("municipal/330"); after != before {
		t.Errorf("the open breaker let %d requests through to municipal/330", after-before)
	}
	if r, _, _ := patientContext(t, s.demo, other); len(r.Errors) != 0 {
		t.Errorf("a citizen of another municipality got %v", upstreamErrors(r))
	}
	if n := s.metric(t, "klynge_upstream_requests_total", `system="municipal/330"`, `outcome="breaker_open"`); n == 0 {
		t.Error("/metrics shows no call refused by the open breaker")
	}

	s.faults(t, nil)
	recovered := 0
	for i := range 20 {
		time.Sleep(openFor / 4)
		r, _, took := patientContext(t, s.demo, slagelse)
		if len(r.Errors) == 0 {
			recovered = i + 1
			t.Logf("recovered: query %d after clearing the fault answered completely in %s", recovered, took.Round(time.Millisecond))
			break
		}
	}
	if recovered == 0 {
		t.Fatal("the answer never became complete after the municipality recovered")
	}
	if got := breaker(); got != 0 {
		t.Errorf("after recovery the breaker is %v, want closed (0)", got)
	}
	logs := s.Output.String()
	for _, change := range []string{`"from":"closed","to":"open"`, `"from":"open","to":"half-open"`, `"from":"half-open","to":"closed"`} {
		if !strings.Contains(logs, `"system":"municipal/330",`+change) {
			t.Errorf("no log line for municipal/330's breaker going %s", change)
		}
	}
}

// assertOnlyMunicipalMissing checks that the Slagelse citizen's municipal
// fields are null with errors naming municipal/330, its sources entry says
// so, and everything else answered.
func assertOnlyMunicipalMissing(t *testing.T, r gqlResponse, c map[string]any) {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatal("no error although municipal/330 does not answer in time")
	}
	for _, e := range r.Errors {
		code := e.Extensions["code"]
		if e.Extensions["system"] != "municipal/330" || (code != "UPSTREAM_TIMEOUT" && code != "UPSTREAM_UNAVAILABLE") {
			t.Errorf("error %v, want only municipal/330 timing out or unavailable", upstreamErrors(gqlResponse{Errors: []gqlError{e}}))
		}
	}
	for _, f := range systemFields["MUNICIPAL"] {
		if c[f] != nil {
			t.Errorf("%s = %v, want null", f, c[f])
		}
	}
	src := sourceOf(c, "MUNICIPAL")
	if src == nil || src["ok"] != false || src["instance"] != "municipal/330" || src["errorCode"] == nil {
		t.Errorf("sources MUNICIPAL = %v, want municipal/330 marked failed", src)
	}
	for _, system := range []string{"EHOSPITAL", "OUT_OF_HOURS", "GP_REFERRAL"} {
		if src := sourceOf(c, system); src == nil || src["ok"] != true {
			t.Errorf("sources %s = %v, want ok", system, src)
		}
		for _, f := range systemFields[system] {
			if c[f] == nil && f != "gp" {
				t.Errorf("%s field %s is null", system, f)
			}
		}
	}
}
