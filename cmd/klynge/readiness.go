package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// readiness answers /readyz from state that background checks keep, so
// that a probe never waits on a hung database, identity provider or
// upstream: it answers in the time it takes to copy a few results. The
// checks run every interval, each with its own timeout and all at once, so
// one that hangs is reported as failed when its timeout passes without
// holding up the others.
//
// The gateway is ready when every required check passes (tokens can be
// checked, the access log can be written) and at least one upstream
// answers: one system down is a partial answer, not an unready gateway.
// The body says which check fails, and why.
type readiness struct {
	interval, timeout time.Duration
	now               func() time.Time
	required          []readinessCheck
	upstreams         []readinessCheck
	// live is asked at each request, for failures known without I/O (the
	// access log's own Writable); it must not block.
	live func() error
	// detail, when set, is added to the body under "upstreams": what each
	// upstream was found to support (read from cached state).
	detail func() any

	mu      sync.Mutex
	results map[string]checkResult
}

// readinessCheck is one thing readiness watches. run is called in the
// background with a context bounded by the check timeout.
type readinessCheck struct {
	name string
	run  func(ctx context.Context) error
}

type checkResult struct {
	err       error
	checkedAt time.Time
}

// Defaults: a hang shows within interval + timeout (750 ms).
const (
	readinessInterval = 250 * time.Millisecond
	readinessTimeout  = 500 * time.Millisecond
	// upstreamIdleAfter is how long without a call before an upstream's
	// health is probed rather than read from the calls themselves.
	upstreamIdleAfter = 5 * time.Second
)

func newReadiness(required, upstreams []readinessCheck, live func() error) *readiness {
	return &readiness{
		interval: readinessInterval, timeout: readinessTimeout, now: time.Now,
		required: required, upstreams: upstreams, live: live,
		results: map[string]checkResult{},
	}
}

// run checks every interval until ctx ends.
func (rd *readiness) run(ctx context.Context) {
	t := time.NewTicker(rd.interval)
	defer t.Stop()
	for {
		rd.checkAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkAll runs every check once, concurrently, and keeps the results.
func (rd *readiness) checkAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, c := range append(append([]readinessCheck(nil), rd.required...), rd.upstreams...) {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, rd.timeout)
			defer cancel()
			err := c.run(cctx)
			if err != nil && cctx.Err() != nil && ctx.Err() == nil {
				err = fmt.Errorf("no answer within %s", rd.timeout)
			}
			if ctx.Err() != nil {
				return // shutting down: keep the last real result
			}
			rd.mu.Lock()
			rd.results[c.name] = checkResult{err: err, checkedAt: rd.now()}
			rd.mu.Unlock()
		})
	}
	wg.Wait()
}

// readinessReport is the body of /readyz.
type readinessReport struct {
	Status    string        `json:"status"` // ready | not ready
	Failing   []string      `json:"failing,omitempty"`
	Checks    []checkReport `json:"checks"`
	Upstreams any           `json:"upstreams,omitempty"`
}

type checkReport struct {
	Name      string `json:"name"`
	Status    string `json:"status"` // ok | failing | pending
	Error     string `json:"error,omitempty"`
	CheckedAt string `json:"checkedAt,omitempty"`
}

// report is the current state; it never blocks on a check.
func (rd *readiness) report() (readinessReport, bool) {
	rd.mu.Lock()
	results := make(map[string]checkResult, len(rd.results))
	for k, v := range rd.results {
		results[k] = v
	}
	rd.mu.Unlock()

	var rep readinessReport
	ready := true
	add := func(name string, res checkResult, found bool) checkReport {
		cr := checkReport{Name: name, Status: "ok"}
		switch {
		case !found:
			cr.Status = "pending"
		case res.err != nil:
			cr.Status, cr.Error = "failing", res.err.Error()
		}
		if found {
			cr.CheckedAt = res.checkedAt.UTC().Format(time.RFC3339Nano)
		}
		rep.Checks = append(rep.Checks, cr)
		return cr
	}
	for _, c := range rd.required {
		res, found := results[c.name]
		if c.name == "accessLog" && rd.live != nil {
			if err := rd.live(); err != nil {
				res, found = checkResult{err: err, checkedAt: rd.now()}, true
			}
		}
		if cr := add(c.name, res, found); cr.Status != "ok" {
			ready = false
			rep.Failing = append(rep.Failing, c.name)
		}
	}
	answering, failing := 0, []string{}
	for _, c := range rd.upstreams {
		res, found := results[c.name]
		if cr := add(c.name, res, found); cr.Status == "failing" {
			failing = append(failing, c.name)
		} else {
			answering++
		}
	}
	rep.Failing = append(rep.Failing, failing...)
	if len(rd.upstreams) > 0 && answering == 0 {
		ready = false
	}
	rep.Status = "ready"
	if !ready {
		rep.Status = "not ready"
	}
	if rd.detail != nil {
		rep.Upstreams = rd.detail()
	}
	return rep, ready
}

// ServeHTTP answers GET /readyz: 200 when ready, else 503, with the report.
func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep, ready := rd.report()
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(rep)
}

// newGatewayReadiness watches what the gateway needs: the identity
// provider's keys and the access log (required), and every upstream
// instance; detail adds what the upstreams were found to support.
func newGatewayReadiness(ac *accessControl, clients []*upstream.Client, detail func() any) *readiness {
	required := []readinessCheck{
		{name: "auth", run: ac.auth.Ready},
		{name: "accessLog", run: ac.log.Ping},
	}
	var ups []readinessCheck
	for _, c := range clients {
		ups = append(ups, upstreamCheck(c, time.Now))
	}
	rd := newReadiness(required, ups, ac.log.Writable)
	rd.detail = detail
	return rd
}

// upstreamCheck watches one upstream instance: from the gateway's own calls
// while it has traffic, and by a probe (one cheap GET) when it has had none
// for upstreamIdleAfter, so that a system nobody calls still shows as down.
// An open breaker is failing whatever the probe says.
func upstreamCheck(c *upstream.Client, now func() time.Time) readinessCheck {
	path := probePath(c)
	return readinessCheck{name: "upstream/" + c.System(), run: func(ctx context.Context) error {
		if c.BreakerState() == "open" {
			return fmt.Errorf("circuit breaker open")
		}
		h := c.Health()
		last := h.LastAnswer
		if h.LastFailure.After(last) {
			last = h.LastFailure
		}
		if now().Sub(last) > upstreamIdleAfter {
			return c.Probe(ctx, path)
		}
		if h.LastFailure.After(h.LastAnswer) {
			return fmt.Errorf("the last call failed (%s)", h.Failure)
		}
		return nil
	}}
}

// probePath is the cheap read that shows an upstream answers: a FHIR
// server's capability statement, the GP feed's first event, one unknown
// out-of-hours contact (404 is an answer), a care system's instance
// document (its base URL with the slash).
func probePath(c *upstream.Client) string {
	switch system := c.System(); {
	case system == "ehospital":
		return "metadata"
	case system == "gpreferral":
		return "feed?limit=1"
	case system == "outofhours":
		return "contacts/readiness-probe"
	case strings.HasPrefix(system, "municipal/"):
		return c.BaseURL().String() + "/"
	}
	return c.BaseURL().String() + "/"
}
