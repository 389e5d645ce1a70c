package ehospital

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// Recorded from Medplum's FHIR router and in-memory repository
// (scripts/fhir-server, _count capped at 2) holding testdata/encounters.json
// and patients.json with reference-only subjects; the host renamed to
// medplum.region.example. Its next link repeats the whole search.
func TestMedplumAsRecorded(t *testing.T) {
	pages := map[string][]byte{}
	for _, name := range []string{"medplum-encounters-1", "medplum-encounters-2", "capability-medplum", "outcome-medplum"} {
		raw, err := os.ReadFile("testdata/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		pages[name] = raw
	}
	var f *fakeEHospital
	f = newFakeEHospital(t, func(w http.ResponseWriter, r *http.Request, n int) {
		form := f.seen()[n-1].form
		switch {
		case r.URL.Path == "/fhir/R4/metadata":
			_, _ = w.Write(pages["capability-medplum"])
		case r.Method == http.MethodPost && r.URL.Path == "/fhir/R4/Encounter/_search":
			switch {
			case form.Get("patient.municipality") != "":
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write(pages["outcome-medplum"])
			case form.Get("_offset") == "2":
				_, _ = w.Write(pages["medplum-encounters-2"])
			default:
				_, _ = w.Write(pages["medplum-encounters-1"])
			}
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	up, err := upstream.New(upstream.Options{System: "ehospital", BaseURL: f.URL + "/fhir/R4", PublicBaseURL: "https://medplum.region.example/fhir/R4"})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	c, err := New(up, Options{CPRSystem: "https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr", PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	caps, err := c.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for feature, want := range map[Feature]Declared{
		FeaturePatientIdentifier: DeclaredYes, FeatureChain: DeclaredAssumed, FeatureMunicipality: DeclaredNo,
		FeatureClass: DeclaredYes, FeatureRevInclude: DeclaredAssumed, FeatureInclude: DeclaredAssumed, FeatureProvenanceTarget: DeclaredYes,
	} {
		if caps.Declared[feature] != want {
			t.Errorf("Medplum's statement: %s %s, want %s", feature, caps.Declared[feature], want)
		}
	}
	got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.seen()[1:]
	if len(reqs) != 2 || reqs[1].method != http.MethodPost || reqs[1].form.Get("_offset") != "2" || len(reqs[1].query) != 0 {
		t.Fatalf("requests %+v; want two POSTs, the second with the next link's parameters in the body", reqs)
	}
	if len(got[cprKarl]) != 2 || len(got[cprInger]) != 1 {
		t.Fatalf("Karl %d encounters, Inger %d; want 2 and 1", len(got[cprKarl]), len(got[cprInger]))
	}
	if n := got[cprKarl][1].Notifications; len(n) != 3 || n[2].Code != "RE_SLHJ" || n[2].Replaces != "prov-2" {
		t.Errorf("Karl's stay's notifications %+v", n)
	}
	if _, err := c.SearchEncounters(context.Background(), EncounterQuery{Municipalities: []domain.MunicipalityCode{330}}); err != nil {
		t.Errorf("the worklist without patient.municipality: %v", err)
	}
	if _, param, ok := refusedFeature(outcomeError(&upstream.StatusError{Status: 400, Body: pages["outcome-medplum"]}),
		[]optional{{name: "patient.municipality", feature: FeatureMunicipality}}); !ok || param != "patient.municipality" {
		t.Errorf("Medplum's refusal not read: %q %v", param, ok)
	}
}
