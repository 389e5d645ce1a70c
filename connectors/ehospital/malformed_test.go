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

// field is a DecodeError's field without its entry: the entry's index
// depends on how the server pages and includes.
func field(de *upstream.DecodeError) string {
	if _, rest, ok := strings.Cut(de.Field, "].resource"); ok {
		return strings.TrimPrefix(rest, ".")
	}
	return de.Field
}

// In encounters.json: entry 0 is Karl's stay enc-1 (subject by reference
// and CPR), entries 1-3 its notifications, entry 4 Inger's home admission
// enc-2 (subject by CPR only), entry 5 its notification, entry 6 Karl's
// acute visit enc-3.
func TestAMalformedRecordCostsOnlyItsCitizen(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(b map[string]any)
		wantField string
	}{
		{"subject with another identifier system and no reference", func(b map[string]any) {
			resource(b, 0)["subject"] = map[string]any{"identifier": map[string]any{"system": "urn:oid:1.2.208.176.1.2", "value": string(cprKarl)}}
		}, "subject"},
		{"invalid CPR in the subject", func(b map[string]any) {
			resource(b, 0)["subject"].(map[string]any)["identifier"].(map[string]any)["value"] = string(cprKarl) + "0"
		}, "subject.identifier.value"},
		{"unknown MedCom activity code", func(b map[string]any) {
			resource(b, 1)["activity"] = map[string]any{"coding": []any{map[string]any{
				"system": "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes", "code": "deceased-inpatient"}}}
		}, "activity"},
		{"activity without the MedCom system", func(b map[string]any) {
			resource(b, 1)["activity"] = map[string]any{"coding": []any{map[string]any{"code": "admit-inpatient"}}}
		}, "activity"},
		{"period start not a time", func(b map[string]any) { resource(b, 0)["period"] = map[string]any{"start": "1. februar 2026"} }, "period.start"},
		{"period start only a month", func(b map[string]any) { resource(b, 0)["period"] = map[string]any{"start": "2026-02"} }, "period.start"},
		{"period end before start", func(b map[string]any) {
			resource(b, 0)["period"] = map[string]any{"start": "2026-02-05T10:00:00Z", "end": "2026-02-01T10:00:00Z"}
		}, "period.end"},
		{"class as a string instead of a Coding", func(b map[string]any) { resource(b, 0)["class"] = "IMP" }, "class"},
		{"class that is no ActCode", func(b map[string]any) { resource(b, 0)["class"] = map[string]any{"code": "INPATIENT"} }, "class.code"},
		{"status unknown", func(b map[string]any) { resource(b, 0)["status"] = "unknown" }, "status"},
		{"unknown discharge destination", func(b map[string]any) {
			resource(b, 0)["hospitalization"] = map[string]any{"dischargeDisposition": map[string]any{"coding": []any{map[string]any{
				"system": "https://klynge.sundhedsklynge.dk/fhir/CodeSystem/discharge-destination", "code": "moon"}}}}
		}, "hospitalization.dischargeDisposition"},
		{"provenance recorded time missing", func(b map[string]any) { delete(resource(b, 1), "recorded") }, "recorded"},
		{"receiver municipality not a code", func(b map[string]any) {
			resource(b, 1)["extension"].([]any)[0].(map[string]any)["valueCoding"] = map[string]any{"code": "Slagelse"}
		}, "extension[0].valueCoding.code"},
		{"target of the wrong JSON type", func(b map[string]any) { resource(b, 1)["target"] = "Encounter/enc-1" }, "target"},
		{"target reference with a field of the wrong type", func(b map[string]any) {
			resource(b, 1)["target"] = []any{map[string]any{"reference": "Encounter/enc-1", "display": 5}}
		}, "target[0].display"},
		{"resource without resourceType", func(b map[string]any) { delete(resource(b, 0), "resourceType") }, "resourceType"},
		{"an admission code on a follow-up of an unfinished stay", func(b map[string]any) {
			resource(b, 0)["status"] = "in-progress"
			delete(resource(b, 0)["period"].(map[string]any), "end")
			resource(b, 3)["activity"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] = "admit-inpatient"
			resource(b, 3)["entity"] = []any{map[string]any{"role": "revision", "what": map[string]any{"reference": "Provenance/prov-1"}}}
		}, "activity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := newRepo(t, "patients.json")
			repo.load(mutate(t, "encounters.json", tt.edit))
			c := newClient(t, repo.base(), Options{})
			got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
			var re *upstream.RecordErrors[domain.CPR]
			if !errors.As(err, &re) || re.Len() != 1 {
				t.Fatalf("want *upstream.RecordErrors charging one citizen, got %T %v", err, err)
			}
			var de *upstream.DecodeError
			if !errors.As(re.Err(cprKarl), &de) || field(de) != tt.wantField || de.System != "ehospital" {
				t.Errorf("Karl's error %v, want a DecodeError naming ehospital %q", re.Err(cprKarl), tt.wantField)
			}
			if len(got[cprInger]) != 1 || len(got[cprInger][0].Notifications) != 1 {
				t.Errorf("Inger lost her stay to Karl's bad record: %+v", got[cprInger])
			}
			for _, cpr := range []string{string(cprKarl), string(cprInger)} {
				if strings.Contains(err.Error(), cpr) {
					t.Errorf("error quotes a CPR: %v", err)
				}
			}
			if _, code, _ := upstream.Classify(re.Err(cprKarl)); code != errcode.UpstreamBadResponse {
				t.Errorf("Classify code %s, want %s", code, errcode.UpstreamBadResponse)
			}
		})
	}
}

