package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

func readyz(t *testing.T, rd *readiness) (int, readinessReport) {
	t.Helper()
	rec := httptest.NewRecorder()
	rd.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var rep readinessReport
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("/readyz body %q: %v", rec.Body, err)
	}
	return rec.Code, rep
}

func ok(context.Context) error { return nil }

func failing(msg string) func(context.Context) error {
	return func(context.Context) error { return errors.New(msg) }
}

func TestReadinessNeverWaitsForAHungCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hang := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
		rd := newReadiness([]readinessCheck{{"auth", ok}, {"accessLog", hang}}, nil, nil)
		done := make(chan struct{})
		go func() { rd.checkAll(context.Background()); close(done) }()
		synctest.Wait() // the access log's check hangs; auth has answered

		code, rep := readyz(t, rd)
		if code != http.StatusServiceUnavailable || !slices.Equal(rep.Failing, []string{"accessLog"}) || rep.Checks[1].Status != "pending" {
			t.Fatalf("/readyz while a check hangs = %d %+v, want 503 at once with accessLog pending", code, rep)
		}
		time.Sleep(readinessTimeout)
		<-done
		code, rep = readyz(t, rd)
		if code != http.StatusServiceUnavailable || rep.Checks[1].Status != "failing" || rep.Checks[1].Error != "no answer within 500ms" {
			t.Errorf("/readyz after the check's timeout = %d %+v, want accessLog failing with no answer", code, rep)
		}
	})
}

func TestReadinessSaysWhichCheckFails(t *testing.T) {
	tests := []struct {
		name        string
		required    []readinessCheck
		upstreams   []readinessCheck
		live        func() error
		wantCode    int
		wantFailing []string
	}{
		{"all well", []readinessCheck{{"auth", ok}, {"accessLog", ok}},
			[]readinessCheck{{"upstream/ehospital", ok}, {"upstream/outofhours", ok}}, nil, http.StatusOK, nil},
		{"one upstream down is a partial answer, named in the body",
			[]readinessCheck{{"auth", ok}, {"accessLog", ok}},
			[]readinessCheck{{"upstream/ehospital", failing("circuit breaker open")}, {"upstream/outofhours", ok}}, nil,
			http.StatusOK, []string{"upstream/ehospital"}},
		{"every upstream down is unready",
			[]readinessCheck{{"auth", ok}, {"accessLog", ok}},
			[]readinessCheck{{"upstream/ehospital", failing("x")}, {"upstream/outofhours", failing("y")}}, nil,
			http.StatusServiceUnavailable, []string{"upstream/ehospital", "upstream/outofhours"}},
		{"an access log that cannot be written is unready",
			[]readinessCheck{{"auth", ok}, {"accessLog", failing("connection refused")}},
			[]readinessCheck{{"upstream/ehospital", ok}}, nil, http.StatusServiceUnavailable, []string{"accessLog"}},
		{"the log's own knowledge counts at once, before the next check",
			[]readinessCheck{{"auth", ok}, {"accessLog", ok}},
			[]readinessCheck{{"upstream/ehospital", ok}}, func() error { return errors.New("a commit has not ended after 2s") },
			http.StatusServiceUnavailable, []string{"accessLog"}},
		{"no keys from the identity provider is unready",
			[]readinessCheck{{"auth", failing("discovery failed")}, {"accessLog", ok}},
			nil, nil, http.StatusServiceUnavailable, []string{"auth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd := newReadiness(tt.required, tt.upstreams, tt.live)
			rd.checkAll(context.Background())
			code, rep := readyz(t, rd)
			if code != tt.wantCode || !slices.Equal(rep.Failing, tt.wantFailing) {
				t.Errorf("/readyz = %d, failing %v; want %d, %v (%+v)", code, rep.Failing, tt.wantCode, tt.wantFailing, rep)
			}
			for _, c := range rep.Checks {
				if c.Status == "failing" && c.Error == "" {
					t.Errorf("check %s fails without saying why", c.Name)
				}
			}
		})
	}
}

func TestAnIdleUpstreamIsProbed(t *testing.T) {
	var probes atomic.Int32
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fhir/metadata" {
			probes.Add(1)
		}
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"resourceType":"CapabilityStatement"}`))
	}))
	defer srv.Close()
	c, err := upstream.New(upstream.Options{System: "ehospital", BaseURL: srv.URL + "/fhir", Breaker: upstream.BreakerOptions{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	check := upstreamCheck(c, func() time.Time { return now })

	down.Store(true)
	if err := check.run(context.Background()); err == nil || probes.Load() != 1 {
		t.Fatalf("idle and down: check = %v after %d probes, want a failure from one probe", err, probes.Load())
	}
	// The probe itself is the latest call: within upstreamIdleAfter no
	// second probe is sent, and the failure stands.
	if err := check.run(context.Background()); err == nil || probes.Load() != 1 {
		t.Errorf("just probed: check = %v after %d probes, want the failure without a new probe", err, probes.Load())
	}
	down.Store(false)
	now = now.Add(upstreamIdleAfter + time.Second)
	if err := check.run(context.Background()); err != nil || probes.Load() != 2 {
		t.Errorf("idle again and back up: check = %v after %d probes, want ok from a second probe", err, probes.Load())
	}
}
