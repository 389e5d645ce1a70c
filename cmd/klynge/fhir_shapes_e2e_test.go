package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/internal/waitfor"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// TestWhatTheServerLeftOutIsNullNotEmpty points eHospitalet at a server
// that gives a hospital and a department by SOR code only and a patient
// without an address, as servers do: the names are null (not ""), and
// sources says the patient index answered without a municipality (not that
// it did not answer).
func TestWhatTheServerLeftOutIsNullNotEmpty(t *testing.T) {
	var cpr string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/Patient/_search"):
			fmt.Fprintf(w, `{"resourceType":"Bundle","type":"searchset","entry":[{"search":{"mode":"match"},"resource":
				{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr","value":%q}],
				 "name":[{"family":"Syntesen","given":["Bo"]}]}}]}`, cpr)
		case strings.HasSuffix(r.URL.Path, "/Encounter/_search"):
			fmt.Fprintf(w, `{"resourceType":"Bundle","type":"searchset","entry":[{"search":{"mode":"match"},"resource":
				{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"IMP"},
				 "subject":{"reference":"Patient/p1","identifier":{"system":"https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr","value":%q}},
				 "period":{"start":"2026-11-01T10:00:00+01:00","end":"2026-11-04T10:00:00+01:00"},
				 "serviceProvider":{"identifier":{"system":"urn:oid:1.2.208.176.1.1","value":"6621000"}},
				 "location":[{"location":{"identifier":{"system":"urn:oid:1.2.208.176.1.1","value":"6621010"}}}]}}]}`, cpr)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}`)
		}
	}))
	defer fake.Close()
	d, _ := fhirStack(t, "ehospital", fake.URL+"/fhir")
	cpr = sampleAndBreakGlass(t, d, 1, controls.WithCare)[0]
	r := query(t, d.GraphQL, `query($cpr: CPR!) { citizen(cpr: $cpr) {
		hospitalEncounters { nodes { hospital { sor name } department { sor name } } }
		careServices { totalCount }
		sources { system ok error } } }`, map[string]any{"cpr": cpr})
	var got struct {
		Citizen struct {
			HospitalEncounters struct {
				Nodes []struct {
					Hospital, Department struct {
						Sor  string
						Name *string
					}
				}
			}
			Sources []struct {
				System string
				Ok     bool
				Error  *string
			}
		}
	}
	if err := json.Unmarshal(r.Data, &got); err != nil {
		t.Fatal(err)
	}
	nodes := got.Citizen.HospitalEncounters.Nodes
	if len(nodes) != 1 || nodes[0].Hospital.Sor != "6621000" || nodes[0].Hospital.Name != nil || nodes[0].Department.Name != nil {
		t.Fatalf("encounters %+v; want the SOR codes and null names", nodes)
	}
	var municipal string
	for _, s := range got.Citizen.Sources {
		if s.System == "MUNICIPAL" && s.Error != nil {
			municipal = *s.Error
		}
	}
	if municipal != "not asked: the patient index gave no municipality for the citizen" {
		t.Errorf("sources say %q about the municipal system", municipal)
	}
}

// TestReadinessNamesTheFeaturesKlyngeDoesWithout: /readyz says when the
// FHIR server's statement was read and what klynge falls back from, and
// the metrics say it per feature.
func TestReadinessNamesTheFeaturesKlyngeDoesWithout(t *testing.T) {
	d, _ := fhirStack(t, "medplum", "")
	root := strings.TrimSuffix(d.GraphQL, "/graphql")
	var ready struct {
		Status    string
		Upstreams map[string]struct {
			CapabilitiesReadAt string
			Software           string
			WithoutFeatures    []string
		}
	}
	var err error
	// The statement is read in the background from start, and readiness is
	// checked in the background too: wait for both.
	waitfor.Until(t, "the gateway ready with eHospitalet's capability statement read", waitfor.Budget, func() bool {
		resp, gerr := http.Get(root + "/readyz")
		if gerr != nil {
			t.Fatal(gerr)
		}
		err = json.NewDecoder(resp.Body).Decode(&ready)
		resp.Body.Close()
		return err != nil || (ready.Status == "ready" && ready.Upstreams["ehospital"].CapabilitiesReadAt != "")
	})
	eh := ready.Upstreams["ehospital"]
	if err != nil || ready.Status != "ready" || eh.CapabilitiesReadAt == "" || eh.Software != "klynge sandbox: eHospitalet dialect medplum" ||
		len(eh.WithoutFeatures) != 1 || eh.WithoutFeatures[0] != "Encounter?patient.municipality" {
		t.Fatalf("readyz %+v (%v)", ready, err)
	}
	resp, err := http.Get(d.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`klynge_upstream_fhir_feature_used{feature="Encounter?patient.municipality",system="ehospital"} 0`,
		`klynge_upstream_fhir_feature_used{feature="Encounter?_revinclude=Provenance:target",system="ehospital"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
