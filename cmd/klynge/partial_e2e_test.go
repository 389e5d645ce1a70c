package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// patientContext runs docs/queries/patient-context.graphql for cpr and
// returns the citizen as JSON values.
func patientContext(t *testing.T, d *demo, cpr string) (gqlResponse, map[string]any, time.Duration) {
	t.Helper()
	r, took := timedQuery(t, d.GraphQL, exampleQuery(t, "patient-context.graphql"), map[string]any{"cpr": cpr})
	if r.Status != 200 {
		t.Fatalf("status %d: %+v", r.Status, r.Errors)
	}
	var data struct{ Citizen map[string]any }
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatalf("data: %v: %s", err, r.Data)
	}
	if data.Citizen == nil {
		t.Fatalf("the whole citizen is null: %s %v", r.Data, upstreamErrors(r))
	}
	return r, data.Citizen, took
}

// sourceOf finds the citizen's `sources` entry of a system.
func sourceOf(c map[string]any, system string) map[string]any {
	srcs, _ := c["sources"].([]any)
	for _, s := range srcs {
		if m, _ := s.(map[string]any); m["system"] == system {
			return m
		}
	}
	return nil
}

// systemFields are the patient-context fields each system answers.
var systemFields = map[string][]string{
	"EHOSPITAL":    {"name", "address", "municipality", "hospitalEncounters"},
	"OUT_OF_HOURS": {"outOfHoursContacts"},
	"MUNICIPAL":    {"careServices", "careVisits", "notificationsReceived"},
	"GP_REFERRAL":  {"gp", "referrals"},
}

func TestLaegevagtenDownLeavesTheRestOfThePatientContextComplete(t *testing.T) {
	s := startStack(t, nil)
	cpr := sampleAndBreakGlass(t, s.demo, 1, controls.WithOutOfHours)[0]
	grantGlass(t, s.demo, []string{cpr})
	_, healthy, _ := patientContext(t, s.demo, cpr)

	s.faults(t, map[string]controls.Fault{"outofhours": {Down: true}})
	r, got, took := patientContext(t, s.demo, cpr)
	t.Logf("Lægevagten down: answered in %s with %v", took.Round(time.Millisecond), upstreamErrors(r))

	if len(r.Errors) != 1 {
		t.Fatalf("errors %v, want exactly one", upstreamErrors(r))
	}
	if e := r.Errors[0]; e.Extensions["code"] != "UPSTREAM_UNAVAILABLE" || e.Extensions["system"] != "outofhours" ||
		!reflect.DeepEqual(e.Path, []any{"citizen", "outOfHoursContacts"}) || !strings.HasPrefix(e.Message, "outofhours: ") {
		t.Errorf("error %+v, want UPSTREAM_UNAVAILABLE naming outofhours at citizen.outOfHoursContacts", e)
	}
	if got["outOfHoursContacts"] != nil {
		t.Errorf("outOfHoursContacts = %v, want null", got["outOfHoursContacts"])
	}
	for _, system := range []string{"EHOSPITAL", "MUNICIPAL", "GP_REFERRAL"} {
		for _, f := range systemFields[system] {
			if !reflect.DeepEqual(got[f], healthy[f]) {
				t.Errorf("%s field %s differs from the healthy answer:\n got %v\nwant %v", system, f, got[f], healthy[f])
			}
		}
		if src := sourceOf(got, system); src == nil || src["ok"] != true {
			t.Errorf("sources %s = %v, want ok", system, src)
		}
	}
	src := sourceOf(got, "OUT_OF_HOURS")
	if src == nil || src["ok"] != false || src["errorCode"] != "UPSTREAM_UNAVAILABLE" || src["instance"] != "outofhours" {
		t.Errorf("sources OUT_OF_HOURS = %v, want not ok with UPSTREAM_UNAVAILABLE", src)
	}
	if n := s.metric(t, "klynge_graphql_errors_total", `code="UPSTREAM_UNAVAILABLE"`, `system="outofhours"`); n != 1 {
		t.Errorf("/metrics counts %v errors for outofhours, want 1", n)
	}
	if n := s.metric(t, "klynge_upstream_requests_total", `system="outofhours"`, `outcome="unavailable"`); n != 1 {
		t.Errorf("/metrics counts %v unavailable outofhours calls, want 1", n)
	}
	// The failed batch's log line names the request, so that an operator
	// can find the answer it spoiled.
	logged := false
	for _, line := range strings.Split(s.Output.String(), "\n") {
		if strings.Contains(line, `"msg":"upstream batch failed"`) && strings.Contains(line, `"system":"outofhours"`) {
			logged = strings.Contains(line, `"request_id":"`)
			if !logged {
				t.Errorf("the failed batch's log line has no request id: %s", line)
			}
		}
	}
	if !logged {
		t.Error("no log line for the failed out-of-hours batch")
	}
}

