package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/internal/waitfor"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// slowMunicipality is a stack whose requests have a 1 s deadline, with a
// Slagelse citizen and municipal/330 answering after 30 s once slow() is
// called.
func slowMunicipality(t *testing.T) (s *stack, cpr string, slow func()) {
	t.Helper()
	s = startStack(t, func(c *config.Config) { c.Server.RequestTimeout = config.Duration(time.Second) })
	in, _ := sampleIn(t, s.demo, 330, 1, 0)
	grantGlass(t, s.demo, in)
	return s, in[0], func() {
		s.faults(t, map[string]controls.Fault{"municipal/330": {Latency: controls.Duration(30 * time.Second)}})
	}
}

func TestTheRequestDeadlineCutsSlowUpstreamsAndTheAnswerStillComes(t *testing.T) {
	s, cpr, slow := slowMunicipality(t)
	slow()
	r, c, took := patientContext(t, s.demo, cpr)
	t.Logf("server.requestTimeout 1s, municipal/330 at 30s: answered in %s with %v", took.Round(time.Millisecond), upstreamErrors(r))
	for _, e := range r.Errors {
		if e.Extensions["code"] != "UPSTREAM_TIMEOUT" || e.Extensions["system"] != "municipal/330" {
			t.Errorf("error %v, want only municipal/330 timing out", upstreamErrors(r))
		}
	}
	assertOnlyMunicipalMissing(t, r, c)
	if n := s.metric(t, "klynge_request_deadline_exceeded_total"); n != 1 {
		t.Errorf("klynge_request_deadline_exceeded_total = %v, want 1", n)
	}
	if n := s.metric(t, "klynge_upstream_requests_total", `system="municipal/330"`, `outcome="timeout"`); n != 3 {
		t.Errorf("%v municipal/330 calls timed out, want its 3 (services, visits, notifications)", n)
	}
}

// closeIdle closes every pooled connection a request may have left: the
// gateway's to the upstreams and the test's to the gateway. Their
// goroutines belong to the pools, not to the requests.
func closeIdle(s *stack, clients ...*http.Client) {
	for _, c := range s.gateway.upstreams {
		c.Close()
	}
	for _, c := range clients {
		c.CloseIdleConnections()
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestNoGoroutineOutlivesItsRequest(t *testing.T) {
	s, cpr, slow := slowMunicipality(t)
	client := &http.Client{Transport: &http.Transport{}}
	patientContext(t, s.demo, cpr) // warm: token keys fetched, pools made
	closeIdle(s, client)
	before := goleak.IgnoreCurrent()

	slow()
	tests := []struct {
		name   string
		cancel time.Duration // 0: the client waits for the answer
	}{
		{"a request cut by its deadline", 0},
		{"a request whose client goes away", 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": exampleQuery(t, "patient-context.graphql"), "variables": map[string]any{"cpr": cpr}})
			ctx := context.Background()
			if tt.cancel > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.cancel)
				defer cancel()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.GraphQL, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+bearerFor(s.GraphQL))
			resp, err := client.Do(req)
			switch {
			case tt.cancel > 0 && !errors.Is(err, context.DeadlineExceeded):
				t.Fatalf("the client's own timeout did not end its request: %v", err)
			case tt.cancel == 0 && err != nil:
				t.Fatal(err)
			case err == nil:
				drain(resp)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d", resp.StatusCode)
				}
			}
		})
	}
	waitfor.Until(t, "both requests have left the gateway", waitfor.Budget, func() bool { return s.metric(t, "klynge_operations_in_flight") == 0 })
	closeIdle(s, client)
	// A fetch worker waiting for the next fetch holds nothing of a request
	// (package workers); one still inside a fetch has that fetch on top of
	// its stack, and is caught.
	goleak.VerifyNone(t, before, goleak.IgnoreTopFunction("github.com/sundhedsklynge/klynge/workers.(*Pool).work"))
	t.Logf("municipal/330 requests begun: %d (each cancelled with its request)", s.stats(t).Requests("municipal/330"))
}
