package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

func TestAtTenTimesTheBoundExcessRequestsAreRefusedAtOnce(t *testing.T) {
	const bound = 4
	s := startStack(t, func(c *config.Config) { c.Server.MaxConcurrentOperations = bound })
	cpr := sampleAndBreakGlass(t, s.demo, 1, controls.WithCare)[0]
	grantGlass(t, s.demo, []string{cpr})
	// Every operation waits twice 1 s for eHospitalet (the access check's
	// patient read, then the encounters), so that the whole burst arrives
	// while the admitted operations still run.
	s.faults(t, map[string]controls.Fault{"ehospital": {Latency: controls.Duration(time.Second)}})
	q := exampleQuery(t, "patient-context.graphql")

	var normal []time.Duration
	for range 3 {
		r, took := timedQuery(t, s.GraphQL, q, map[string]any{"cpr": cpr})
		if len(r.Errors) > 0 {
			t.Fatalf("alone: %v", upstreamErrors(r))
		}
		normal = append(normal, took)
	}

	type outcome struct {
		status     int
		retryAfter string
		code       string
		took       time.Duration
	}
	body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"cpr": cpr}})
	token := bearerFor(s.GraphQL)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 10 * bound}}
	defer client.CloseIdleConnections()
	outcomes := make([]outcome, 10*bound)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range outcomes {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, s.GraphQL, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			<-start
			began := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			var r gqlResponse
			json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			o := outcome{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), took: time.Since(began)}
			if c := r.codes(); len(c) > 0 {
				o.code = c[0]
			}
			outcomes[i] = o
		})
	}
	close(start)
	wg.Wait()

	var admitted, refused []time.Duration
	for i, o := range outcomes {
		switch o.status {
		case http.StatusOK:
			if o.code != "" {
				t.Errorf("admitted request %d answered with error %s", i, o.code)
			}
			admitted = append(admitted, o.took)
		case http.StatusServiceUnavailable:
			// Retry-After follows the drain rate: 36 refused at about one
			// completion a second is many seconds of work, capped at 60.
			if secs, err := strconv.Atoi(o.retryAfter); o.code != "OVERLOADED" || err != nil || secs < 1 || secs > 60 {
				t.Errorf("refused request %d: code %q, Retry-After %q; want OVERLOADED and 1..60 s", i, o.code, o.retryAfter)
			}
			refused = append(refused, o.took)
		default:
			t.Errorf("request %d: status %d", i, o.status)
		}
	}
	slices.Sort(normal)
	slices.Sort(admitted)
	slices.Sort(refused)
	t.Logf("bound %d, burst of %d: %d admitted (latency %v, alone %v), %d refused with 503 (slowest refusal %v)",
		bound, len(outcomes), len(admitted), admitted, normal, len(refused), refused[len(refused)-1].Round(time.Millisecond))
	if len(admitted) != bound || len(refused) != 9*bound {
		t.Errorf("%d admitted and %d refused, want %d and %d", len(admitted), len(refused), bound, 9*bound)
	}
	if n := s.metric(t, "klynge_overload_rejections_total"); n != float64(len(refused)) {
		t.Errorf("/metrics counts %v rejections, want %d", n, len(refused))
	}
	if n := s.metric(t, "klynge_operations_in_flight"); n != 0 {
		t.Errorf("%v operations still in flight", n)
	}
}