func TestEHospitaletFailingHalfItsRequestsIsMostlyRecoveredByRetries(t *testing.T) {
	s := startStack(t, nil)
	cprs := sampleAndBreakGlass(t, s.demo, 30, controls.WithDischarge)
	grantGlass(t, s.demo, cprs)
	s.faults(t, map[string]controls.Fault{"ehospital": {ErrorRate: 0.5, ErrorStatus: 503}})

	complete, partial := 0, 0
	var slowest time.Duration
	for _, cpr := range cprs {
		r, c, took := patientContext(t, s.demo, cpr)
		slowest = max(slowest, took)
		for _, e := range r.Errors {
			if e.Extensions["system"] != "ehospital" || e.Extensions["code"] != "UPSTREAM_UNAVAILABLE" {
				t.Errorf("error %+v, want only eHospitalet unavailable", e)
			}
		}
		if len(r.Errors) == 0 {
			complete++
			if c["name"] == nil || c["hospitalEncounters"] == nil {
				t.Errorf("a complete answer without name or encounters: %v", c)
			}
		} else {
			partial++
		}
	}
	retries := s.metric(t, "klynge_upstream_retries_total", `system="ehospital"`)
	t.Logf("eHospitalet 50%% 503: %d complete, %d partial of %d patient contexts; slowest %s; eHospitalet retries %v; breaker state %v",
		complete, partial, len(cprs), slowest.Round(time.Millisecond), retries,
		s.metric(t, "klynge_upstream_breaker_state", `system="ehospital"`))
	if complete <= partial {
		t.Errorf("retries recovered %d of %d answers, want most", complete, len(cprs))
	}
	if retries == 0 {
		t.Error("no eHospitalet call was retried")
	}
	if n := s.metric(t, "klynge_request_deadline_exceeded_total"); n != 0 {
		t.Errorf("%v requests exceeded their deadline", n)
	}
	if st := s.metric(t, "klynge_upstream_breaker_state", `system="ehospital"`); st != 0 {
		t.Errorf("eHospitalet's breaker is %v, want closed (0): half its calls succeed", st)
	}
}

func TestMalformedUpstreamDataIsABadResponseForThatSystemOnly(t *testing.T) {
	s := startStack(t, nil)
	in, _ := sampleIn(t, s.demo, 330, 1, 0)
	cpr := in[0]
	grantGlass(t, s.demo, []string{cpr})
	tests := []struct {
		name, fault, system string
		nullFields          []string
	}{
		{"malformed eHospitalet fails the patient index and what depends on it", "ehospital", "ehospital", []string{"name", "hospitalEncounters"}},
		{"malformed Lægevagten fails its contacts", "outofhours", "outofhours", []string{"outOfHoursContacts"}},
		{"malformed GP feed fails referrals and the practice", "gpreferral", "gpreferral", []string{"gp", "referrals"}},
		{"a malformed municipal system fails that municipality's care", "municipal/330", "municipal/330", []string{"careServices", "careVisits", "notificationsReceived"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.faults(t, map[string]controls.Fault{tt.fault: {Malformed: true}})
			defer s.faults(t, nil)
			r, c, _ := patientContext(t, s.demo, cpr)
			if len(r.Errors) == 0 {
				t.Fatal("no error for malformed data")
			}
			for _, e := range r.Errors {
				if e.Extensions["code"] != "UPSTREAM_BAD_RESPONSE" || e.Extensions["system"] != tt.system {
					t.Errorf("error %v, want UPSTREAM_BAD_RESPONSE naming %s", upstreamErrors(gqlResponse{Errors: []gqlError{e}}), tt.system)
				}
			}
			for _, f := range tt.nullFields {
				if c[f] != nil {
					t.Errorf("%s = %v, want null", f, c[f])
				}
			}
			if got, _ := c["cpr"].(string); strings.ReplaceAll(got, "-", "") != cpr {
				t.Errorf("cpr = %v: the citizen must stand", c["cpr"])
			}
		})
	}
	if strings.Contains(s.Output.String(), "panic") {
		t.Errorf("the gateway logged a panic:\n%s", s.Output.String())
	}
}

func TestOneFailedSystemNeverNullsACitizenOrTheList(t *testing.T) {
	s := startStack(t, nil)
	in, out := sampleIn(t, s.demo, 330, 3, 5)
	cprs := append(slices.Clone(in), out...)
	grantGlass(t, s.demo, cprs)
	const list = `query($cprs: [CPR!]!) { citizens(cprs: $cprs) { cpr birthDate name careServices { totalCount } } }`
	type citizen struct {
		Cpr          string
		BirthDate    string
		Name         *string
		CareServices *struct{ TotalCount int }
	}
	tests := []struct {
		name     string
		fault    string
		nullName func(cpr string) bool
		nullCare func(cpr string) bool
	}{
		{"one municipality down nulls only its citizens' care", "municipal/330",
			func(string) bool { return false }, func(cpr string) bool { return slices.Contains(in, cpr) }},
		{"the patient index down leaves every citizen with what the CPR says", "ehospital",
			func(string) bool { return true }, func(string) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.faults(t, map[string]controls.Fault{tt.fault: {Down: true}})
			defer s.faults(t, nil)
			r := query(t, s.GraphQL, list, map[string]any{"cprs": cprs})
			var data struct{ Citizens []*citizen }
			if err := json.Unmarshal(r.Data, &data); err != nil || len(data.Citizens) != len(cprs) {
				t.Fatalf("citizens list %s (errors %v), want %d entries", r.Data, upstreamErrors(r), len(cprs))
			}
			for i, c := range data.Citizens {
				if c == nil || strings.ReplaceAll(c.Cpr, "-", "") != cprs[i] || c.BirthDate == "" {
					t.Fatalf("citizen %d = %+v, want it with its CPR and birth date", i, c)
				}
				if (c.Name == nil) != tt.nullName(cprs[i]) {
					t.Errorf("citizen %d name %v", i, c.Name)
				}
				if (c.CareServices == nil) != tt.nullCare(cprs[i]) {
					t.Errorf("citizen %d careServices %v", i, c.CareServices)
				}
			}
			for _, e := range r.Errors {
				if e.Extensions["system"] != tt.fault {
					t.Errorf("error %v names another system than %s", upstreamErrors(gqlResponse{Errors: []gqlError{e}}), tt.fault)
				}
			}
		})
	}
}
