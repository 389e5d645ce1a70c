package ehospital

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
)

// mutate applies edit to the decoded testdata file and re-encodes it.
func mutate(t *testing.T, file string, edit func(b map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	edit(b)
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// resource is entry i's resource of a decoded bundle.
func resource(b map[string]any, i int) map[string]any {
	return b["entry"].([]any)[i].(map[string]any)["resource"].(map[string]any)
}

func TestMalformedDataIsRefusedNamingTheField(t *testing.T) {
	// In encounters.json: entry 0 is enc-1, entry 1 is prov-3 about it.
	tests := []struct {
		name      string
		file      string
		edit      func(b map[string]any)
		raw       string
		wantField string
	}{
		{name: "encounter subject without identifier", file: "encounters.json",
			edit:      func(b map[string]any) { resource(b, 0)["subject"] = map[string]any{"reference": "Patient/pat-1"} },
			wantField: "entry[0].resource.subject.identifier"},
		{name: "encounter subject with another identifier system", file: "encounters.json",
			edit: func(b map[string]any) {
				resource(b, 0)["subject"] = map[string]any{"identifier": map[string]any{"system": "urn:oid:1.2.208.176.1.2", "value": string(cprKarl)}}
			},
			wantField: "entry[0].resource.subject.identifier"},
		{name: "invalid CPR in subject", file: "encounters.json",
			edit: func(b map[string]any) {
				resource(b, 0)["subject"].(map[string]any)["identifier"].(map[string]any)["value"] = "6713851235"
			},
			wantField: "entry[0].resource.subject.identifier.value"},
		{name: "encounter of a citizen not asked about", file: "encounters.json",
			edit: func(b map[string]any) {
				resource(b, 0)["subject"].(map[string]any)["identifier"].(map[string]any)["value"] = "6205901234"
			},
			wantField: "entry[0].resource.subject.identifier"},
		{name: "unknown MedCom activity code", file: "encounters.json",
			edit: func(b map[string]any) {
				resource(b, 1)["activity"] = map[string]any{"coding": []any{map[string]any{
					"system": "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes", "code": "STOUT"}}}
			},
			wantField: "entry[1].resource.activity"},
		{name: "activity without the MedCom system", file: "encounters.json",
			edit: func(b map[string]any) {
				resource(b, 1)["activity"] = map[string]any{"coding": []any{map[string]any{"code": "admit-inpatient"}}}
			},
			wantField: "entry[1].resource.activity"},
		{name: "period start not a time", file: "encounters.json",
			edit:      func(b map[string]any) { resource(b, 0)["period"] = map[string]any{"start": "1. februar 2026"} },
			wantField: "entry[0].resource.period.start"},
		{name: "period end before start", file: "encounters.json",
			edit: func(b map[string]any) {
				resource(b, 0)["period"] = map[string]any{"start": "2026-02-05T10:00:00Z", "end": "2026-02-01T10:00:00Z"}
			},
			wantField: "entry[0].resource.period.end"},
		{name: "class as a string instead of a Coding", file: "encounters.json",
			edit:      func(b map[string]any) { resource(b, 0)["class"] = "IMP" },
			wantField: "entry[0].resource.class"},
		{name: "unknown class", file: "encounters.json",
			edit:      func(b map[string]any) { resource(b, 0)["class"] = map[string]any{"code": "AMB"} },
			wantField: "entry[0].resource.class.code"},
		{name: "unknown status", file: "encounters.json",
			edit:      func(b map[string]any) { resource(b, 0)["status"] = "triaged" },
			wantField: "entry[0].resource.status"},
		{name: "unknown discharge destination", file: "encounters.json",
			edit: func(b map[string]any) {
				resource(b, 0)["hospitalization"] = map[string]any{"dischargeDisposition": map[string]any{"coding": []any{map[string]any{
					"system": "https://klynge.sundhedsklynge.dk/fhir/CodeSystem/discharge-destination", "code": "moon"}}}}
			},
			wantField: "entry[0].resource.hospitalization.dischargeDisposition"},
		{name: "provenance about no encounter", file: "encounters.json",
			edit:      func(b map[string]any) { resource(b, 1)["target"] = []any{map[string]any{"reference": "Patient/pat-1"}} },
			wantField: "entry[1].resource.target"},
		{name: "provenance recorded time missing", file: "encounters.json",
			edit:      func(b map[string]any) { delete(resource(b, 1), "recorded") },
			wantField: "entry[1].resource.recorded"},
		{name: "receiver municipality not a code", file: "encounters.json",
			edit: func(b map[string]any) {
				resource(b, 1)["extension"].([]any)[0].(map[string]any)["valueCoding"] = map[string]any{"code": "Slagelse"}
			},
			wantField: "entry[1].resource.extension[0].valueCoding.code"},
		{name: "target of the wrong type", file: "encounters.json",
			edit:      func(b map[string]any) { resource(b, 1)["target"] = "Encounter/enc-1" },
			wantField: "entry[1].resource.target"},
		{name: "resource without resourceType", file: "encounters.json",
			edit:      func(b map[string]any) { delete(resource(b, 0), "resourceType") },
			wantField: "entry[0].resource.resourceType"},
		{name: "entry without resource", file: "encounters.json",
			edit:      func(b map[string]any) { delete(b["entry"].([]any)[0].(map[string]any), "resource") },
			wantField: "entry[0].resource"},
		{name: "not a searchset", file: "encounters.json",
			edit:      func(b map[string]any) { b["type"] = "collection" },
			wantField: "type"},
		{name: "an OperationOutcome with status 200", raw: `{"resourceType":"OperationOutcome","issue":[]}`, wantField: "resourceType"},
		{name: "entries of the wrong type", raw: `{"resourceType":"Bundle","type":"searchset","entry":{}}`, wantField: "entry"},
		{name: "not JSON", raw: `<html><body>502 Bad Gateway</body></html>`, wantField: ""},
		{name: "truncated", raw: `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Encounter","id":"e`, wantField: "entry[0].resource.id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.raw)
			if tt.file != "" {
				body = mutate(t, tt.file, tt.edit)
			}
			f := newFakeEHospital(t, func(w http.ResponseWriter, _ *http.Request, _ int) { _, _ = w.Write(body) })
			c := newClient(t, f.base(), Options{})
			_, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
			var de *upstream.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("want *upstream.DecodeError, got %T %v", err, err)
			}
			if de.Field != tt.wantField || de.System != "ehospital" {
				t.Errorf("DecodeError names %s field %q, want ehospital %q (%v)", de.System, de.Field, tt.wantField, err)
			}
			for _, cpr := range []string{string(cprKarl), "6713851235", "6205901234"} {
				if strings.Contains(err.Error(), cpr) {
					t.Errorf("error quotes a CPR: %v", err)
				}
			}
			if _, code, _ := upstream.Classify(err); code != errcode.UpstreamBadResponse {
				t.Errorf("Classify code %s, want %s", code, errcode.UpstreamBadResponse)
			}
		})
	}
}

