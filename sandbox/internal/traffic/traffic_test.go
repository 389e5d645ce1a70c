package traffic

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
)

func testSystem(h http.HandlerFunc) (httpapi.System, httpapi.Route) {
	rt := httpapi.Route{Method: http.MethodGet, Pattern: "/sys/thing", Handler: h}
	sys := httpapi.System{
		Name: "sys", Prefix: "/sys",
		Key:    func(*http.Request) (string, bool) { return "sys", true },
		Routes: []httpapi.Route{rt},
		WriteError: func(w http.ResponseWriter, status int, code, message string) {
			httpapi.WriteJSON(w, status, "application/json", controls.Error{Error: code, Message: message})
		},
	}
	return sys, rt
}

func TestAPanickingHandlerAnswers500AndIsCounted(t *testing.T) {
	stats := NewStats()
	gate := NewGate(stats, NewFaults(func(string) bool { return true }), 0, false, 1, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sys, rt := testSystem(func(w http.ResponseWriter, r *http.Request) {
		httpapi.SetKeys(r.Context(), 3)
		w.Write([]byte("half an answer"))
		panic("boom")
	})
	srv := httptest.NewServer(gate.Route(sys, rt))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e controls.Error
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 500 || e.Error != "internal" {
		t.Fatalf("status %d body %+v (%v)", resp.StatusCode, e, err)
	}
	if rs := stats.Snapshot().Route("sys", "GET /sys/thing"); rs.Requests != 1 || rs.Keys.Total != 3 {
		t.Errorf("stats %+v", rs)
	}
}

func TestErrorRateSpreadsFailuresEvenly(t *testing.T) {
	f := NewFaults(func(string) bool { return true })
	for _, tc := range []struct {
		rate float64
		want []bool
	}{
		{0.25, []bool{false, false, false, true, false, false, false, true}},
		{1, []bool{true, true, true}},
		{0, []bool{false, false}},
		{0.1, []bool{false, false, false, false, false, false, false, false, false, true}},
	} {
		if err := f.Replace(controls.Faults{"x": {ErrorRate: tc.rate}}); err != nil {
			t.Fatal(err)
		}
		var got []bool
		for range tc.want {
			d, _ := f.decide("x")
			got = append(got, d.fail)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("rate %v: %v, want %v", tc.rate, got, tc.want)
		}
	}
	if _, faulted := f.decide("other"); faulted {
		t.Error("a system without faults was faulted")
	}
}

func TestStatsKeepTheLastThousandKeyCounts(t *testing.T) {
	s := NewStats()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				s.Record("sys", "GET /x", g*1000+i)
			}
		}()
	}
	wg.Wait()
	rs := s.Snapshot().Route("sys", "GET /x")
	if rs.Requests != 1200 || len(rs.Keys.PerRequest) != controls.MaxPerRequestKept || rs.Keys.Max != 3299 {
		t.Fatalf("requests %d kept %d max %d", rs.Requests, len(rs.Keys.PerRequest), rs.Keys.Max)
	}
	s.Reset()
	for i := range 1005 {
		s.Record("sys", "GET /x", i)
	}
	per := s.Snapshot().Route("sys", "GET /x").Keys.PerRequest
	if per[0] != 5 || per[len(per)-1] != 1004 {
		t.Errorf("kept %d..%d, want the last thousand (5..1004), oldest first", per[0], per[len(per)-1])
	}
}

func TestMalformKeepsJSONButBreaksTypes(t *testing.T) {
	in := []byte(`{"contacts":[{"id":"a"}],"total":3,"resourceType":"Bundle","ok":true,"meta":{"x":1}}`)
	var out map[string]any
	if err := json.Unmarshal(Malform(in), &out); err != nil {
		t.Fatal(err)
	}
	if out["contacts"] != "malformed" || out["total"] != "malformed" || out["resourceType"] != float64(12345) || out["ok"] != "malformed" {
		t.Errorf("malformed %v", out)
	}
	if _, isList := out["meta"].([]any); !isList {
		t.Errorf("object field stayed an object: %v", out["meta"])
	}
	var v any
	if err := json.Unmarshal(Malform([]byte("not json")), &v); err != nil {
		t.Errorf("fallback is not JSON: %v", err)
	}
}

func TestBaseLatencyJitter(t *testing.T) {
	const base = 20 * time.Millisecond
	jittered := NewGate(nil, nil, base, false, 1, nil)
	exact := NewGate(nil, nil, base, true, 1, nil)
	varied := false
	for range 200 {
		d := jittered.baseLatency()
		if d < base || d > base+base/2 {
			t.Fatalf("jittered latency %s outside [%s, %s]", d, base, base+base/2)
		}
		varied = varied || d != base
		if got := exact.baseLatency(); got != base {
			t.Fatalf("exact latency %s, want %s", got, base)
		}
	}
	if !varied {
		t.Error("200 jittered draws were all exactly the base")
	}
	if got := NewGate(nil, nil, 0, false, 1, nil).baseLatency(); got != 0 {
		t.Errorf("no latency configured gave %s", got)
	}
}
