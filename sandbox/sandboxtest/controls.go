package sandboxtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// Stats is the sandbox's request statistics.
type Stats = controls.Stats

// Fault is what one system does wrong.
type Fault = controls.Fault

// TruthGap is one planted gap.
type TruthGap = controls.TruthGap

// Stats reads GET /_sandbox/stats.
func (s *Server) Stats(t testing.TB) Stats {
	t.Helper()
	var out Stats
	s.call(t, http.MethodGet, "/stats", nil, http.StatusOK, &out)
	return out
}

// ResetStats calls POST /_sandbox/stats/reset.
func (s *Server) ResetStats(t testing.TB) {
	t.Helper()
	s.call(t, http.MethodPost, "/stats/reset", nil, http.StatusNoContent, nil)
}

// SetFaults replaces the injected faults (PUT /_sandbox/faults), keyed by
// system key ("ehospital", "municipal/330", ...).
func (s *Server) SetFaults(t testing.TB, faults map[string]Fault) {
	t.Helper()
	s.call(t, http.MethodPut, "/faults", controls.Faults(faults), http.StatusOK, nil)
}

// ClearFaults removes every injected fault (DELETE /_sandbox/faults).
func (s *Server) ClearFaults(t testing.TB) {
	t.Helper()
	s.call(t, http.MethodDelete, "/faults", nil, http.StatusNoContent, nil)
}

// TruthGaps lists the gaps planted for citizens of the cluster.
func (s *Server) TruthGaps(t testing.TB, clusterID string) []TruthGap {
	t.Helper()
	var out controls.TruthGaps
	s.call(t, http.MethodGet, "/truth/gaps?cluster="+url.QueryEscape(clusterID), nil, http.StatusOK, &out)
	return out.Gaps
}

// Citizens samples n CPRs of citizens with a discharge, care, outofhours
// contact or referral (controls.WithDischarge, ...).
func (s *Server) Citizens(t testing.TB, n int, with string) []string {
	t.Helper()
	var out controls.Citizens
	q := url.Values{"sample": {strconv.Itoa(n)}, "with": {with}}
	s.call(t, http.MethodGet, "/citizens?"+q.Encode(), nil, http.StatusOK, &out)
	cprs := make([]string, len(out.Citizens))
	for i, c := range out.Citizens {
		cprs[i] = c.CPR
	}
	return cprs
}

func (s *Server) call(t testing.TB, method, path string, body any, want int, out any) {
	t.Helper()
	if err := s.do(method, path, body, want, out); err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
}

func (s *Server) do(method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: encode body: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URLs.Controls+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// SetDialect serves eHospitalet in the named FHIR dialect (PUT
// /_sandbox/dialect).
func (s *Server) SetDialect(t testing.TB, name string) {
	t.Helper()
	s.call(t, http.MethodPut, "/dialect", controls.Dialect{Name: name}, http.StatusOK, nil)
}
