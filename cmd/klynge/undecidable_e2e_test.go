package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// accessVerdict is what a caller got for citizen(cpr): "allowed" (the
// citizen is there, whatever the errors of the systems that failed), or the
// code of the error at the citizen, with its system.
func accessVerdict(t *testing.T, r gqlResponse) (verdict, system string) {
	t.Helper()
	var data struct{ Citizen json.RawMessage }
	if err := json.Unmarshal(r.Data, &data); err == nil && len(data.Citizen) > 0 && string(data.Citizen) != "null" {
		return "allowed", ""
	}
	for _, e := range r.Errors {
		if len(e.Path) == 1 && e.Path[0] == "citizen" {
			code, _ := e.Extensions["code"].(string)
			system, _ := e.Extensions["system"].(string)
			return code, system
		}
	}
	t.Fatalf("no error at the citizen and no citizen: %s %+v", r.Data, r.Errors)
	return "", ""
}

// TestWhenEHospitaletFailsTheOtherEvidenceDecides: with every request to
// eHospitalet failing, a GP's listing is shown by the GP feed's contacts
// and a nurse's relationship by her municipality's services; where no other
// evidence exists the refusal is ACCESS_UNDECIDABLE naming eHospitalet, not
// a FORBIDDEN that blames the caller.
func TestWhenEHospitaletFailsTheOtherEvidenceDecides(t *testing.T) {
	a := startAccessDemo(t)
	now, _ := time.Parse(time.RFC3339, accessNow)
	gp := domain.Ydernummer(a.clients[oidc.ClientGP].Organization)
	var listedWithContact, listedWithout, receivingCare string
	for _, c := range a.world.Citizens() {
		if c.DeceasedAt != nil {
			continue
		}
		recent := false
		for _, ct := range a.world.GPContactsOf(c.CPR) {
			recent = recent || (ct.Practice == gp && ct.At.After(now.Add(-365*24*time.Hour)) && !ct.At.After(now))
		}
		switch {
		case c.GP == gp && recent && listedWithContact == "":
			listedWithContact = string(c.CPR)
		case c.GP == gp && !recent && len(a.world.GPContactsOf(c.CPR)) == 0 && listedWithout == "":
			listedWithout = string(c.CPR)
		}
		for _, s := range a.world.ServicesOf(c.CPR) {
			if s.Municipality == 330 && s.ActiveAt(now) && receivingCare == "" {
				receivingCare = string(c.CPR)
			}
		}
	}
	if listedWithContact == "" || listedWithout == "" || receivingCare == "" {
		t.Fatalf("the population lacks a test citizen: %q %q %q", listedWithContact, listedWithout, receivingCare)
	}
	sb := &sandboxtest.Server{URL: a.Sandbox, URLs: sandbox.URLs(a.Sandbox)}
	sb.SetFaults(t, map[string]controls.Fault{"ehospital": {ErrorRate: 1}})
	t.Cleanup(func() { sb.ClearFaults(t) })

	q := `query($cpr: CPR!) { citizen(cpr: $cpr) { cpr } }`
	tests := []struct {
		name, client, cpr string
		want, system      string
	}{
		{"a GP's patient with a recent contact: the GP feed stands in for the listing", oidc.ClientGP, listedWithContact, "allowed", ""},
		{"a GP's patient without contacts: undecidable", oidc.ClientGP, listedWithout, "ACCESS_UNDECIDABLE", "ehospital"},
		{"a nurse's citizen receiving her municipality's care: decided by the care system", oidc.ClientNurseSlagelse, receivingCare, "allowed", ""},
		{"a clinician's patient: encounters only eHospitalet holds, undecidable", oidc.ClientClinicianSlagelse, a.clients[oidc.ClientClinicianSlagelse].ExampleCitizen, "ACCESS_UNDECIDABLE", "ehospital"},
		{"a citizen unrelated to the clinician: undecidable too, never FORBIDDEN on no evidence", oidc.ClientClinicianSlagelse, a.unrelated, "ACCESS_UNDECIDABLE", "ehospital"},
		{"an out-of-hours doctor reads Lægevagten, which answers", oidc.ClientOutOfHours, a.clients[oidc.ClientOutOfHours].ExampleCitizen, "allowed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := queryAs(t, a.GraphQL, a.tokens[tt.client], q, map[string]any{"cpr": tt.cpr})
			got, system := accessVerdict(t, r)
			if got != tt.want || system != tt.system {
				t.Errorf("%s, system %q; want %s, system %q (%+v)", got, system, tt.want, tt.system, r.Errors)
			}
			for _, e := range r.Errors {
				if e.Extensions["code"] == "ACCESS_UNDECIDABLE" && !(strings.Contains(e.Message, "eHospitalet") && strings.Contains(e.Message, "did not answer")) {
					t.Errorf("the refusal does not say which system did not answer: %q", e.Message)
				}
			}
		})
	}
}
