package sandboxtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

func TestServerHelpersDriveTheControls(t *testing.T) {
	s := sandboxtest.Start(t, sandbox.Config{Population: 1000, Now: time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)})
	if s.URLs != sandbox.URLs(s.URL) || s.Sandbox == nil {
		t.Fatalf("server %+v", s)
	}
	cprs := s.Citizens(t, 3, controls.WithDischarge)
	if len(cprs) != 3 {
		t.Fatalf("citizens %v", cprs)
	}
	resp, err := http.Get(s.URLs.GPReferral + "/practices")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := s.Stats(t).Requests(controls.SystemGPReferral); n != 1 {
		t.Errorf("stats counted %d requests", n)
	}
	s.ResetStats(t)
	if n := s.Stats(t).TotalRequests(); n != 0 {
		t.Errorf("%d after reset", n)
	}
	s.SetFaults(t, map[string]sandboxtest.Fault{controls.SystemGPReferral: {ErrorRate: 1, ErrorStatus: 429}})
	resp, err = http.Get(s.URLs.GPReferral + "/practices")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Errorf("faulted status %d", resp.StatusCode)
	}
	s.ClearFaults(t)
	if gaps := s.TruthGaps(t, "sjaelland-roskilde-koge"); len(gaps) == 0 {
		t.Error("no planted gaps in the Roskilde/Køge cluster")
	}
}
