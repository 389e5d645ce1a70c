package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/outofhours/outofhoursapi"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/population"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

func TestFaults(t *testing.T) {
	s := start(t)
	search := s.URLs.OutOfHours + "/contacts/search"
	body := outofhoursapi.SearchRequest{CPRs: cprList(s, 2)}

	t.Run("an error rate fails the same requests every run", func(t *testing.T) {
		for run := range 2 {
			s.SetFaults(t, map[string]sandboxtest.Fault{controls.SystemOutOfHours: {ErrorRate: 0.5, ErrorStatus: 502}})
			var statuses []int
			for range 6 {
				statuses = append(statuses, postJSON(t, search, body).status)
			}
			if want := []int{200, 502, 200, 502, 200, 502}; !slices.Equal(statuses, want) {
				t.Fatalf("run %d: statuses %v, want %v", run, statuses, want)
			}
		}
		s.ClearFaults(t)
	})

	t.Run("an injected error speaks the system's error format and is counted", func(t *testing.T) {
		s.SetFaults(t, map[string]sandboxtest.Fault{controls.SystemEHospital: {ErrorRate: 1}})
		s.ResetStats(t)
		wantStatus(t, get(t, s.URLs.EHospitalFHIR+"/Patient?identifier=6101320306"), 503, "OperationOutcome", "injected fault")
		if rs := s.Stats(t).Route(controls.SystemEHospital, "GET /ehospital/fhir/Patient"); rs.Requests != 1 || rs.Keys.Total != 1 {
			t.Errorf("faulted request counted as %+v", rs)
		}
		wantStatus(t, postJSON(t, search, body), 200) // other systems unaffected
		s.ClearFaults(t)
	})

	t.Run("a system that is down closes the connection without answering", func(t *testing.T) {
		s.SetFaults(t, map[string]sandboxtest.Fault{controls.MunicipalSystem(330): {Down: true}})
		resp, err := http.Post(s.URLs.Municipal(330)+"/services/search", "application/json", nil)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got status %d from a system that is down", resp.StatusCode)
		}
		wantStatus(t, get(t, s.URLs.Municipal(370)+"/"), 200)
		s.ClearFaults(t)
	})

	t.Run("a malformed answer is 200 with JSON that breaks the contract", func(t *testing.T) {
		s.SetFaults(t, map[string]sandboxtest.Fault{controls.SystemOutOfHours: {Malformed: true}})
		a := postJSON(t, search, body)
		wantStatus(t, a, 200)
		var generic map[string]any
		if err := json.Unmarshal(a.body, &generic); err != nil {
			t.Fatalf("malformed answer is not even JSON: %v", err)
		}
		var typed outofhoursapi.SearchResponse
		if err := json.Unmarshal(a.body, &typed); err == nil {
			t.Fatalf("malformed answer decodes into the contract: %s", a.body)
		}
		s.ClearFaults(t)
	})

	t.Run("a slow body still arrives whole", func(t *testing.T) {
		want := postJSON(t, search, body)
		s.SetFaults(t, map[string]sandboxtest.Fault{controls.SystemOutOfHours: {SlowBody: controls.Duration(50 * time.Millisecond)}})
		got := postJSON(t, search, body)
		if got.status != 200 || string(got.body) != string(want.body) {
			t.Errorf("slow body differs: %s", got.body)
		}
		s.ClearFaults(t)
	})

	t.Run("latency gives way when the client gives up", func(t *testing.T) {
		s.SetFaults(t, map[string]sandboxtest.Fault{controls.SystemGPReferral: {Latency: controls.Duration(10 * time.Minute)}})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URLs.GPReferral+"/practices", nil)
		_, err := http.DefaultClient.Do(req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("want the client's deadline, got %v", err)
		}
		s.ClearFaults(t)
	})

	t.Run("controls are never faulted", func(t *testing.T) {
		all := map[string]sandboxtest.Fault{}
		for _, k := range []string{controls.SystemEHospital, controls.SystemOutOfHours, controls.SystemGPReferral, "municipal/330"} {
			all[k] = sandboxtest.Fault{Down: true}
		}
		s.SetFaults(t, all)
		_ = s.Stats(t)
		wantStatus(t, get(t, s.URLs.Controls+"/"), 200)
		a := get(t, s.URLs.Controls+"/faults")
		var current controls.Faults
		a.decode(t, &current)
		if len(current) != 4 || !current["municipal/330"].Down {
			t.Errorf("GET faults %+v", current)
		}
		s.ClearFaults(t)
		a = get(t, s.URLs.Controls+"/faults")
		current = nil
		a.decode(t, &current)
		if len(current) != 0 {
			t.Errorf("faults after DELETE: %+v", current)
		}
	})

	t.Run("bad faults are 400 naming the system and field", func(t *testing.T) {
		for _, tc := range []struct {
			body string
			want string
		}{
			{`{"lægevagten":{"down":true}}`, "lægevagten: unknown system"},
			{`{"municipal/999":{"down":true}}`, "municipal/999: unknown system"},
			{`{"ehospital":{"errorRate":1.5}}`, "ehospital.errorRate: must be between 0 and 1"},
			{`{"ehospital":{"errorStatus":200}}`, "ehospital.errorStatus: must be an HTTP status 400-599"},
			{`{"ehospital":{"latency":"-1s"}}`, "ehospital.latency: must be between"},
			{`{"ehospital":{"latency":"soon"}}`, "must be a Go duration"},
			{`{"ehospital":{"latency":5}}`, "duration must be a string"},
			{`{"ehospital":{"dwon":true}}`, `unknown field "dwon"`},
		} {
			wantStatus(t, call(t, http.MethodPut, s.URLs.Controls+"/faults", "application/json", tc.body), 400, tc.want)
		}
	})
}

