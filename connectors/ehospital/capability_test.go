package ehospital

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

func TestCapabilitiesAreReadFromTheStatement(t *testing.T) {
	tests := []struct {
		file     string
		software string
		want     map[Feature]Declared
		unused   []Feature
	}{
		{"capability-hapi.json", "HAPI FHIR Server 7.4.0", map[Feature]Declared{
			FeaturePatientIdentifier: DeclaredYes, FeatureChain: DeclaredAssumed, FeaturePatientReference: DeclaredYes,
			FeatureMunicipality: DeclaredNo, FeatureClass: DeclaredYes, FeatureRevInclude: DeclaredYes,
			FeatureInclude: DeclaredYes, FeatureProvenanceTarget: DeclaredYes,
		}, []Feature{FeatureMunicipality}},
		{"capability-minimal.json", "Regional EPR FHIR facade 2025.3", map[Feature]Declared{
			FeaturePatientIdentifier: DeclaredYes, FeatureChain: DeclaredAssumed, FeaturePatientReference: DeclaredYes,
			FeatureMunicipality: DeclaredNo, FeatureClass: DeclaredNo, FeatureRevInclude: DeclaredNo,
			FeatureInclude: DeclaredNo, FeatureProvenanceTarget: DeclaredYes,
		}, []Feature{FeatureMunicipality, FeatureClass, FeatureRevInclude, FeatureInclude}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := newFakeEHospital(t, serveFile(t, tt.file))
			c := newClient(t, f.base(), Options{})
			caps, err := c.Discover(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if r := f.seen()[0]; r.method != http.MethodGet || r.path != "/ehospital/fhir/metadata" {
				t.Errorf("statement read with %s %s", r.method, r.path)
			}
			if caps.Software != tt.software || caps.FHIRVersion != "4.0.1" || caps.ReadAt.IsZero() {
				t.Errorf("software %q, version %q, read at %v", caps.Software, caps.FHIRVersion, caps.ReadAt)
			}
			for f, want := range tt.want {
				if caps.Declared[f] != want {
					t.Errorf("%s declared %s, want %s", f, caps.Declared[f], want)
				}
			}
			for _, s := range caps.Report() {
				unused := false
				for _, u := range tt.unused {
					unused = unused || u == s.Feature
				}
				if s.Used == unused || s.Fallback == "" {
					t.Errorf("%s: used %v, fallback %q", s.Feature, s.Used, s.Fallback)
				}
			}
		})
	}
}

func TestAFailedDiscoveryKeepsTryingEverything(t *testing.T) {
	f := newFakeEHospital(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusServiceUnavailable) })
	c := newClient(t, f.base(), Options{})
	caps, err := c.Discover(context.Background())
	if err == nil || caps.Err == nil || !caps.ReadAt.IsZero() {
		t.Fatalf("err %v, caps %+v", err, caps)
	}
	for _, s := range caps.Report() {
		if s.Declared != DeclaredAssumed || !s.Used {
			t.Errorf("%s: %+v; want assumed and used", s.Feature, s)
		}
	}
	var se *upstream.StatusError
	if !errors.As(err, &se) {
		t.Errorf("err %T", err)
	}
}

func TestTheRefusedParameterIsTheOneTheOutcomeNamesFirst(t *testing.T) {
	opts := []optional{
		{"patient.identifier", FeatureChain}, {"_revinclude", FeatureRevInclude}, {"Provenance:target", FeatureRevInclude},
		{"patient.municipality", FeatureMunicipality}, {"class", FeatureClass},
	}
	tests := []struct {
		name, body string
		want       Feature
		wantParam  string
	}{
		{"HAPI lists what it supports after the refused one",
			`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"HAPI-0524: Unknown search parameter \"patient.municipality\" for resource type \"Encounter\". Valid search parameters for this search are: [_id, class, date, patient, patient.identifier, status]"}]}`,
			FeatureMunicipality, "patient.municipality"},
		{"Medplum names the one",
			`{"resourceType":"OperationOutcome","id":"bad-request","issue":[{"severity":"error","code":"invalid","details":{"text":"Unknown search parameter: patient.municipality"}}]}`,
			FeatureMunicipality, "patient.municipality"},
		{"an include value",
			`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"Invalid _revinclude parameter value: \"Provenance:target\""}]}`,
			FeatureRevInclude, "_revinclude"},
		{"in the expression",
			`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported","expression":["patient.identifier"]}]}`,
			FeatureChain, "patient.identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := outcomeError(&upstream.StatusError{System: "ehospital", Status: http.StatusBadRequest, Body: []byte(tt.body)})
			f, param, ok := refusedFeature(err, opts)
			if !ok || f != tt.want || param != tt.wantParam {
				t.Errorf("refused %s (%q, %v); want %s (%q)", f, param, ok, tt.want, tt.wantParam)
			}
		})
	}
	other := outcomeError(&upstream.StatusError{System: "ehospital", Status: http.StatusBadRequest,
		Body: []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"date: bad value"}]}`)})
	if _, _, ok := refusedFeature(other, opts); ok {
		t.Error("an outcome naming no optional parameter was read as a refusal")
	}
}

func TestTheProbeSendsNoCPRAndLearnsTheRefusals(t *testing.T) {
	repo := newRepo(t, "patients.json", "encounters.json")
	repo.refuse = []string{"patient.municipality", "_include"}
	c := newClient(t, repo.base(), Options{})
	caps, err := c.Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if caps.Uses(FeatureMunicipality) || caps.Uses(FeatureInclude) || !caps.Uses(FeatureChain) || !caps.Uses(FeatureRevInclude) {
		t.Errorf("after probing: %+v", caps.Report())
	}
	for _, r := range repo.seen() {
		for _, v := range r.form {
			if strings.Contains(strings.Join(v, ","), string(cprKarl)) || strings.Contains(strings.Join(v, ","), fhirSyntheticSystem) {
				t.Errorf("a probe sent %v", r.form)
			}
		}
	}
	if len(repo.seen()) != 8 {
		t.Errorf("%d probes, want one per feature", len(repo.seen()))
	}
}

const fhirSyntheticSystem = "https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr"