func TestAnUnreadableAnswerFailsTheBatch(t *testing.T) {
	tests := []struct {
		name, raw, wantField string
	}{
		{"not a searchset", `{"resourceType":"Bundle","type":"collection"}`, "type"},
		{"an OperationOutcome with status 200", `{"resourceType":"OperationOutcome","issue":[]}`, "resourceType"},
		{"entries of the wrong type", `{"resourceType":"Bundle","type":"searchset","entry":{}}`, "entry"},
		{"not JSON", `<html><body>502 Bad Gateway</body></html>`, ""},
		{"truncated", `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Encounter","id":"e`, "entry[0].resource.id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEHospital(t, func(w http.ResponseWriter, _ *http.Request, _ int) { _, _ = w.Write([]byte(tt.raw)) })
			c := newClient(t, f.base(), Options{})
			_, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
			var de *upstream.DecodeError
			if !errors.As(err, &de) || errors.As(err, new(*upstream.RecordErrors[domain.CPR])) {
				t.Fatalf("want the batch's *upstream.DecodeError, got %T %v", err, err)
			}
			if de.Field != tt.wantField || de.System != "ehospital" {
				t.Errorf("DecodeError names %s field %q, want ehospital %q", de.System, de.Field, tt.wantField)
			}
		})
	}
}

func TestAServerAnsweringWithAStrangersEncounterFailsThoseItAnsweredFor(t *testing.T) {
	// The server answers every search with Karl's stay: asked about Inger,
	// it hands over someone else's data, which must never be shown.
	body := mutate(t, "encounters.json", func(b map[string]any) { b["entry"] = b["entry"].([]any)[:4] })
	f := newFakeEHospital(t, func(w http.ResponseWriter, _ *http.Request, _ int) { _, _ = w.Write(body) })
	c := newClient(t, f.base(), Options{})
	got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprInger})
	var re *upstream.RecordErrors[domain.CPR]
	var de *upstream.DecodeError
	if !errors.As(err, &re) || !errors.As(re.Err(cprInger), &de) || de.Field != "entry[0].resource.subject" {
		t.Fatalf("err = %v, want Inger's encounters failed on the stranger's subject", err)
	}
	if len(got[cprKarl]) != 0 {
		t.Error("the stranger's encounter was handed over")
	}
}

func TestAMalformedPatientCostsOnlyThatCitizen(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(b map[string]any)
		wantField string
	}{
		{"invalid CPR", func(b map[string]any) {
			resource(b, 1)["identifier"].([]any)[0].(map[string]any)["value"] = string(cprInger) + "1"
		}, "identifier[0].value"},
		{"birth date not a date", func(b map[string]any) { resource(b, 1)["birthDate"] = "08-11-1942" }, "birthDate"},
		{"unknown gender", func(b map[string]any) { resource(b, 1)["gender"] = "F" }, "gender"},
		{"deceased time not a time", func(b map[string]any) { resource(b, 1)["deceasedDateTime"] = "last week" }, "deceasedDateTime"},
		{"deceased time without a zone", func(b map[string]any) { resource(b, 1)["deceasedDateTime"] = "2026-02-14T03:20:00" }, "deceasedDateTime"},
		{"name of the wrong type", func(b map[string]any) { resource(b, 1)["name"] = "Inger" }, "name"},
		{"municipality code out of range", func(b map[string]any) {
			resource(b, 1)["address"].([]any)[0].(map[string]any)["extension"].([]any)[0].(map[string]any)["valueCoding"] = map[string]any{"code": "9999"}
		}, "address[0].extension[0].valueCoding.code"},
		{"municipality extension without a code", func(b map[string]any) {
			resource(b, 1)["address"].([]any)[0].(map[string]any)["extension"].([]any)[0] = map[string]any{
				"url": "http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes", "valueCodeableConcept": map[string]any{"text": "Sorø"}}
		}, "address[0].extension[0].valueCodeableConcept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := newRepo(t)
			repo.load(mutate(t, "patients.json", tt.edit))
			c := newClient(t, repo.base(), Options{})
			got, err := c.PatientsByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
			var re *upstream.RecordErrors[domain.CPR]
			var de *upstream.DecodeError
			if !errors.As(err, &re) || re.Len() != 1 || !errors.As(re.Err(cprInger), &de) || field(de) != tt.wantField {
				t.Fatalf("want Inger's record charged at %q, got %v", tt.wantField, err)
			}
			if _, ok := got[cprKarl]; !ok {
				t.Error("Karl was lost to Inger's bad record")
			}
		})
	}
}