func TestStats(t *testing.T) {
	s := start(t)
	cprs := cprList(s, 7)
	postJSON(t, s.URLs.OutOfHours+"/contacts/search", outofhoursapi.SearchRequest{CPRs: cprs})
	postJSON(t, s.URLs.OutOfHours+"/contacts/search", outofhoursapi.SearchRequest{CPRs: cprs[:2]})
	get(t, s.URLs.OutOfHours+"/contacts/ooh-000001")
	get(t, s.URLs.OutOfHours+"/contacts/nope")
	get(t, s.URLs.OutOfHours+"/openapi.json")  // documentation is not counted
	get(t, s.URLs.OutOfHours+"/no/such/route") // neither is what no route serves
	probe, _ := http.NewRequest(http.MethodGet, s.URLs.EHospitalFHIR+"/metadata", nil)
	probe.Header.Set("X-Klynge-Probe", "readiness") // nor a gateway's readiness probe
	if resp, err := http.DefaultClient.Do(probe); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("probe: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	st := s.Stats(t)
	if st.Requests(controls.SystemOutOfHours) != 4 || st.TotalRequests() != 4 {
		t.Fatalf("stats %+v", st)
	}
	search := st.Route(controls.SystemOutOfHours, "POST /outofhours/api/v1/contacts/search")
	if search.Requests != 2 || search.Keys.Total != 9 || search.Keys.Max != 7 || !slices.Equal(search.Keys.PerRequest, []int{7, 2}) {
		t.Errorf("search stats %+v", search)
	}
	byID := st.Route(controls.SystemOutOfHours, "GET /outofhours/api/v1/contacts/{id}")
	if byID.Requests != 2 || byID.Keys.Total != 2 {
		t.Errorf("read-by-id stats %+v, want 1 key per read", byID)
	}
	s.ResetStats(t)
	if n := s.Stats(t).TotalRequests(); n != 0 {
		t.Errorf("%d requests after reset", n)
	}
}

func TestTruthGaps(t *testing.T) {
	s := start(t)
	w := s.Sandbox.World()
	const cluster = "sjaelland-naestved-slagelse"
	a := get(t, s.URLs.Controls+"/truth/gaps?cluster="+cluster)
	wantStatus(t, a, 200)
	var truth controls.TruthGaps
	a.decode(t, &truth)
	if !slices.Equal(truth.Municipalities, []int{329, 330, 340, 370}) || !truth.Now.Equal(w.Now()) {
		t.Errorf("cluster %v now %v", truth.Municipalities, truth.Now)
	}
	var want []population.Gap
	for _, g := range w.Gaps() {
		if slices.Contains(g.ClusterIDs, cluster) {
			want = append(want, g)
		}
	}
	if len(truth.Gaps) != len(want) || len(want) == 0 {
		t.Fatalf("%d gaps served, world planted %d in the cluster", len(truth.Gaps), len(want))
	}
	for i, g := range truth.Gaps {
		if g.DischargeEncounterID != want[i].DischargeEncounterID || g.Kind != string(want[i].Kind) || !g.DischargedAt.Equal(want[i].DischargedAt) {
			t.Errorf("gap %d: %+v, want %+v", i, g, want[i])
		}
		if !slices.Contains([]int{329, 330, 340, 370}, g.Municipality) {
			t.Errorf("gap of a citizen outside the cluster: %+v", g)
		}
	}
	if got := s.TruthGaps(t, cluster); len(got) != len(truth.Gaps) {
		t.Errorf("sandboxtest.TruthGaps gave %d", len(got))
	}

	t.Run("from and to filter by discharge time", func(t *testing.T) {
		from, to := want[0].DischargedAt, want[0].DischargedAt.Add(time.Second)
		a := get(t, s.URLs.Controls+"/truth/gaps?cluster="+cluster+"&from="+from.Format(time.RFC3339)+"&to="+to.Format(time.RFC3339))
		var window controls.TruthGaps
		a.decode(t, &window)
		for _, g := range window.Gaps {
			if !g.DischargedAt.Equal(from) {
				t.Errorf("gap discharged %s outside the window", g.DischargedAt)
			}
		}
		if len(window.Gaps) == 0 {
			t.Error("window found nothing")
		}
	})

	t.Run("unknown or missing cluster", func(t *testing.T) {
		wantStatus(t, get(t, s.URLs.Controls+"/truth/gaps?cluster=atlantis"), 404, "\"atlantis\" is not a cluster")
		wantStatus(t, get(t, s.URLs.Controls+"/truth/gaps"), 400, "cluster: required")
		wantStatus(t, get(t, s.URLs.Controls+"/truth/gaps?cluster="+cluster+"&from=now"), 400, "from: must be an RFC 3339 time")
	})
}

func TestCitizenSamples(t *testing.T) {
	s := start(t)
	w := s.Sandbox.World()
	for _, tc := range []struct {
		with string
		has  func(c string) bool
	}{
		{controls.WithDischarge, func(c string) bool { return len(w.EncountersOf(domainCPR(c))) > 0 }},
		{controls.WithCare, func(c string) bool { return activeServices(w, c) > 0 }},
		{controls.WithOutOfHours, func(c string) bool { return len(w.OutOfHoursOf(domainCPR(c))) > 0 }},
		{controls.WithReferral, func(c string) bool { return len(w.ReferralsOf(domainCPR(c))) > 0 }},
		{controls.WithDischarge + "," + controls.WithCare, func(c string) bool {
			return len(w.EncountersOf(domainCPR(c))) > 0 && activeServices(w, c) > 0
		}},
	} {
		t.Run(tc.with, func(t *testing.T) {
			cprs := s.Citizens(t, 8, tc.with)
			if len(cprs) != 8 {
				t.Fatalf("sampled %d", len(cprs))
			}
			for _, c := range cprs {
				if !tc.has(c) {
					t.Errorf("sampled citizen %s... has no %s", c[:6], tc.with)
				}
			}
			if again := s.Citizens(t, 8, tc.with); !slices.Equal(again, cprs) {
				t.Error("the sample is not deterministic")
			}
		})
	}
	t.Run("a cluster's sample lives in the cluster", func(t *testing.T) {
		a := get(t, s.URLs.Controls+"/citizens?sample=20&with=care&cluster=sjaelland-nykobing")
		wantStatus(t, a, 200)
		var out controls.Citizens
		a.decode(t, &out)
		for _, c := range out.Citizens {
			if !slices.Contains([]int{360, 376, 390}, c.Municipality) || c.Reason == "" {
				t.Errorf("sample %+v", c)
			}
		}
	})
	t.Run("a client's sample is citizens the client may read", func(t *testing.T) {
		iss := s.Sandbox.OIDC()
		for _, c := range iss.Clients() {
			if _, _, ok := iss.Reads(c.ID, domain.Citizen{}); !ok {
				continue
			}
			for _, with := range []string{"", controls.WithDischarge} {
				a := get(t, s.URLs.Controls+"/citizens?sample=20&for="+c.ID+"&with="+with)
				wantStatus(t, a, 200)
				var out controls.Citizens
				a.decode(t, &out)
				if len(out.Citizens) == 0 && with == "" {
					t.Errorf("%s: no citizen it may read", c.ID)
				}
				for _, sample := range out.Citizens {
					cit, _ := w.Citizen(domainCPR(sample.CPR))
					if reads, _, _ := iss.Reads(c.ID, cit); !reads || sample.Reason == "" {
						t.Errorf("%s may not read sampled citizen %s... (%q)", c.ID, sample.CPR[:6], sample.Reason)
					}
					if with != "" && len(w.EncountersOf(cit.CPR)) == 0 {
						t.Errorf("%s: sampled citizen %s... has no discharge", c.ID, sample.CPR[:6])
					}
				}
			}
		}
	})
	t.Run("bad samples are 400 or 404", func(t *testing.T) {
		wantStatus(t, get(t, s.URLs.Controls+"/citizens"), 400, "with or for: give one or both")
		wantStatus(t, get(t, s.URLs.Controls+"/citizens?for=root"), 400, `for: "root" is not a demo client; one of clinician-slagelse`)
		wantStatus(t, get(t, s.URLs.Controls+"/citizens?for=integrator-naestved-slagelse"), 400, "reads no citizen by CPR")
		wantStatus(t, get(t, s.URLs.Controls+"/citizens?with=everything"), 400, "with: must be one or more of")
		wantStatus(t, get(t, s.URLs.Controls+"/citizens?with=care,"), 400, "with: must be one or more of")
		wantStatus(t, get(t, s.URLs.Controls+"/citizens?with=care&sample=0"), 400, "sample: must be an integer 1..1000")
		wantStatus(t, get(t, s.URLs.Controls+"/citizens?with=care&cluster=x"), 404)
	})
}

func TestIndexListsTheSystems(t *testing.T) {
	s := start(t)
	for _, path := range []string{"", "/"} {
		a := get(t, s.URLs.Controls+path)
		wantStatus(t, a, 200)
		var idx controls.Index
		a.decode(t, &idx)
		var names []string
		for _, sys := range idx.Systems {
			names = append(names, sys.Name)
			if wantStatus(t, get(t, sys.OpenAPI), 200); len(sys.Routes) == 0 {
				t.Errorf("%s lists no routes", sys.Name)
			}
		}
		if !slices.Equal(names, []string{"ehospital", "outofhours", "municipal", "gpreferral"}) || idx.Systems[0].BaseURL != s.URLs.EHospitalFHIR || len(idx.Controls) == 0 {
			t.Errorf("index %+v", idx)
		}
	}
	wantStatus(t, call(t, http.MethodPost, s.URLs.Controls+"/stats", "", nil), 405, "method_not_allowed")
	wantStatus(t, get(t, s.URLs.Controls+"/nothing"), 404)
}

// activeServices counts the citizen's municipal services running at the
// sandbox's present.
func activeServices(w *population.World, cpr string) int {
	n := 0
	for _, sv := range w.ServicesOf(domainCPR(cpr)) {
		if sv.ActiveAt(w.Now()) {
			n++
		}
	}
	return n
}
