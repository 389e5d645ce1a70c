package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

func TestAProbeIsOneAttemptAndAnyAnswerButAFailureCounts(t *testing.T) {
	tests := []struct {
		status int
		up     bool
	}{
		{http.StatusOK, true},
		{http.StatusNotFound, true},
		{http.StatusMethodNotAllowed, true},
		{http.StatusUnauthorized, false},
		{http.StatusForbidden, false},
		{http.StatusTooManyRequests, false},
		{http.StatusServiceUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if r.URL.Path != "/fhir/metadata" {
					t.Errorf("probe asked for %s", r.URL.Path)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			c, err := New(Options{System: "ehospital", BaseURL: srv.URL + "/fhir"})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Probe(context.Background(), "metadata")
			if (err == nil) != tt.up {
				t.Errorf("Probe = %v, want up %v", err, tt.up)
			}
			if hits.Load() != 1 {
				t.Errorf("the probe made %d attempts, want 1 (no retry)", hits.Load())
			}
			h := c.Health()
			if tt.status >= 500 && (h.LastFailure.IsZero() || h.Failure != OutcomeStatus5xx) {
				t.Errorf("Health after a 503 = %+v, want the failure recorded", h)
			}
			if tt.status < 300 && h.LastAnswer.IsZero() {
				t.Errorf("Health after a 200 = %+v, want the answer recorded", h)
			}
		})
	}
}