func TestMalformedPatientsAreRefusedNamingTheField(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(b map[string]any)
		wantField string
	}{
		{"patient without a CPR identifier", func(b map[string]any) { resource(b, 0)["identifier"] = []any{} }, "entry[0].resource.identifier"},
		{"invalid CPR", func(b map[string]any) {
			resource(b, 1)["identifier"].([]any)[0].(map[string]any)["value"] = "681142-45"
		}, "entry[1].resource.identifier[0].value"},
		{"birth date not a date", func(b map[string]any) { resource(b, 0)["birthDate"] = "07-03-1985" }, "entry[0].resource.birthDate"},
		{"unknown gender", func(b map[string]any) { resource(b, 0)["gender"] = "M" }, "entry[0].resource.gender"},
		{"deceased time not a time", func(b map[string]any) { resource(b, 1)["deceasedDateTime"] = "last week" }, "entry[1].resource.deceasedDateTime"},
		{"name of the wrong type", func(b map[string]any) { resource(b, 0)["name"] = "Karl" }, "entry[0].resource.name"},
		{"municipality code out of range", func(b map[string]any) {
			resource(b, 1)["address"].([]any)[0].(map[string]any)["extension"].([]any)[0].(map[string]any)["valueCoding"] = map[string]any{"code": "9999"}
		}, "entry[1].resource.address[0].extension[0].valueCoding.code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := mutate(t, "patients.json", tt.edit)
			f := newFakeEHospital(t, func(w http.ResponseWriter, _ *http.Request, _ int) { _, _ = w.Write(body) })
			c := newClient(t, f.base(), Options{})
			_, err := c.PatientsByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
			var de *upstream.DecodeError
			if !errors.As(err, &de) || de.Field != tt.wantField {
				t.Fatalf("want DecodeError at %q, got %v", tt.wantField, err)
			}
		})
	}
}
